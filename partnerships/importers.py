"""Bulk import of partnership projects from a CSV file.

Used by ``manage.py import_projects`` and by the admin's "Import projects" view; both
only call :func:`import_projects` and show its :class:`ImportReport`.

The import is all or nothing. Every row is checked first; if any row is wrong, the report
lists each problem with its line number and nothing is written. Otherwise every row is
written in one transaction: a project whose slug already exists under the project listing
is updated, any other is created, and each is published. Running the same file twice
gives the same projects (rows that have not changed are left alone). Health themes and
partner organisations named in the file are created if they do not exist yet; countries
too, when the name (or ISO code) is one the world map knows.

Columns: see ``partnerships/import_rows.py``, which reads and checks the file;
``partnerships/bulk_pages.py`` writes the new pages in bulk.
"""

from __future__ import annotations

import csv
import time

from django.db import transaction
from django.utils.text import slugify
from modelsearch.backends import get_search_backends

from partnerships.bulk_pages import (
    RELATIONS,
    analyse,
    create_published,
    index_pages,
    indexing_deferred,
)
from partnerships.import_rows import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    ImportReport,
    Lookup,
    Row,
    decode,
    read_rows,
)
from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProjectIndexPage,
    ProjectPage,
)

# What the command and the admin's upload view use.
__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "ImportFileError", "ImportReport", "import_projects"]


class _Snippets:
    """Countries, themes and partners by name (or slug), read in one query per model.

    :meth:`prepare` finds every name the rows use and adds the missing ones in one
    ``bulk_create`` per model (in a dry run, unsaved), so the rows then only look up.
    """

    def __init__(self, lookup: Lookup, report: ImportReport):
        self.lookup = lookup
        self.report = report
        self.write = not report.dry_run
        self.themes = {}
        self.partners = {}
        self.slugs = {Country: set(), HealthTheme: set(), PartnerOrganisation: set()}
        for theme in HealthTheme.objects.all():
            self.themes[theme.name.casefold()] = theme
            self.themes[theme.slug] = theme
            self.slugs[HealthTheme].add(theme.slug)
        for partner in PartnerOrganisation.objects.all():
            self.partners[partner.name.casefold()] = partner
            self.partners[partner.slug] = partner
            self.slugs[PartnerOrganisation].add(partner.slug)
        self.country_names = {}
        for country in lookup.countries.values():
            self.country_names[country.name.casefold()] = country
            self.slugs[Country].add(country.slug)
        self.new = {Country: [], HealthTheme: [], PartnerOrganisation: []}

    def _unique_slug(self, model, name: str) -> str:
        base = slugify(name)[:150].strip("-") or "item"
        slug, n = base, 2
        while slug in self.slugs[model]:
            slug, n = f"{base}-{n}", n + 1
        self.slugs[model].add(slug)
        return slug

    def country(self, code: str) -> Country:
        country = self.lookup.countries.get(code)
        if country is None:
            name = self.lookup.map_codes[code]
            country = self.country_names.get(name.casefold())
            if country is None:
                country = Country(name=name, slug=self._unique_slug(Country, name), iso_code=code)
                self.new[Country].append(country)
                self.report.new_snippets.append(f"country: {name}")
            self.lookup.countries[code] = country
        return country

    def theme(self, name: str) -> HealthTheme:
        theme = self.themes.get(name.casefold()) or self.themes.get(slugify(name))
        if theme is None:
            theme = HealthTheme(name=name, slug=self._unique_slug(HealthTheme, name))
            self.new[HealthTheme].append(theme)
            self.themes[name.casefold()] = self.themes[theme.slug] = theme
            self.report.new_snippets.append(f"health theme: {name}")
        return theme

    def partner(self, name: str, location: str) -> PartnerOrganisation:
        partner = self.partners.get(name.casefold()) or self.partners.get(slugify(name))
        if partner is None:
            partner = PartnerOrganisation(
                name=name, slug=self._unique_slug(PartnerOrganisation, name), location=location
            )
            self.new[PartnerOrganisation].append(partner)
            self.partners[name.casefold()] = self.partners[partner.slug] = partner
            label = "UK partner" if location == PartnerOrganisation.UK else "overseas partner"
            self.report.new_snippets.append(f"{label}: {name}")
        return partner

    def prepare(self, rows: list[Row]) -> None:
        """Look up every name in ``rows``; add the missing ones (one query per model)."""
        for row in rows:
            for code in row.countries:
                self.country(code)
            for name in row.themes:
                self.theme(name)
            for name in row.uk_partners:
                self.partner(name, PartnerOrganisation.UK)
            for name in row.overseas_partners:
                self.partner(name, PartnerOrganisation.OVERSEAS)
        if not self.write:
            return
        for model, objects in self.new.items():
            if objects:
                model.objects.bulk_create(objects)  # (sets their ids: PostgreSQL, SQLite)
                for backend in get_search_backends(with_auto_update=True):
                    backend.add_bulk(model, objects)


