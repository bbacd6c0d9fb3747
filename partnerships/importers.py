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

Columns (the first line of the file names them, in any order):

=================  ========  ======================================================
column             required  meaning
=================  ========  ======================================================
title              yes       the project's title
summary            yes       two or three sentences for listings
slug               no        its web address under /our-work/projects/; made from
                             the title when blank; the key that later imports match
programme          no        the programme's title or slug, e.g. Health Partnership
                             Scheme (it must exist)
countries          no        country names or ISO codes, separated by ";"
health_themes      no        health theme names, separated by ";"
uk_partners        no        UK partner organisation names, separated by ";"
overseas_partners  no        overseas partner organisation names, separated by ";"
start_year         no        e.g. 2012
end_year           no        e.g. 2015; blank if still running
=================  ========  ======================================================
"""

from __future__ import annotations

import csv
import io
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.validators import validate_slug
from django.db import connection, models, transaction
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.models import get_all_child_relations
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.signals import page_published

from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    ProjectIndexPage,
    ProjectPage,
)
from partnerships.worldmap import country_choices

COLUMNS = (
    "title",
    "summary",
    "slug",
    "programme",
    "countries",
    "health_themes",
    "uk_partners",
    "overseas_partners",
    "start_year",
    "end_year",
)
REQUIRED_COLUMNS = ("title", "summary")
SEPARATOR = ";"
MAX_ROWS = 5000
MAX_TITLE = 255
MAX_NAME = 160
YEAR_RANGE = (1950, 2100)
# A cell that starts with one of these is run as a formula by spreadsheets when the data
# is exported again (CSV injection): refused with a line error rather than stored.
FORMULA_STARTS = ("=", "+", "-", "@")
LIST_COLUMNS = ("countries", "health_themes", "uk_partners", "overseas_partners")


class ImportFileError(Exception):
    """The file cannot be read as a CSV of projects at all."""


@dataclass
class ImportReport:
    dry_run: bool = False
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_snippets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was imported: {len(self.errors)} problem"
                f"{'s' if len(self.errors) != 1 else ''} found in {self.rows} rows."
            )
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows checked: {len(self.created)} projects {verb} created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged; "
            f"{len(self.new_snippets)} new themes, partners or countries {verb} added."
        )


@dataclass
class Row:
    line: int
    title: str
    summary: str
    slug: str
    programme: ProgrammePage | None
    countries: list[str]  # ISO codes
    themes: list[str]
    uk_partners: list[str]
    overseas_partners: list[str]
    start_year: int | None
    end_year: int | None


# --- reading and checking -----------------------------------------------------------------


def _names(value: str) -> list[str]:
    """Split a ";"-separated cell into names, dropping blanks and repeats (in order)."""
    seen: dict[str, str] = {}
    for part in value.split(SEPARATOR):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def _year(value: str, column: str, errors: list[str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value) or not YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]:
        errors.append(f"{column} “{value[:20]}” is not a year such as 2012")
        return None
    return int(value)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”."
        ) from None


class _Lookup:
    """Existing programmes, countries, themes and partners, read once."""

    def __init__(self):
        self.programmes = {}
        for programme in ProgrammePage.objects.all().only("title", "slug"):
            self.programmes[programme.slug.casefold()] = programme
            self.programmes[programme.title.casefold()] = programme
        choices = country_choices()
        self.map_names = {name.casefold(): code for code, name in choices}
        self.map_codes = dict(choices)
        self.countries = {}
        for country in Country.objects.all():
            self.countries[country.iso_code.upper()] = country
        self.country_codes = {c.name.casefold(): code for code, c in self.countries.items()}

    def country_code(self, value: str) -> str | None:
        """ISO code for a country name or code, from our countries or the map's list."""
        key = value.casefold()
        if key in self.country_codes:
            return self.country_codes[key]
        if value.upper() in self.countries or value.upper() in self.map_codes:
            return value.upper()
        return self.map_names.get(key)


def _unsafe_cells(cells: dict[str, str]) -> list[str]:
    """Errors for cells that must never be stored: a NUL character (the database refuses
    it) and text a spreadsheet would run as a formula (each name of a ";" list too)."""
    errors = []
    for column, value in cells.items():
        if "\x00" in value:
            errors.append(f"{column} contains a NUL character (a damaged or non-text file?)")
            continue
        parts = value.split(SEPARATOR) if column in LIST_COLUMNS else [value]
        starts = {part.strip()[:1] for part in parts} & set(FORMULA_STARTS)
        if starts:
            errors.append(
                f"{column} starts with “{min(starts)}”, which spreadsheets run as a formula; "
                "remove it or reword the start"
            )
    return errors


