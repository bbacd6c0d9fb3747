"""Reading and checking a CSV of projects: the first half of an import
(``partnerships/importers.py`` writes what this accepts).

Every row is checked before anything is written; a problem with one row is a line
error in the report, a file that cannot be used at all an :class:`ImportFileError`.

The columns are declared once each, in ``COLUMN_SPECS``: the name the sample file and the
README use, the other headers it is known by (the open data download's, e.g. "Country
codes (ISO 3166)"), the project field it fills and how a cell is read. A new field is one
more entry there (and, if it is a new kind of value, one more ``parse_*`` function).

The rules (docs/importing.md says the same for editors):

* A row whose slug (or URL) names an existing project updates it, and only with what the
  row says: a column the file leaves out, or a blank cell, keeps that field as it is. A
  field is cleared in the page editor, never by an empty cell.
* A row that names no existing project creates one; it needs a title and a summary.
* Two columns that fill one field (country codes and country names; slug and URL) must
  agree. On an update, when one of them still says what the project has and the other is
  new, the new one is what was edited and wins.
* Whatever the row sets is compared with the project first: only fields that differ are
  changes (listed, before and after, in the report); a row that changes nothing is
  "unchanged" and not written.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.text import slugify

from partnerships.models import (
    Country,
    HealthTheme,
    PartnerOrganisation,
    ProgrammePage,
    ProjectIndexPage,
    ProjectPage,
)
from partnerships.worldmap import country_choices
from thet_site.csvsafe import FORMULA_STARTS, unneutralise

NAME_SEPARATOR = ";"  # between several names in one cell
SEPARATOR = NAME_SEPARATOR  # (the name other modules used)
FILE_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
MAX_ROWS = 5000
MAX_TITLE = 255
MAX_NAME = 160
YEAR_RANGE = (1950, 2100)
# A cell that starts with one of these is run as a formula by spreadsheets when the data
# is exported again (CSV injection): refused with a line error rather than stored, unless
# it carries the "'" that the site's own downloads put before such a cell: the one list
# of such starts is csvsafe's (FORMULA_STARTS).
BLANK = "(blank)"


class ImportFileError(Exception):
    """The file cannot be read as a CSV of projects at all."""


class CellError(ValueError):
    """A cell that cannot be used; the message may say ``{column}``, which becomes the
    column's name as the file's first line gives it."""


# --- the report ---------------------------------------------------------------------------


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


# What a long import reports as it goes (the background imports' progress bar): the step
# how many rows or projects it has done and of how many (0: not known yet), e.g.
# ``progress(WRITING, 1200, 4999)``.
Progress = Callable[[str, int, int], None]
CHECKING, WRITING, INDEXING = "checking", "writing", "indexing"


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
    # Slug -> the project's title, and slug -> its changes (field, before, after), for the
    # created and updated projects.
    titles: dict[str, str] = field(default_factory=dict)
    changes: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # How the file was read, e.g. "UTF-8 with BOM" and "semicolon".
    encoding: str = ""
    separator: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def _verb(self, n: int) -> str:
        if self.dry_run:
            return "would be"
        return "was" if n == 1 else "were"

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was imported: {count(len(self.errors), 'problem')} found in "
                f"{count(self.rows, 'row')}."
            )
        created, added = len(self.created), len(self.new_snippets)
        return (
            f"{count(self.rows, 'row')} checked: {count(created, 'project')} "
            f"{self._verb(created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; "
            f"{count(added, 'new theme, partner or country', 'new themes, partners or countries')}"
            f" {self._verb(added)} added."
        )

    def updates(self) -> list[dict]:
        """Each updated project with its changes, in file order (for the reports)."""
        return [
            {"slug": slug, "title": self.titles.get(slug, slug), "changes": self.changes[slug]}
            for slug in self.updated
        ]


# --- what is already there ----------------------------------------------------------------


class Ref(NamedTuple):
    """One country, theme or partner named in a cell: its name, and an ISO country code
    (a country's own; a partner's, when the cell gave one as "Name (Country)")."""

    name: str
    code: str | None = None


class Lookup:
    """The project listing, its projects, programmes, countries, themes and partners: read
    once (a fixed number of queries), so that checking the rows runs no query at all."""

    def __init__(self):
        self.index = ProjectIndexPage.objects.first()
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
        self.themes = {}
        for theme in HealthTheme.objects.all():
            self.themes[theme.name.casefold()] = self.themes[theme.slug] = theme
        self.partners = {}
        for partner in PartnerOrganisation.objects.all():
            self.partners[partner.name.casefold()] = self.partners[partner.slug] = partner
        self.projects: dict[str, ProjectPage] = {}
        if self.index is not None:
            projects = (
                ProjectPage.objects.child_of(self.index)
                .select_related("programme")
                .prefetch_related(*RELATION_FIELDS)
            )
            self.projects = {page.slug: page for page in projects}

    def country_code(self, value: str) -> str | None:
        """ISO code for a country name or code, from our countries or the map's list."""
        key = value.casefold()
        if key in self.country_codes:
            return self.country_codes[key]
        if value.upper() in self.countries or value.upper() in self.map_codes:
            return value.upper()
        return self.map_names.get(key)

    def theme(self, name: str) -> HealthTheme | None:
        return self.themes.get(name.casefold()) or self.themes.get(slugify(name))

    def partner(self, name: str) -> PartnerOrganisation | None:
        return self.partners.get(name.casefold()) or self.partners.get(slugify(name))

    def existing(self, relation: str, ref: Ref):
        """The country, theme or partner ``ref`` names in ``relation``, if there is one."""
        if relation == "countries":
            return self.countries.get(ref.code)
        if relation == "themes":
            return self.theme(ref.name)
        return self.partner(ref.name)


