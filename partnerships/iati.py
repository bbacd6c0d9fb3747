"""The projects as IATI activities (IATI Standard 2.03): ``/our-work/projects/data.xml``,
and what an editor must fix for a project's activity to say everything.

``activities_xml`` writes the file; ``problems`` lists what a project lacks. Both read
the same facts the same way (``Activity``), so what the readiness report and the editor's
panel say is exactly what the file does. Every live project gives a valid activity,
whatever it lacks: where the Standard requires something the project does not have,
the activity says so through a documented fallback (README.md, "Open data"):

===========================  =================================================
missing                      the activity has
===========================  =================================================
start year                   a planned start on 1 January of the programme's
                             start year (else of the year it was first
                             published), with a narrative saying so
country                      ``recipient-region`` 998 (developing countries,
                             unspecified), 100%
a theme with a DAC sector    the programme's default sector, else the site's
                             (Settings → IATI data)
===========================  =================================================

No model is imported here (models → listings → this module): the caller hands in the
projects (with ``programme`` and the four relations already fetched) and the settings.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from lxml import etree

from partnerships import iati_codes as codes

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RELATIONS = ("countries", "themes", "uk_partners", "overseas_partners")
# The fields of a project and of its programme that the file and the readiness report read.
PROJECT_FIELDS = (
    "id", "title", "slug", "summary", "live", "programme", "start_year", "start_month",
    "end_year", "end_month", "budget", "iati_identifier", "first_published_at",
    "last_published_at", "url_path", "path", "depth",
)  # fmt: skip
PROGRAMME_FIELDS = (
    "title", "funder", "funder_ref", "funder_type", "thet_role", "iati_parent_activity",
    "default_sector", "start_year", "end_year",
)  # fmt: skip
# Characters XML 1.0 cannot carry (C0 controls but tab, newline and carriage return).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Facts:
    """A project's countries, health themes and partners, as the file reads them (see
    ``partnerships.listings.iati_facts``, which fetches them for many projects at once)."""

    countries: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    uk_partners: list = field(default_factory=list)
    overseas_partners: list = field(default_factory=list)

    @classmethod
    def of(cls, project) -> Facts:
        """Read from the project's own relations (one project: the editor's panel)."""
        return cls(**{relation: list(getattr(project, relation).all()) for relation in RELATIONS})


@dataclass
class Problem:
    """Something a project's activity lacks: ``message`` for people, ``target`` the
    object to edit to fix it (the project, a theme, a partner, the programme)."""

    message: str
    target: object


def identifier(project, settings) -> str:
    """The project's IATI identifier: the one fixed at its first publication, else (a
    project written in bulk, not yet saved one by one) the same rule's value."""
    return project.iati_identifier or settings.activity_identifier(project.pk)


def month_start(year: int, month: int | None) -> datetime.date:
    return datetime.date(year, month or 1, 1)