def read_rows(text: str, lookup: _Lookup, report: ImportReport) -> list[Row]:
    if "\x00" in text.partition("\n")[0]:
        raise ImportFileError("Line 1 contains a NUL character: is this really a CSV file?")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower().replace(" ", "_") for name in reader.fieldnames or []]
    if not header:
        raise ImportFileError("The file is empty: the first line must name the columns.")
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(
                f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
            )
        if missing:
            problems.append(
                f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
            )
        raise ImportFileError(
            f"Line 1: {'; '.join(problems)}. The columns are: {', '.join(COLUMNS)}."
        )
    reader.fieldnames = header

    rows: list[Row] = []
    slugs: dict[str, int] = {}
    line = 2
    for record in reader:
        start, line = line, reader.line_num + 1
        if len(rows) + len(report.errors) >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS} rows; split it up.")
        if None in record:
            report.errors.append(f"Line {start}: more cells than there are columns")
            continue
        cells = {name: (record.get(name) or "").strip() for name in COLUMNS}
        if not any(cells.values()):
            continue  # a blank line
        report.rows += 1
        errors: list[str] = _unsafe_cells(cells)
        if errors:  # (the other checks would only repeat the bad text)
            report.errors.extend(f"Line {start}: {error}" for error in errors)
            continue
        title = " ".join(cells["title"].split())
        if not title:
            errors.append("title is empty")
        elif len(title) > MAX_TITLE:
            errors.append(f"title is longer than {MAX_TITLE} characters")
        if not cells["summary"]:
            errors.append("summary is empty")
        slug = cells["slug"] or slugify(title)[:80].strip("-")
        try:
            validate_slug(slug)
        except Exception:
            errors.append(f"slug “{slug[:40]}” may only use letters, numbers and hyphens")
        if slug and slug in slugs:
            errors.append(f"slug “{slug}” is also used on line {slugs[slug]}")
        slugs.setdefault(slug, start)
        programme = None
        if cells["programme"]:
            programme = lookup.programmes.get(cells["programme"].casefold())
            if programme is None:
                errors.append(
                    f"there is no programme called “{cells['programme'][:60]}”; "
                    "create its page first"
                )
        codes = []
        for name in _names(cells["countries"]):
            code = lookup.country_code(name)
            if code is None:
                errors.append(f"“{name[:60]}” is not a country we know; check the spelling")
            elif code not in codes:
                codes.append(code)
        names = {}
        for column in ("health_themes", "uk_partners", "overseas_partners"):
            names[column] = _names(cells[column])
            for name in names[column]:
                if len(name) > MAX_NAME:
                    errors.append(f"a name in {column} is longer than {MAX_NAME} characters")
        start_year = _year(cells["start_year"], "start_year", errors)
        end_year = _year(cells["end_year"], "end_year", errors)
        if start_year and end_year and end_year < start_year:
            errors.append("end_year is before start_year")
        if errors:
            report.errors.extend(f"Line {start}: {error}" for error in errors)
            continue
        rows.append(
            Row(
                line=start,
                title=title,
                summary=cells["summary"],
                slug=slug,
                programme=programme,
                countries=codes,
                themes=names["health_themes"],
                uk_partners=names["uk_partners"],
                overseas_partners=names["overseas_partners"],
                start_year=start_year,
                end_year=end_year,
            )
        )
    if report.rows == 0 and not report.errors:
        raise ImportFileError("The file has a header line but no projects.")
    return rows


# --- writing ------------------------------------------------------------------------------


class _Snippets:
    """Countries, themes and partners by name (or slug), read in one query per model.

    :meth:`prepare` finds every name the rows use and adds the missing ones in one
    ``bulk_create`` per model (in a dry run, unsaved), so the rows then only look up.
    """

    def __init__(self, lookup: _Lookup, report: ImportReport):
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


RELATIONS = ("countries", "themes", "uk_partners", "overseas_partners")


