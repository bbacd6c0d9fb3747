from django.core.management.base import BaseCommand

from sitewide.seed import load_seed_content


class Command(BaseCommand):
    help = "Build the page tree and taxonomy from each app's seed_data.json (safe to run again)."

    def handle(self, *args, **options):
        report = load_seed_content()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed content: {len(report.created)} created, {len(report.kept)} already there."
            )
        )