def month_end(year: int, month: int | None) -> datetime.date:
    month = month or 12
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class Activity:
    """One project's facts as the Standard wants them, and the fallbacks it needs."""

    def __init__(self, project, settings, today: datetime.date, facts: Facts | None = None):
        self.project = project
        self.settings = settings
        self.today = today
        self.programme = project.programme
        facts = facts if facts is not None else Facts.of(project)
        self.countries = sorted(facts.countries, key=lambda c: c.iso_code)
        self.themes = sorted(facts.themes, key=lambda t: t.name)
        self.partners = sorted(facts.uk_partners, key=lambda p: p.name) + sorted(
            facts.overseas_partners, key=lambda p: p.name
        )

    @property
    def identifier(self) -> str:
        return identifier(self.project, self.settings)

    # --- dates ------------------------------------------------------------------------

    @property
    def start(self) -> datetime.date | None:
        p = self.project
        return month_start(p.start_year, p.start_month) if p.start_year else None

    @property
    def end(self) -> datetime.date | None:
        """The end date; none when it would come before the start (data saved before the
        editor's check: the Standard's rules forbid an end before the start)."""
        p = self.project
        end = month_end(p.end_year, p.end_month) if p.end_year else None
        start = self.start
        return None if end is not None and start is not None and end < start else end

    def fallback_start(self) -> tuple[datetime.date, str]:
        """A planned start for a project without one, and where it comes from."""
        if self.programme is not None and self.programme.start_year:
            year = self.programme.start_year
            return datetime.date(year, 1, 1), f"the programme's start ({year})"
        published = self.project.first_published_at
        year = published.year if published else self.today.year
        return datetime.date(year, 1, 1), f"the year it was first published ({year})"

    def dates(self) -> list[tuple[str, datetime.date, str]]:
        """(type, date, narrative) of each activity-date: actual once the date is past,
        planned before (an actual date may not be in the future)."""
        start, end = self.start, self.end
        dates = []
        if start is None:
            date, source = self.fallback_start()
            dates.append((codes.DATE_PLANNED_START, date, f"Start date not recorded: {source}."))
        elif start <= self.today:
            dates.append((codes.DATE_ACTUAL_START, start, ""))
        else:
            dates.append((codes.DATE_PLANNED_START, start, ""))
        if end is not None:
            kind = codes.DATE_ACTUAL_END if end < self.today else codes.DATE_PLANNED_END
            dates.append((kind, end, ""))
        return dates

    def status(self) -> str:
        start, end = self.start, self.end
        if end is not None and end < self.today:
            return codes.STATUS_CLOSED
        if start is not None and start > self.today:
            return codes.STATUS_PIPELINE
        programme_end = self.programme.end_year if self.programme else None
        if end is None and programme_end and programme_end < self.today.year:
            return codes.STATUS_CLOSED
        return codes.STATUS_IMPLEMENTATION

    # --- where and what ---------------------------------------------------------------

    def sectors(self) -> list[str]:
        """The DAC codes of the project's themes (each once), else the fallback's."""
        found = list(dict.fromkeys(t.dac_sector for t in self.themes if t.dac_sector))
        if found:
            return found
        if self.programme is not None and self.programme.default_sector:
            return [self.programme.default_sector]
        return [self.settings.default_sector or "12281"]

    def budgets(self) -> list[tuple[datetime.date, datetime.date, Decimal]]:
        """The budget spread evenly by month over periods of at most a year (the
        Standard's rule for a budget period), from the start month to the end month."""
        amount, start, end = self.project.budget, self.start, self.end
        if amount is None or start is None or end is None or end < start:
            return []
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        periods, first = [], 0
        while first < months:
            length = min(12, months - first)
            begin = _add_months(start, first)
            finish = month_end(*_year_month(_add_months(start, first + length - 1)))
            periods.append((begin, finish, length))
            first += length
        cent = Decimal("0.01")
        values = [
            (Decimal(amount) * length / months).quantize(cent, rounding=ROUND_HALF_UP)
            for _, _, length in periods
        ]
        values[-1] += Decimal(amount) - sum(values)  # so they add up to the budget
        return [(b, f, v) for (b, f, _), v in zip(periods, values, strict=True)]


def _add_months(date: datetime.date, months: int) -> datetime.date:
    year, month = divmod(date.month - 1 + months, 12)
    return datetime.date(date.year + year, month + 1, 1)


def _year_month(date: datetime.date) -> tuple[int, int]:
    return date.year, date.month


# --- the file ---------------------------------------------------------------------------


ATTRIBUTE_NAMES = {
    name: name.replace("_", "-")
    for name in (
        "activity_id", "code", "default_currency", "format", "iso_date",
        "last_updated_datetime", "percentage", "ref", "role", "status", "type", "url",
        "value_date", "vocabulary",
    )
}  # fmt: skip


def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(
        parent, tag, {ATTRIBUTE_NAMES[k]: v for k, v in attributes.items() if v}
    )
    if text is not None:
        element.text = text
    return element


def _narrative(parent, text: str):
    # XML 1.0 cannot carry most control characters: drop them rather than fail.
    etree.SubElement(parent, "narrative").text = NOT_XML.sub("", text).strip() or "-"


def _org(parent, tag: str, name: str, ref: str = "", type: str = "", **attributes):
    element = _sub(parent, tag, ref=ref, type=type, **attributes)
    _narrative(element, name)
    return element


