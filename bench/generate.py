"""Add generated projects and publications to the bench database. Run by bench/run.py.

``python bench/generate.py [PROJECTS]`` (default ``BENCH_PROJECTS``, else 500) imports
that many projects through the CSV importer, shaped like THET's real data at ten times its
size: each project has two countries (of about 43), a health theme, a UK and an
overseas partner (of about 256 organisations); then adds 200 publications.
``python bench/generate.py --csv N FILE`` only writes the CSV of N projects.
"""

import csv
import datetime
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thet_site.settings")

COUNTRIES = 43
UK_PARTNERS = 128
OVERSEAS_PARTNERS = 128
THEMES = ["Mental Health", "NCDs", "Maternal and Newborn Health", "Emergency care", "Surgery"]
WORDS = ["health", "workers", "training", "nurses", "midwives", "surgery", "care", "clinical"]


def projects_csv(count: int, countries: list[str]) -> bytes:
    """A CSV of ``count`` projects for ``partnerships.importers.import_projects``."""
    columns = [
        "title",
        "slug",
        "summary",
        "countries",
        "health_themes",
        "uk_partners",
        "overseas_partners",
        "start_year",
        "end_year",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    c = len(countries)
    for n in range(count):
        words = f"{WORDS[n % len(WORDS)]} {WORDS[(n * 3 + 1) % len(WORDS)]}"
        writer.writerow(
            {
                "title": f"Generated project {n}: {words}",
                "slug": f"generated-project-{n}",
                "summary": f"A generated project number {n} for the benchmark: {words}.",
                "countries": f"{countries[n % c]}; {countries[(n + 1 + n // c % (c - 2)) % c]}",
                "health_themes": THEMES[n % len(THEMES)],
                "uk_partners": f"Generated UK partner trust {n % UK_PARTNERS}",
                "overseas_partners": f"Generated overseas partner hospital {n % OVERSEAS_PARTNERS}",
                "start_year": str(2005 + n % 15),
                "end_year": str(2005 + n % 15 + n % 4) if n % 3 else "",
            }
        )
    return out.getvalue().encode()


def country_names() -> list[str]:
    from partnerships.worldmap import country_choices

    names = [name for code, name in country_choices()]
    step = max(1, len(names) // COUNTRIES)
    return names[::step][:COUNTRIES]


def main(projects=500, publications=200):
    from partnerships.importers import import_projects
    from policy.models import PublicationIndexPage, PublicationPage, PublicationType

    report = import_projects(projects_csv(projects, country_names()))
    if not report.ok:
        raise SystemExit("\n".join(report.errors[:20]))
    print(f"imported {projects} projects in {report.seconds:.1f} s", flush=True)
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
    import django

    django.setup()
    if len(sys.argv) > 1 and sys.argv[1] == "--csv":
        with open(sys.argv[3], "wb") as f:
            f.write(projects_csv(int(sys.argv[2]), country_names()))
    else:
        count = int(sys.argv[1]) if len(sys.argv) > 1 else None
        main(count or int(os.environ.get("BENCH_PROJECTS", "500")))
