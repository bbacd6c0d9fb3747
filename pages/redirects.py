"""Import the old site's addresses as Wagtail redirects.

The CSV has a header row and two columns: ``old_path`` (an address on the old WordPress
site, e.g. ``/about-us/``) and ``new_path`` (a page of this site, e.g. ``/about/``, or a
full ``https://`` address elsewhere). A new path that is a page of the site becomes a
redirect *to that page*, so it keeps working if editors later move or rename the page.

Every row is checked first; if any row is wrong nothing is imported and each error is
reported with its line number. Importing the same file again updates, never duplicates.
Wagtail's own importer (Settings → Redirects → Import, or ``manage.py import_redirects``)
suits files whose targets are full URLs.
"""

import csv
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site


class RedirectImportError(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class RedirectImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _target(new: str, site: Site):
    """(page, link) for ``new``, or raise ValueError with a reason an editor understands."""
    if new.startswith(("http://", "https://")):
        try:
            URLValidator()(new)
        except ValidationError as exc:
            raise ValueError(f"{new!r} is not a valid web address") from exc
        return None, new
    if not new.startswith("/"):
        raise ValueError(f"the new path {new!r} must start with / or https://")
    path = urlsplit(new).path
    url_path = site.root_page.url_path + path.strip("/") + ("/" if path.strip("/") else "")
    page = Page.objects.filter(url_path=url_path).live().first()
    if page is None:
        raise ValueError(f"no live page at {new!r}")
    return page, ""


def import_redirects(lines, site: Site, dry_run: bool = False) -> RedirectImportReport:
    """Create or update a permanent redirect for each row of ``lines`` (an open CSV file)."""
    reader = csv.reader(lines)
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:2] != ["old_path", "new_path"]:
        raise RedirectImportError(["line 1: the header must be: old_path,new_path"])
    errors: list[str] = []
    rows: list[tuple[str, Page | None, str]] = []
    seen: dict[str, int] = {}
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            errors.append(f"line {line_number}: expected 2 columns, found {len(row)}")
            continue
        old, new = (cell.strip() for cell in row)
        if not old.startswith("/"):
            errors.append(f"line {line_number}: the old path {old!r} must start with /")
            continue
        old_path = Redirect.normalise_path(old)
        if old_path in seen:
            errors.append(f"line {line_number}: {old!r} is already on line {seen[old_path]}")
            continue
        seen[old_path] = line_number
        try:
            page, link = _target(new, site)
        except ValueError as exc:
            errors.append(f"line {line_number}: {exc}")
            continue
        if page is not None and Redirect.normalise_path(page.url_path) == old_path:
            errors.append(f"line {line_number}: {old!r} would redirect to itself")
            continue
        rows.append((old_path, page, link))
    if errors:
        raise RedirectImportError(errors)

    report = RedirectImportReport()
    with transaction.atomic():
        for old_path, page, link in rows:
            _, created = Redirect.objects.update_or_create(
                old_path=old_path,
                site=site,
                defaults={
                    "redirect_page": page,
                    "redirect_link": link,
                    "is_permanent": True,
                },
            )
            (report.created if created else report.updated).append(old_path)
        if dry_run:
            transaction.set_rollback(True)
    return report
