"""``manage.py run_project_imports [--job ID]``: see partnerships/import_jobs.py."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from partnerships import import_jobs


class Command(BaseCommand):
    help = (
        "Run the project imports the admin has queued (files too large to import while "
        "the editor waits). Without --job: run every one still waiting and mark those "
        "that stopped; run it every few minutes from cron, next to publish_scheduled."
    )

    def add_arguments(self, parser):
        parser.add_argument("--job", help="Run this import only (its id, as in its address).")

    def handle(self, *args, job=None, **options):
        if job is not None:
            try:
                job_id = uuid.UUID(job)
            except ValueError:
                raise CommandError(f"“{job}” is not an import's id.") from None
            finished = import_jobs.run(job_id)
            jobs = [finished] if finished is not None else []
        else:
            jobs = import_jobs.run_waiting()
        for finished in jobs:
            report = import_jobs.report_of(finished)
            outcome = report.summary() if report is not None else finished.error
            self.stdout.write(f"{finished.file_name}: {outcome}")
        if job is not None and not jobs and options["verbosity"] > 0:
            self.stdout.write("That import is not waiting (it is running or has finished).")