def _apply(page: ProjectPage, row: Row, snippets: _Snippets, *, write: bool) -> bool:
    """Compare ``row`` with ``page`` and, if ``write``, copy it on; return whether it differs."""
    values = {
        "title": row.title,
        "summary": row.summary,
        "programme_id": row.programme.pk if row.programme else None,
        "start_year": row.start_year,
        "end_year": row.end_year,
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


@contextmanager
def _indexing_deferred():
    """Skip the search and reference index updates that every save of a project would do.

    A page updated through Wagtail is saved three times (edited, revision saved,
    published) and each save re-indexes it; for a large file that is most of the time.
    The caller indexes each imported page once at the end instead (see :func:`_index`).
    """
    post_save.disconnect(post_save_signal_handler, sender=ProjectPage)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        post_save.connect(post_save_signal_handler, sender=ProjectPage)


def _index(pages: list[ProjectPage], created: list[ProjectPage]) -> None:
    """Bring the search and reference indexes up to date for ``pages`` (the imported
    ones), of which ``created`` are new."""
    if not pages:
        return
    fresh = list(
        ProjectPage.objects.filter(pk__in=[page.pk for page in pages]).prefetch_related(*RELATIONS)
    )
    new = {page.pk for page in created}
    for page in fresh:
        if page.pk not in new:
            ReferenceIndex.create_or_update_for_object(page)
    # A new page has no references recorded yet: Wagtail's own extraction for each
    # (the in-memory pages, which know they have no comments), written in one go.
    page_type = ContentType.objects.get_for_model(ProjectPage)
    base_type = ContentType.objects.get_for_model(Page)
    ReferenceIndex.objects.bulk_create(
        [
            ReferenceIndex(
                content_type=page_type,
                base_content_type=base_type,
                object_id=page.pk,
                to_content_type_id=to_type,
                to_object_id=to_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for page in created
            for to_type, to_id, model_path, content_path in set(
                ReferenceIndex._extract_references_from_object(page)
            )
        ],
        batch_size=500,
    )
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(ProjectPage, fresh)


def _create(index: ProjectIndexPage, pages: list[ProjectPage], user) -> None:
    """Add ``pages`` under ``index``, published, in a fixed number of queries per page.

    What ``index.add_child(instance=page)``, ``page.save_revision()`` and
    ``revision.publish()`` do for one page, for all of them at once (those take about a
    hundred queries a page): each page gets the next tree path, its rows,
    one revision with its content and two history entries ("created", "published"), and
    ``page_published`` is sent as Wagtail does. The rows were checked before (``read_rows``:
    titles, slugs unique in the file and under the listing, years), which is the
    validation ``full_clean`` would repeat.
    """
    if not pages:
        return
    now = timezone.now()
    page_type = ContentType.objects.get_for_model(ProjectPage)
    base_type = ContentType.objects.get_for_model(Page)
    last = index.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    depth = index.depth + 1
    for n, page in enumerate(pages, start=step + 1):
        page.path = Page._get_path(index.path, depth, n)
        page.depth = depth
        page.numchild = 0
        page.url_path = f"{index.url_path}{page.slug}/"
        page.draft_title = page.title
        page.locale_id = index.locale_id
        page.content_type = page_type
        page.owner = user
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = now
        page.latest_revision_created_at = now
        for relation in get_all_child_relations(page):  # (a new page has no comments)
            setattr(page, relation.get_accessor_name(), [])
    # The page rows in one statement a batch, then each project row with a "raw" save
    # (only its own table: the parent row exists; no full_clean or parent look-ups, done
    # above; the many-to-many relations are written below, in bulk).
    page_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
    rows = Page.objects.bulk_create(
        [Page(**{name: getattr(page, name) for name in page_fields}) for page in pages],
        batch_size=500,
    )
    for page, row in zip(pages, rows, strict=True):
        page.id = page.page_ptr_id = row.pk
        page.save_base(raw=True, force_insert=True)
    for name in RELATIONS:
        field = ProjectPage._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        through.objects.bulk_create(
            [
                through(**{f"{source}_id": page.pk, f"{target}_id": obj.pk})
                for page in pages
                for obj in getattr(page, name).all()
            ]
        )
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=page_type,
                base_content_type=base_type,
                object_id=str(page.pk),
                user=user,
                created_at=now,
                content=page.serializable_data(),
                object_str=str(page),
            )
            for page in pages
        ]
    )
    latest = Revision.objects.filter(
        base_content_type=base_type, object_id=Cast(models.OuterRef("pk"), models.CharField())
    ).order_by("-pk")
    Page.objects.filter(pk__in=[page.pk for page in pages]).update(
        latest_revision=models.Subquery(latest.values("pk")[:1]),
        live_revision=models.Subquery(latest.values("pk")[:1]),
    )
    index.numchild += len(pages)
    Page.objects.filter(pk=index.pk).update(numchild=models.F("numchild") + len(pages))
    PageLogEntry.objects.bulk_create(
        [
            PageLogEntry(
                content_type=page_type,
                label=page.get_admin_display_title(),
                action=action,
                timestamp=now,
                user=user,
                page_id=page.pk,
                revision=revision if action == "wagtail.publish" else None,
                content_changed=True,
            )
            for page, revision in zip(pages, revisions, strict=True)
            for action in ("wagtail.create", "wagtail.publish")
        ]
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
        page_published.send(sender=ProjectPage, instance=page, revision=revision)


def _write(
    rows: list[Row], lookup: _Lookup, report: ImportReport, user
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
        _create(index, created_pages, user)
    return written, created_pages


def import_projects(data: bytes | str, *, dry_run: bool = False, user=None) -> ImportReport:
    """Check every row of the CSV ``data``, then (unless ``dry_run``) write them all.

    Raises :class:`ImportFileError` when the file as a whole cannot be used; problems
    with single rows are listed in ``report.errors`` and nothing is written.
    """
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    lookup = _Lookup()
    try:
        rows = read_rows(_decode(data), lookup, report)
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: {error}.") from None
    if report.errors:
        return report
    with transaction.atomic():
        with _indexing_deferred():
            written, created = _write(rows, lookup, report, user)
        _index(written, created)
    if written:
        _analyse(written)
    report.seconds = time.monotonic() - started
    return report


def _analyse(pages: list[ProjectPage]) -> None:
    """On PostgreSQL, refresh the planner's statistics of the tables a large import grew.

    Autovacuum does it within a minute or so; until then the planner may think the
    tables hold what they held before (a nested loop over thousands of projects where a
    hash join was needed), and those are the first visitors after a launch."""
    if connection.vendor != "postgresql" or len(pages) < 100:
        return
    tables = [Page, ProjectPage, IndexEntry] + [
        ProjectPage._meta.get_field(name).remote_field.through for name in RELATIONS
    ]
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