def _ids(manager) -> set[int]:
    return {obj.pk for obj in manager.all()}


def _apply(page: ProjectPage, row: Row, snippets: _Snippets, *, write: bool) -> bool:
    """Compare ``row`` with ``page`` and, if ``write``, copy it on; return whether it differs."""
    values = {
        "title": row.title,
        "summary": row.summary,
        "programme_id": row.programme.pk if row.programme else None,
        "start_year": row.start_year,
        "end_year": row.end_year,
        "start_month": row.start_month,
        "end_month": row.end_month,
        "budget": row.budget,
    }
    relations = {
        "countries": [snippets.country(code) for code in row.countries],
        "themes": [snippets.theme(name) for name in row.themes],
        "uk_partners": [snippets.partner(n, PartnerOrganisation.UK) for n in row.uk_partners],
        "overseas_partners": [
            snippets.partner(n, PartnerOrganisation.OVERSEAS) for n in row.overseas_partners
        ],
    }
    changed = page.pk is None or not page.live
    for name, value in values.items():
        if getattr(page, name) != value:
            changed = True
            if write:
                setattr(page, name, value)
    for name, objects in relations.items():
        if page.pk is None or _ids(getattr(page, name)) != {o.pk for o in objects}:
            changed = True
            if write:
                setattr(page, name, objects)
    return changed


def _write(
    rows: list[Row], lookup: Lookup, report: ImportReport, user
) -> tuple[list[ProjectPage], list[ProjectPage]]:
    """Write ``rows``; return the pages written and, of those, the new ones."""
    write = not report.dry_run
    index = ProjectIndexPage.objects.first()
    if index is None:
        raise ImportFileError("There is no project listing page to import projects into.")
    snippets = _Snippets(lookup, report)
    snippets.prepare(rows)
    existing = {
        page.slug: page for page in ProjectPage.objects.child_of(index).prefetch_related(*RELATIONS)
    }
    created_pages, written = [], []
    for row in rows:
        page = existing.get(row.slug)
        created = page is None
        if created:
            page = ProjectPage(slug=row.slug)
        if not _apply(page, row, snippets, write=write):
            report.unchanged.append(row.slug)
            continue
        (report.created if created else report.updated).append(row.slug)
        if not created and page.has_unpublished_changes:
            report.warnings.append(
                f"Line {row.line}: “{page.title}” had unpublished changes; the import "
                "replaced them (the draft is kept in the page's history)."
            )
        if not write:
            continue
        if created:
            created_pages.append(page)
        else:
            page.save_revision(user=user, log_action=True).publish(user=user)
        written.append(page)
    if write:
        create_published(index, created_pages, user)
    return written, created_pages


def import_projects(data: bytes | str, *, dry_run: bool = False, user=None) -> ImportReport:
    """Check every row of the CSV ``data``, then (unless ``dry_run``) write them all.

    Raises :class:`ImportFileError` when the file as a whole cannot be used; problems
    with single rows are listed in ``report.errors`` and nothing is written.
    """
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    lookup = Lookup()
    try:
        rows = read_rows(decode(data), lookup, report)
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: {error}.") from None
    if report.errors:
        return report
    with transaction.atomic():
        with indexing_deferred():
            written, created = _write(rows, lookup, report, user)
        index_pages(written, created)
    if written:
        analyse(written)
    report.seconds = time.monotonic() - started
    return report
