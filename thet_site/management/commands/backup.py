"""``manage.py backup [--output-dir DIR]`` (``make backup``): one dated archive of the
database and the media; see ``thet_site/backup.py``."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thet_site.backup import BackupError, back_up


class Command(BaseCommand):
    help = "Write one dated archive of the database and the media (documents, original images)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output-dir", default="backups", help="Folder for the archive (default: backups)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = back_up(Path(options["output_dir"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
