"""``manage.py restore FILE`` (``make restore FILE=...``): a fresh database and media store
brought back from a ``backup`` archive; see ``thet_site/backup.py``."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thet_site.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and media from an archive made by `backup`, into fresh ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The archive, e.g. backups/thet-backup-….tar")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["file"])
        if not archive.is_file():
            raise CommandError(f"No such archive: {archive}")
        try:
            result = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {result['database']} database and {result['media']} media files "
            f"of the backup made {result['created']}."
        )
