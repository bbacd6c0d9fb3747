"""The whole seed: each app's loader in order, and the wiring between them.

The content itself is data, one file per app (``<app>/seed_data.json``), each loaded by
that app's ``seed.py``; only this top-layer module knows every app, so it decides where
each app's pages go (the publications and the news under the home page, Policy Work
and the programme under Our Work, which projects a story is about) and runs what spans
apps (the policy team's rights).
"""

from django.apps import apps as django_apps
from django.db import transaction

from news import seed as news_seed
from pages import roles
from pages import seed as pages_seed
from pages.seed import SeedReport
from partnerships import seed as partnerships_seed
from policy import seed as policy_seed


@transaction.atomic
def load_seed_content() -> SeedReport:
    report = SeedReport()
    places = partnerships_seed.load_taxonomy(report)
    policy_taxonomy = policy_seed.load_taxonomy(report)
    home, our_work = pages_seed.load_pages(report)
    publications = policy_seed.load_publications(report, home, policy_taxonomy)
    policy_seed.load_policy_work(report, our_work, publications)
    _, project_index = partnerships_seed.load_pages(report, our_work, places)
    news_seed.load_news(
        report,
        home,
        {
            "projects": {p.slug: p for p in project_index.get_children().specific()},
            "publications": publications,
            "countries": places["countries"],
            "themes": places["themes"],
        },
    )
    pages_seed.publish_home(report, home)
    pages_seed.load_footer(report, home)
    # Policy team grants and the sign-off workflow on the policy pages.
    roles.ensure_policy_pages(django_apps)
    return report