# --- reading one cell ---------------------------------------------------------------------


def names(value: str) -> list[str]:
    """Split a ";"-separated cell into names, dropping blanks and repeats (in order)."""
    seen: dict[str, str] = {}
    for part in value.split(NAME_SEPARATOR):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def parse_text(value: str, lookup: Lookup) -> str:
    return value


def parse_title(value: str, lookup: Lookup) -> str:
    title = " ".join(value.split())
    if len(title) > MAX_TITLE:
        raise CellError(f"{{column}} is longer than {MAX_TITLE} characters")
    return title


def parse_slug(value: str, lookup: Lookup) -> str:
    try:
        validate_slug(value)
    except ValidationError:
        raise CellError(
            f"{{column}} “{value[:40]}” may only use letters, numbers and hyphens"
        ) from None
    return value


def parse_url(value: str, lookup: Lookup) -> str:
    """The slug in a project's address, e.g. https://…/our-work/projects/<slug>/ (the
    open data download's URL column); the host does not matter, so a file downloaded from
    one copy of the site imports into another."""
    parts = [part for part in urlsplit(value).path.split("/") if part]
    listing = lookup.index.slug if lookup.index is not None else "projects"
    if len(parts) < 2 or parts[-2] != listing:
        raise CellError(
            f"{{column}} “{value[:80]}” is not a project's address (…/{listing}/<slug>/)"
        )
    return parse_slug(parts[-1], lookup)


def parse_programme(value: str, lookup: Lookup) -> ProgrammePage:
    programme = lookup.programmes.get(value.casefold())
    if programme is None:
        raise CellError(f"there is no programme called “{value[:60]}”; create its page first")
    return programme


def parse_year(value: str, lookup: Lookup) -> int:
    if not re.fullmatch(r"\d{4}", value) or not YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]:
        raise CellError(f"{{column}} “{value[:20]}” is not a year such as 2012")
    return int(value)


MONTH_NAMES = {
    name.casefold(): n
    for names in (calendar.month_name, calendar.month_abbr)
    for n, name in enumerate(names)
    if name
}
MAX_BUDGET = Decimal(10**11)


def parse_month(value: str, lookup: Lookup) -> int:
    """A month as 1 to 12 or its name ("April", "Apr")."""
    month = int(value) if value.isdigit() else MONTH_NAMES.get(value.casefold())
    if month is None or not 1 <= month <= 12:
        raise CellError(f"{{column}} “{value[:20]}” is not a month (1 to 12, or its name)")
    return month


