"""Reading and checking a CSV of projects: the first half of an import
(``partnerships/importers.py`` writes what this accepts).

Every row is checked before anything is written; a problem with one row is a line
error in the report, a file that cannot be used at all an :class:`ImportFileError`.

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
start_month        no        1-12 or a month's name, with start_year
end_month          no        1-12 or a month's name, with end_year
budget             no        the whole budget, e.g. 250000 or 250,000.00
=================  ========  ======================================================
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.validators import validate_slug
from django.utils.text import slugify

from partnerships.models import Country, ProgrammePage
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
    "start_month",
    "end_month",
    "budget",
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
    start_month: int | None = None
    end_month: int | None = None
    budget: Decimal | None = None


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


MONTH_NAMES = {
    name.casefold(): n
    for names in (calendar.month_name, calendar.month_abbr)
    for n, name in enumerate(names)
    if name
}
MAX_BUDGET = Decimal(10**11)


def _month(value: str, column: str, errors: list[str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    month = int(value) if value.isdigit() else MONTH_NAMES.get(value.casefold())
    if month is None or not 1 <= month <= 12:
        errors.append(f"{column} “{value[:20]}” is not a month (1 to 12, or its name)")
        return None
    return month


def _budget(value: str, errors: list[str]) -> Decimal | None:
    value = value.strip().lstrip("£").replace(",", "").strip()
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_BUDGET:
        errors.append(f"budget “{value[:20]}” is not an amount such as 250000 or 250,000.00")
        return None
    return amount.quantize(Decimal("0.01"))


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”."
        ) from None


class Lookup:
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


def read_rows(text: str, lookup: Lookup, report: ImportReport) -> list[Row]:
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
        start_month = _month(cells["start_month"], "start_month", errors)
        end_month = _month(cells["end_month"], "end_month", errors)
        if start_month and not start_year:
            errors.append("start_month needs a start_year")
        if end_month and not end_year:
            errors.append("end_month needs an end_year")
        if start_year == end_year and start_month and end_month and end_month < start_month:
            errors.append("end_month is before start_month")
        budget = _budget(cells["budget"], errors)
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
                start_month=start_month,
                end_month=end_month,
                budget=budget,
            )
        )
    if report.rows == 0 and not report.errors:
        raise ImportFileError("The file has a header line but no projects.")
    return rows
