"""Add generated projects and publications to the bench database (#9). Run by bench/run.py."""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thet_site.settings")

import django  # noqa: E402

django.setup()

from partnerships.models import Country, HealthTheme, ProjectIndexPage, ProjectPage  # noqa: E402
from policy.models import PublicationIndexPage, PublicationPage, PublicationType  # noqa: E402


def main(projects=500, publications=200):
    index = ProjectIndexPage.objects.get()
    countries = list(Country.objects.all())
    themes = list(HealthTheme.objects.all())
    for n in range(projects):
        page = index.add_child(
            instance=ProjectPage(
                title=f"Generated project {n}",
                slug=f"generated-project-{n}",
                summary=f"A generated project number {n} for the benchmark.",
                start_year=2010 + n % 15,
            )
        )
        if countries:
            page.countries.set([countries[n % len(countries)]])
        if themes:
            page.themes.set([themes[n % len(themes)]])
        page.save()
    pub_index = PublicationIndexPage.objects.get()
    types = list(PublicationType.objects.all())
    for n in range(publications):
        pub_index.add_child(
            instance=PublicationPage(
                title=f"Generated publication {n}",
                slug=f"generated-publication-{n}",
                summary=f"A generated publication number {n} for the benchmark.",
                publication_date=datetime.date(2015 + n % 10, 1 + n % 12, 1),
                publication_type=types[n % len(types)] if types else None,
            )
        )


if __name__ == "__main__":
    main()
