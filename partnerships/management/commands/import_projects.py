"""``manage.py import_projects FILE.csv [--dry-run]``: see partnerships/importers.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.importers import COLUMNS, ImportFileError, import_projects


class Command(BaseCommand):
    help = (
        "Create or update partnership projects from a CSV file (comma- or "
        "semicolon-separated UTF-8; the projects listing's data.csv is one). Every row is "
        "checked first; if any is wrong nothing is imported. An update changes only what "
        "a row says: blank cells and missing columns keep the project's values. "
        "Columns: " + ", ".join(COLUMNS) + "."
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
        verb = "would be" if dry_run else "was"
        if options["verbosity"] > 1:
            for slug in report.created:
                self.stdout.write(f"created: {report.titles.get(slug, slug)} ({slug})")
            for name in report.new_snippets:
                self.stdout.write(f"new {name}")
        if options["verbosity"] > 0:
            # Every change to an existing project, before and after.
            for update in report.updates():
                self.stdout.write(f"{update['title']} ({update['slug']}) {verb} updated:")
                for label, before, after in update["changes"]:
                    self.stdout.write(f"  {label}: {before} → {after}")
        prefix = "Dry run, nothing saved. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}"))
        self.stdout.write(f"Took {report.seconds:.1f} s.")
