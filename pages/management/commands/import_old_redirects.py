"""``manage.py import_old_redirects FILE.csv [--site ID] [--dry-run]``: see pages/redirects.py."""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from pages.redirects import RedirectImportError, import_redirects


class Command(BaseCommand):
    help = "Import old_path,new_path rows from a CSV file as permanent (301) redirects."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with the header old_path,new_path")
        parser.add_argument("--site", type=int, help="Site id (default: the default site)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, change nothing"
        )

    def handle(self, *args, **options):
        try:
            site = (
                Site.objects.get(pk=options["site"])
                if options["site"]
                else Site.objects.get(is_default_site=True)
            )
        except Site.DoesNotExist as exc:
            raise CommandError("No such site; see the ids under Settings → Sites.") from exc
        try:
            with open(options["file"], newline="", encoding="utf-8-sig") as lines:
                report = import_redirects(lines, site, dry_run=options["dry_run"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{options['file']} is not UTF-8 text") from exc
        except RedirectImportError as exc:
            raise CommandError(
                "Nothing was imported. Fix these rows and run again:\n" + str(exc)
            ) from exc
        prefix = "Would create" if options["dry_run"] else "Created"
        self.stdout.write(
            f"{prefix} {len(report.created)} and "
            f"{'would update' if options['dry_run'] else 'updated'} "
            f"{len(report.updated)} redirects for {site}."
        )
