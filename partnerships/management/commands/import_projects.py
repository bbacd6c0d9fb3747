"""``manage.py import_projects FILE.csv [--dry-run]``: see partnerships/importers.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.importers import COLUMNS, ImportFileError, import_projects


class Command(BaseCommand):
    help = (
        "Create or update partnership projects from a CSV file. Every row is checked "
        "first; if any is wrong nothing is imported. Columns: " + ", ".join(COLUMNS) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Path to a UTF-8 CSV file whose first line names the columns."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            report = import_projects(data, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for line in report.errors:
            self.stderr.write(line)
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(line))
        if not report.ok:
            raise CommandError(report.summary())
        if options["verbosity"] > 1:
            for label, slugs in (("created", report.created), ("updated", report.updated)):
                for slug in slugs:
                    self.stdout.write(f"{label}: {slug}")
            for name in report.new_snippets:
                self.stdout.write(f"new {name}")
        prefix = "Dry run, nothing saved. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}"))
        self.stdout.write(f"Took {report.seconds:.1f} s.")