def parse_budget(value: str, lookup: Lookup) -> Decimal:
    """An amount in pounds: 250000, 250,000.00 or £250,000."""
    cleaned = value.lstrip("£").replace(",", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_BUDGET:
        raise CellError(f"{{column}} “{value[:20]}” is not an amount such as 250000 or 250,000.00")
    return amount.quantize(Decimal("0.01"))


def parse_countries(value: str, lookup: Lookup, *, codes_only: bool = False) -> list[Ref]:
    refs, problems = [], []
    for name in names(value):
        code = lookup.country_code(name)
        if code is not None and codes_only and name.upper() != code:
            code = None
        if code is None:
            problems.append(f"“{name[:60]}” is not a country we know; check the spelling")
        elif code not in {ref.code for ref in refs}:
            refs.append(Ref(lookup.map_codes.get(code, name), code))
    if problems:
        raise CellError("; ".join(problems))
    return refs


def parse_country_codes(value: str, lookup: Lookup) -> list[Ref]:
    return parse_countries(value, lookup, codes_only=True)


def parse_names(value: str, lookup: Lookup) -> list[Ref]:
    refs = [Ref(name) for name in names(value)]
    if any(len(ref.name) > MAX_NAME for ref in refs):
        raise CellError(f"a name in {{column}} is longer than {MAX_NAME} characters")
    return refs


PLACE = re.compile(r"(?P<name>.+?)\s*\((?P<place>[^()]+)\)")


def parse_partners(value: str, lookup: Lookup) -> list[Ref]:
    """Partner names; each may end with its country in brackets, as the open data download
    writes them ("Mirembe Hospital (Tanzania)"). A name that is a partner's whole name as
    it stands is taken as it is, brackets and all; otherwise a bracketed country we know is
    the partner's country (used when the partner is new) and not part of its name."""
    refs = []
    for ref in parse_names(value, lookup):
        match = PLACE.fullmatch(ref.name)
        if lookup.partner(ref.name) is None and match:
            code = lookup.country_code(match["place"].strip())
            if code is not None:
                ref = Ref(match["name"].strip(), code)
        refs.append(ref)
    return refs


# --- the columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column an import file may have.

    ``field``: the ``ProjectPage`` field it fills (None: read and ignored, e.g. "last
    updated"); ``parse``: turns a non-blank cell into the field's value, or raises
    :class:`CellError`; ``headers``: other names the column is known by (compared as
    :func:`header_key` makes them); ``new_needs``: a new project must have it.
    """

    name: str
    help: str
    field: str | None
    parse: Callable[[str, Lookup], Any] = parse_text
    headers: tuple[str, ...] = ()
    label: str = ""
    names: bool = False  # several names separated by ";"
    new_needs: bool = False


COLUMN_SPECS: tuple[Column, ...] = (
    Column(
        "title",
        "The project's title. Needed for a new project.",
        "title",
        parse_title,
        label="Title",
        new_needs=True,
    ),
    Column(
        "summary",
        "Two or three sentences, shown in listings. Needed for a new project.",
        "summary",
        label="Summary",
        new_needs=True,
    ),
    Column(
        "slug",
        "Its address, /our-work/projects/<slug>/; made from the title when blank. "
        "This is how a row finds the project it updates.",
        "slug",
        parse_slug,
        label="Slug",
    ),
    Column(
        "url",
        "Or the project's whole address, as in the listing's download "
        "(https://…/our-work/projects/<slug>/): the slug is read from it.",
        "slug",
        parse_url,
        headers=("address", "link"),
        label="URL",
    ),
    Column(
        "programme",
        "Title or slug of an existing programme, e.g. Health Partnership Scheme.",
        "programme",
        parse_programme,
        label="Programme",
    ),
    Column(
        "countries",
        "Country names or ISO codes, separated by ; (e.g. Tanzania; Uganda).",
        "countries",
        parse_countries,
        label="Countries",
        names=True,
    ),
    Column(
        "country_codes",
        "Or two-letter ISO codes only, separated by ; (e.g. TZ; UG).",
        "countries",
        parse_country_codes,
        headers=("country_codes_iso_3166", "iso_codes"),
        label="Countries",
        names=True,
    ),
    Column(
        "health_themes",
        "Health theme names, separated by ;",
        "themes",
        parse_names,
        headers=("themes",),
        label="Health themes",
        names=True,
    ),
    Column(
        "uk_partners",
        "UK partner organisation names, separated by ; (a country in brackets after a "
        "name, as the download writes it, is allowed).",
        "uk_partners",
        parse_partners,
        label="UK partners",
        names=True,
    ),
    Column(
        "overseas_partners",
        "Overseas partner names, separated by ; (names may contain commas; a country in "
        "brackets after a name is the partner's country).",
        "overseas_partners",
        parse_partners,
        label="Overseas partners",
        names=True,
    ),
    Column(
        "start_year", "Four-digit year, e.g. 2012.", "start_year", parse_year, label="Start year"
    ),
    Column(
        "end_year",
        "Four-digit year, e.g. 2016. Left blank, an existing project keeps its end year.",
        "end_year",
        parse_year,
        label="End year",
    ),
    Column(
        "start_month",
        "Optional: the month it began, 1 to 12 or its name (e.g. April), with a start year.",
        "start_month",
        parse_month,
        label="Start month",
    ),
    Column(
        "end_month",
        "Optional: the month it ended or is planned to end, with an end year.",
        "end_month",
        parse_month,
        label="End month",
    ),
    Column(
        "budget",
        "Optional: the whole budget in pounds, e.g. 250000 or 250,000.00.",
        "budget",
        parse_budget,
        label="Budget",
    ),
    Column(
        "iati_identifier",
        "Ignored: the site gives each project its IATI identifier and never changes it.",
        None,
    ),
    Column(
        "last_updated",
        "Ignored (the download's date of the last change; the site keeps it itself).",
        None,
        headers=("last_published", "updated"),
    ),
)
COLUMNS = tuple(column.name for column in COLUMN_SPECS)
# A new project needs these; a file that only updates projects may leave them out.
REQUIRED_COLUMNS = tuple(column.name for column in COLUMN_SPECS if column.new_needs)
RELATION_FIELDS = ("countries", "themes", "uk_partners", "overseas_partners")


def header_key(name: str) -> str:
    """A header as the columns are matched: "Country codes (ISO 3166)" is
    ``country_codes_iso_3166``, "Health themes" ``health_themes``."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


HEADERS: dict[str, Column] = {}
for _column in COLUMN_SPECS:
    for _name in (_column.name, *_column.headers):
        HEADERS[header_key(_name)] = _column


# --- comparing with what a project has ----------------------------------------------------


@functools.cache
def _field_kind(name: str) -> str:
    model_field = ProjectPage._meta.get_field(name)
    if model_field.many_to_many:
        return "relation"
    if model_field.many_to_one:
        return "page"
    return "text" if model_field.get_internal_type() in ("CharField", "TextField") else "value"


def _key(lookup: Lookup, name: str, value):
    """What two values of field ``name`` are compared by."""
    kind = _field_kind(name)
    if kind == "relation":
        keys = set()
        for item in value:
            if isinstance(item, Ref):
                found = lookup.existing(name, item)
                keys.add(found.pk if found is not None else ("new", item.name.casefold()))
            else:
                keys.add(item.pk)
        return frozenset(keys)
    if kind == "page":
        return value.pk if value is not None else None
    if kind == "text":
        return " ".join((value or "").split())  # spaces and line ends alone are no edit
    return value


def _shown(lookup: Lookup, name: str, value) -> str:
    """A value of field ``name`` as the report shows it."""
    kind = _field_kind(name)
    if kind == "relation":
        shown = []
        for item in value:
            if isinstance(item, Ref):
                found = lookup.existing(name, item)
                shown.append(found.name if found is not None else f"{item.name} (new)")
            else:
                shown.append(item.name)
        return "; ".join(sorted(shown, key=str.casefold)) or BLANK
    if value is None or value == "":
        return BLANK
    return value.title if kind == "page" else str(value)


def _current(page: ProjectPage, name: str):
    if _field_kind(name) == "relation":
        return list(getattr(page, name).all())  # (prefetched)
    return getattr(page, name)


# --- the rows -----------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    slug: str
    title: str
    page: ProjectPage | None  # the project it updates; None for a new one
    # field -> value to write: for a new project every field the row gives, for an
    # existing one only those that differ from what it has.
    values: dict[str, Any]
    changes: list[tuple[str, str, str]]  # (field's label, before, after)


def decode(data: bytes | str) -> tuple[str, str]:
    """The file's text and what it was read as ("UTF-8", "UTF-8 with BOM", …)."""
    if isinstance(data, str):
        return data, "text"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:  # Excel's "Unicode text": UTF-16, tab-separated
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8-sig"), "UTF-8 with BOM" if bom else "UTF-8"
    except UnicodeDecodeError as error:
        if b"\x00" in data[:4096]:
            found = "it holds binary data (a spreadsheet or an image rather than a CSV file?)"
        else:
            line = data[: error.start].count(b"\n") + 1
            found = (
                f"line {line} has a byte (0x{data[error.start]:02X}) that UTF-8 does not use, "
                "so it was probably saved as Windows-1252 or Latin-1 (Excel's plain “CSV”)"
            )
        raise ImportFileError(
            f"The file is not UTF-8 text: {found}. In Excel use Save As, “CSV UTF-8”."
        ) from None


def _first_record(text: str, separator: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), [])


def read_header(text: str, encoding: str = "UTF-8") -> tuple[str, list[Column | None]]:
    """The file's separator (comma, semicolon or tab: whichever gives the most column
    names we know) and its columns (None for an unnamed one)."""
    if "\x00" in text.partition("\n")[0]:
        raise ImportFileError("Line 1 contains a NUL character: is this really a CSV file?")
    if not text.strip():
        raise ImportFileError("The file is empty: the first line must name the columns.")

    def known(separator):
        record = _first_record(text, separator)
        return sum(header_key(name) in HEADERS for name in record), len(record)

    separator = max(FILE_SEPARATORS, key=known)
    record = _first_record(text, separator)
    how = f"read as {FILE_SEPARATORS[separator]}-separated {encoding}"
    expected = f"The columns are: {', '.join(COLUMNS)}."
    unknown = [name.strip() for name in record if name.strip() and header_key(name) not in HEADERS]
    if unknown:
        shown = ", ".join(f"“{name[:40]}”" for name in unknown[:5])
        raise ImportFileError(
            f"Line 1 ({how}): unknown column{'s' if len(unknown) > 1 else ''} {shown}. {expected}"
        )
    columns = [HEADERS.get(header_key(name)) if name.strip() else None for name in record]
    seen = set()
    for column in filter(None, columns):
        if column.name in seen:
            raise ImportFileError(
                f"Line 1 ({how}): the column {column.name} is there twice. {expected}"
            )
        seen.add(column.name)
    if not seen & {"title", "slug", "url"}:
        raise ImportFileError(
            f"Line 1 ({how}): there is no title, slug or url column to say which project "
            f"each row is. {expected}"
        )
    return separator, columns


def _unsafe(header: str, column: Column, raw: str) -> tuple[str, str | None]:
    """The cell's value, and an error for text that must never be stored: a NUL character
    (the database refuses it) and text a spreadsheet would run as a formula (each name of a
    ";" list too), unless it carries the "'" with which the site's downloads protect it."""
    if "\x00" in raw:
        return raw, f"{header} contains a NUL character (a damaged or non-text file?)"
    value = unneutralise(raw)
    protected = value != raw
    parts = value.split(NAME_SEPARATOR) if column.names else [value]
    starts = {part.strip()[:1] for part in parts[1 if protected else 0 :]}
    starts &= set(FORMULA_STARTS)
    if starts:
        return value, (
            f"{header} starts with “{min(starts)}”, which spreadsheets run as a formula; "
            "remove it or reword the start"
        )
    return value, None


def _choose(lookup, page, name, given, errors):
    """The value for field ``name`` from the columns that gave one (``given``: header,
    value); None when they disagree (and an error is added)."""
    distinct = {}
    for header, value in given:
        distinct.setdefault(_key(lookup, name, value), (header, value))
    if len(distinct) == 1:
        return next(iter(distinct.values()))[1]
    if page is not None:
        current = _key(lookup, name, _current(page, name))
        edited = [choice for key, choice in distinct.items() if key != current]
        if len(edited) == 1:
            return edited[0][1]
    headers = [header for header, _ in distinct.values()]
    errors.append(f"{' and '.join(headers)} disagree; correct one of them or remove a column")
    return None


def read_rows(
    text: str,
    lookup: Lookup,
    report: ImportReport,
    encoding: str = "UTF-8",
    progress: Progress | None = None,
):
    """The rows of ``text`` that are right, each compared with the project it updates;
    every problem goes into ``report.errors``, with its line number. ``progress`` is told
    how many rows have been read (see :data:`Progress`)."""
    separator, columns = read_header(text, encoding)
    report.encoding, report.separator = encoding, FILE_SEPARATORS[separator]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    headers = [name.strip() for name in next(reader)]

    rows: list[Row] = []
    slugs: dict[str, int] = {}
    line = 2
    for record in reader:
        start, line = line, reader.line_num + 1
        if len(rows) + len(report.errors) >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS} rows; split it up.")
        if any(cell.strip() for cell in record[len(columns) :]):
            report.rows += 1
            report.errors.append(f"Line {start}: more cells than there are columns")
            continue
        cells = [
            (header, column, cell.strip())
            for header, column, cell in zip(headers, columns, record, strict=False)
            if column is not None and column.field is not None and cell.strip()
        ]
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        report.rows += 1
        if progress is not None:
            progress(CHECKING, report.rows, 0)
        checked = [(header, column, *_unsafe(header, column, raw)) for header, column, raw in cells]
        errors: list[str] = [problem for *_, problem in checked if problem]
        if errors:  # (the other checks would only repeat the bad text)
            report.errors.extend(f"Line {start}: {error}" for error in errors)
            continue
        values: dict[str, list] = {}
        for header, column, value, _ in checked:
            try:
                parsed = column.parse(value, lookup)
            except CellError as error:
                errors.append(str(error).replace("{column}", header))
                continue
            values.setdefault(column.field, []).append((header, parsed))
        given = {column.field for _, column, _ in cells}

        if "slug" in given:  # a slug column, a URL column, or both (which must agree)
            slug = _choose(lookup, None, "slug", values.pop("slug", []), errors)
        else:
            slug = slugify(values["title"][0][1])[:80].strip("-") if "title" in values else ""
        page = lookup.projects.get(slug) if slug else None
        chosen = {}
        for name, candidates in values.items():
            value = _choose(lookup, page, name, candidates, errors)
            if value is not None:
                chosen[name] = value
        if not slug and not given & {"slug", "title"}:
            errors.append("there is no slug, URL or title to say which project this is")
        elif slug in slugs:
            errors.append(f"slug “{slug}” is also used on line {slugs[slug]}")
        if slug:
            slugs.setdefault(slug, start)
        if page is None and slug:
            for column in COLUMN_SPECS:
                if column.new_needs and column.field not in given:
                    errors.append(f"{column.name} is empty: a new project needs one")

        def effective(name, page=page, chosen=chosen):
            if name in chosen:
                return chosen[name]
            return getattr(page, name) if page is not None else None

        start_year, end_year = effective("start_year"), effective("end_year")
        if start_year and end_year and end_year < start_year:
            errors.append(f"the end year ({end_year}) is before the start year ({start_year})")
        start_month, end_month = effective("start_month"), effective("end_month")
        if start_month and not start_year:
            errors.append("start_month needs a start_year")
        if end_month and not end_year:
            errors.append("end_month needs an end_year")
        if start_year == end_year and start_month and end_month and end_month < start_month:
            errors.append("end_month is before start_month")
        if errors:
            report.errors.extend(f"Line {start}: {error}" for error in errors)
            continue

        changes = []
        if page is not None:
            for name in list(chosen):
                before = _current(page, name)
                if _key(lookup, name, before) == _key(lookup, name, chosen[name]):
                    del chosen[name]  # the same: not written, not a change
                    continue
                label = next(c.label for c in COLUMN_SPECS if c.field == name)
                changes.append(
                    (label, _shown(lookup, name, before), _shown(lookup, name, chosen[name]))
                )
            if not page.live:
                changes.append(("Status", "not published", "published"))
        rows.append(
            Row(
                line=start,
                slug=slug,
                title=chosen.get("title") or (page.title if page else ""),
                page=page,
                values=chosen,
                changes=changes,
            )
        )
    if report.rows == 0 and not report.errors:
        raise ImportFileError("The file has a header line but no projects.")
    return rows
