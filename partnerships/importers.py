"""Bulk import of partnership projects from a CSV file.

Used by ``manage.py import_projects`` and by the admin's "Import projects" view; both
only call :func:`import_projects` and show its :class:`ImportReport`.

The import is all or nothing. Every row is checked first; if any row is wrong, the report
lists each problem with its line number and nothing is written. Otherwise every row is
written in one transaction: a project whose slug already exists under the project listing
is updated with what the row says (a column left out or a blank cell keeps the field as
it is), any other is created, and each is published. A row that would change nothing is
left alone, so running the same file twice, or importing the listing's own download,
changes nothing. The report names every field an update changes, before and after, also
in a dry run. Health themes and partner organisations named in the file are created if
they do not exist yet; countries too, when the name (or ISO code) is one the world map
knows.

Columns: see ``partnerships/import_rows.py``, which reads and checks the file;
``partnerships/bulk_pages.py`` writes the new pages in bulk.
"""

from __future__ import annotations

import csv
import io
import time

from django.db import OperationalError, transaction
from modelsearch.backends import get_search_backends

from pages.taxonomy import slug_base, unique_slug
from partnerships.bulk_pages import (
    RELATIONS,
    analyse,
    create_published,
    index_pages,
    indexing_deferred,
)
from partnerships.import_rows import (
    COLUMN_SPECS,
    COLUMNS,
    INDEXING,
    REQUIRED_COLUMNS,
    WRITING,
    ImportFileError,
    ImportReport,
    Lookup,
    Progress,
    Ref,
    Row,
    decode,
    read_header,
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
__all__ = [
    "COLUMNS",
    "COLUMN_SPECS",
    "REQUIRED_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "check_file",
    "import_projects",
]


class _Snippets:
    """The countries, themes and partners the rows name, found in the :class:`Lookup` or
    made. :meth:`prepare` adds the missing ones in one ``bulk_create`` per model (in a dry
    run, unsaved), so writing the rows then only looks them up."""

    def __init__(self, lookup: Lookup, report: ImportReport):
        self.lookup = lookup
        self.report = report
        self.write = not report.dry_run
        self.slugs = {
            Country: {country.slug for country in lookup.countries.values()},
            HealthTheme: {theme.slug for theme in lookup.themes.values()},
            PartnerOrganisation: {partner.slug for partner in lookup.partners.values()},
        }
        self.country_names = {c.name.casefold(): c for c in lookup.countries.values()}
        self.new = {Country: [], HealthTheme: [], PartnerOrganisation: []}

    def _unique_slug(self, model, name: str) -> str:
        slug = unique_slug(slug_base(name), self.slugs[model])
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
        theme = self.lookup.theme(name)
        if theme is None:
            theme = HealthTheme(name=name, slug=self._unique_slug(HealthTheme, name))
            self.new[HealthTheme].append(theme)
            self.lookup.themes[name.casefold()] = self.lookup.themes[theme.slug] = theme
            self.report.new_snippets.append(f"health theme: {name}")
        return theme

    def partner(self, ref: Ref, location: str) -> PartnerOrganisation:
        partner = self.lookup.partner(ref.name)
        if partner is None:
            partner = PartnerOrganisation(
                name=ref.name,
                slug=self._unique_slug(PartnerOrganisation, ref.name),
                location=location,
                country=self.country(ref.code) if ref.code else None,
            )
            self.new[PartnerOrganisation].append(partner)
            self.lookup.partners[ref.name.casefold()] = self.lookup.partners[partner.slug] = partner
            label = "UK partner" if location == PartnerOrganisation.UK else "overseas partner"
            self.report.new_snippets.append(f"{label}: {ref.name}")
        return partner

    def resolve(self, relation: str, ref: Ref):
        if relation == "countries":
            return self.country(ref.code)
        if relation == "themes":
            return self.theme(ref.name)
        location = PartnerOrganisation.UK if relation == "uk_partners" else "overseas"
        return self.partner(ref, location)

    def prepare(self, rows: list[Row]) -> None:
        """Look up every name in ``rows``; add the missing ones (one query per model)."""
        for row in rows:
            for relation in RELATIONS:
                for ref in row.values.get(relation, ()):
                    self.resolve(relation, ref)
        if not self.write:
            return
        for model, objects in self.new.items():
            if objects:
                model.objects.bulk_create(objects)  # (sets their ids: PostgreSQL, SQLite)
                for backend in get_search_backends(with_auto_update=True):
                    backend.add_bulk(model, objects)


def _apply(page: ProjectPage, row: Row, snippets: _Snippets) -> dict[str, list]:
    """Copy what ``row`` sets onto ``page`` (only the fields it gives); return the
    countries, themes and partners it set, by relation."""
    related = {}
    for name, value in row.values.items():
        if name in RELATIONS:
            value = related[name] = [snippets.resolve(name, ref) for ref in value]
        setattr(page, name, value)
    return related


def _write(
    rows: list[Row], lookup: Lookup, report: ImportReport, user, progress: Progress | None
) -> tuple[list[ProjectPage], list[ProjectPage]]:
    """Write ``rows``; return the pages written and, of those, the new ones."""
    write = not report.dry_run
    index = lookup.index
    if index is None:
        raise ImportFileError("There is no project listing page to import projects into.")
    snippets = _Snippets(lookup, report)
    snippets.prepare(rows)
    created_pages, created_related, written = [], [], []
    to_write = sum(1 for row in rows if row.page is None or row.changes)
    for row in rows:
        page = row.page
        created = page is None
        if not created and not row.changes:
            report.unchanged.append(row.slug)
            continue
        report.titles[row.slug] = row.title
        if created:
            report.created.append(row.slug)
        else:
            report.updated.append(row.slug)
            report.changes[row.slug] = row.changes
            if page.has_unpublished_changes:
                report.warnings.append(
                    f"Line {row.line}: “{page.title}” had unpublished changes; the import "
                    "replaced them (the draft is kept in the page's history)."
                )
        if not write:
            continue
        if created:
            page = ProjectPage(slug=row.slug)
            created_related.append(_apply(page, row, snippets))
            created_pages.append(page)
        else:
            _apply(page, row, snippets)
            page.save_revision(user=user, log_action=True).publish(user=user)
        written.append(page)
        if progress is not None and not created:
            progress(WRITING, len(written) - len(created_pages), to_write)
    if write:
        updated = len(written) - len(created_pages)
        create_published(
            index,
            created_pages,
            user,
            created_related,
            progress=(
                None if progress is None else lambda n: progress(WRITING, updated + n, to_write)
            ),
        )
    return written, created_pages


def _lock_the_listing(wait: bool) -> None:
    listing = ProjectIndexPage.objects.select_for_update(of=("self",), nowait=not wait)
    try:
        list(listing.values_list("pk"))
    except OperationalError:  # (PostgreSQL's "could not obtain lock", with nowait)
        raise ImportFileError(
            "Another import is being written right now; upload this file again when it "
            "has finished (see “Recent imports”)."
        ) from None


def check_file(data: bytes | str) -> int:
    """How many rows ``data`` has (blank lines aside), without checking them; raises
    :class:`ImportFileError` if it cannot be read as a file of projects at all (its
    encoding, separator or column names): what the admin says at once, before a large
    file is imported in the background."""
    text, encoding = decode(data)
    separator, _ = read_header(text, encoding)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        return sum(1 for record in records if any(cell.strip() for cell in record)) - 1
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: {error}.") from None


def import_projects(
    data: bytes | str,
    *,
    dry_run: bool = False,
    user=None,
    progress: Progress | None = None,
    wait: bool = True,
) -> ImportReport:
    """Check every row of the CSV ``data``, then (unless ``dry_run``) write them all.

    Raises :class:`ImportFileError` when the file as a whole cannot be used; problems
    with single rows are listed in ``report.errors`` and nothing is written.

    One import writes at a time: the rows are checked and written while holding a lock on
    the project listing (PostgreSQL; SQLite has one writer anyway), so two files naming
    the same new slug cannot both create it; with ``wait`` False, an import that finds
    another one writing stops at once with an :class:`ImportFileError` saying so.
    ``progress`` is told how far the check and the writing have got
    (``partnerships/import_jobs.py`` shows it as a progress bar).
    """
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    text, encoding = decode(data)
    with transaction.atomic():
        if not dry_run:
            _lock_the_listing(wait)
        lookup = Lookup()
        try:
            rows = read_rows(text, lookup, report, encoding, progress)
        except csv.Error as error:
            raise ImportFileError(f"The file is not a readable CSV file: {error}.") from None
        if report.errors:
            return report
        with indexing_deferred():
            written, created = _write(rows, lookup, report, user, progress)
        if progress is not None and written:
            progress(INDEXING, 0, 0)
        index_pages(written, created)
    if written:
        analyse(written)
    report.seconds = time.monotonic() - started
    return report