def activity_element(parent, activity: Activity, url: str) -> None:
    project, settings, programme = activity.project, activity.settings, activity.programme
    updated = project.last_published_at or project.first_published_at
    element = _sub(
        parent,
        "iati-activity",
        last_updated_datetime=updated.replace(microsecond=0).isoformat() if updated else "",
        default_currency=settings.default_currency,
    )
    element.set(XML_LANG, settings.default_language)
    _sub(element, "iati-identifier", activity.identifier)
    _org(
        element,
        "reporting-org",
        settings.reporting_org_name,
        settings.reporting_org_ref,
        settings.reporting_org_type,
    )
    _narrative(_sub(element, "title"), project.title)
    _narrative(_sub(element, "description", type="1"), project.summary or project.title)

    if programme is not None and (programme.funder or programme.funder_ref):
        _org(
            element,
            "participating-org",
            programme.funder or programme.funder_ref,
            programme.funder_ref,
            programme.funder_type,
            role=codes.ROLE_FUNDING,
            activity_id=programme.iati_parent_activity,
        )
    _org(
        element,
        "participating-org",
        settings.reporting_org_name,
        settings.reporting_org_ref,
        settings.reporting_org_type,
        role=(programme.thet_role if programme is not None else "") or codes.ROLE_IMPLEMENTING,
    )
    for partner in activity.partners:
        _org(
            element,
            "participating-org",
            partner.name,
            partner.iati_ref,
            partner.iati_type,
            role=codes.ROLE_IMPLEMENTING,
        )

    _sub(element, "activity-status", code=activity.status())
    for kind, date, note in activity.dates():
        date_element = _sub(element, "activity-date", type=kind, iso_date=date.isoformat())
        if note:
            _narrative(date_element, note)

    if activity.countries:
        shares = codes.even_shares(len(activity.countries))
        for country, share in zip(activity.countries, shares, strict=True):
            _sub(element, "recipient-country", code=country.iso_code.upper(), percentage=share)
    else:
        _sub(
            element,
            "recipient-region",
            code=codes.REGION_UNSPECIFIED,
            vocabulary="1",
            percentage="100",
        )
    sectors = activity.sectors()
    for code, share in zip(sectors, codes.even_shares(len(sectors)), strict=True):
        _sub(element, "sector", code=code, vocabulary="1", percentage=share)

    for begin, finish, value in activity.budgets():
        budget = _sub(element, "budget", type="1", status="1")
        _sub(budget, "period-start", iso_date=begin.isoformat())
        _sub(budget, "period-end", iso_date=finish.isoformat())
        _sub(budget, "value", f"{value:.2f}", value_date=begin.isoformat())

    link = _sub(element, "document-link", format="text/html", url=url)
    _narrative(_sub(link, "title"), project.title)
    _sub(link, "category", code=codes.DOCUMENT_WEB_PAGE)
    _sub(link, "language", code=settings.default_language)

    if programme is not None and programme.iati_parent_activity:
        _sub(
            element,
            "related-activity",
            ref=programme.iati_parent_activity,
            type=codes.RELATED_PARENT,
        )


def activities_xml(
    projects, settings, url_of, *, facts: dict | None = None, truncated_note: str = ""
) -> bytes:
    """The ``iati-activities`` file for ``projects`` (programme selected),
    ``url_of(project)`` giving each one's absolute address and ``facts`` their
    ``Facts`` by id (read from each project's relations when not given)."""
    facts = facts or {}
    now = timezone.now().replace(microsecond=0)
    root = etree.Element(
        "iati-activities", {"version": VERSION, "generated-datetime": now.isoformat()}
    )
    if truncated_note:
        root.append(etree.Comment(f" {truncated_note} "))
    today = timezone.localdate()
    for project in projects:
        activity = Activity(project, settings, today, facts.get(project.pk))
        activity_element(root, activity, url_of(project))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- readiness ---------------------------------------------------------------------------


def problems(
    project, settings, today: datetime.date | None = None, facts: Facts | None = None
) -> list[Problem]:
    """What ``project``'s activity lacks or fills in with a fallback, each with the object
    to edit (see the module's table)."""
    activity = Activity(project, settings, today or timezone.localdate(), facts)
    found = []
    if activity.start is None:
        _, source = activity.fallback_start()
        found.append(
            Problem(f"No start year: the file gives {source} as a planned start.", project)
        )
    if activity.end is None:
        if project.end_year:
            found.append(Problem("The end date is before the start: it is left out.", project))
        else:
            found.append(Problem("No end year (planned or actual).", project))
    if not activity.countries:
        found.append(
            Problem(
                "No country: the file says “developing countries, unspecified” instead.", project
            )
        )
    if not activity.themes:
        found.append(
            Problem("No health theme: the file gives the default sector instead.", project)
        )
    for theme in activity.themes:
        if not theme.dac_sector:
            found.append(Problem(f"Health theme “{theme.name}” has no DAC sector.", theme))
    programme = activity.programme
    if programme is None:
        found.append(Problem("No programme, so the file names no funder.", project))
    else:
        if not programme.funder:
            found.append(Problem(f"Programme “{programme.title}” names no funder.", programme))
        if not programme.funder_ref:
            found.append(
                Problem(
                    f"Programme “{programme.title}” has no funder's organisation identifier.",
                    programme,
                )
            )
    for partner in activity.partners:
        if not partner.iati_ref:
            found.append(
                Problem(f"Partner “{partner.name}” has no organisation identifier.", partner)
            )
    if project.budget is not None and not activity.budgets():
        found.append(
            Problem("The budget is not published: it needs a start and an end year.", project)
        )
    return found
