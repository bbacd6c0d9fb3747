"""The IATI codelists and identifier formats the project data uses (IATI Standard 2.03).

Only the codes THET's data needs: organisation types and roles, the DAC 5-digit sectors
(``data/dac_sectors.json``, the IATI Sector codelist's codes and names), and the checks
on organisation and activity identifiers. No model here, so models, forms and the XML
writer (``partnerships/iati.py``) can all import it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

SECTORS_FILE = Path(__file__).parent / "data" / "dac_sectors.json"

# OrganisationType codelist.
ORGANISATION_TYPES = [
    ("10", "Government"),
    ("11", "Local government"),
    ("15", "Other public sector (e.g. an NHS trust)"),
    ("21", "International NGO"),
    ("22", "National NGO"),
    ("23", "Regional NGO"),
    ("24", "Partner country based NGO"),
    ("30", "Public private partnership"),
    ("40", "Multilateral"),
    ("60", "Foundation"),
    ("70", "Private sector"),
    ("71", "Private sector in provider country"),
    ("72", "Private sector in aid recipient country"),
    ("73", "Private sector in third country"),
    ("80", "Academic, training and research"),
    ("90", "Other"),
]

# OrganisationRole codelist.
ROLE_FUNDING = "1"
ROLE_ACCOUNTABLE = "2"
ROLE_EXTENDING = "3"
ROLE_IMPLEMENTING = "4"
ORGANISATION_ROLES = [
    (ROLE_FUNDING, "Funding: provides the money"),
    (ROLE_ACCOUNTABLE, "Accountable: answers for the programme to the funder"),
    (ROLE_EXTENDING, "Extending: manages the funder's money and passes it to partnerships"),
    (ROLE_IMPLEMENTING, "Implementing: carries out the work"),
]

# ActivityStatus, ActivityDateType, the Region codelist's "developing countries,
# unspecified", DocumentCategory's "activity web page", RelatedActivityType "parent".
STATUS_PIPELINE, STATUS_IMPLEMENTATION, STATUS_CLOSED = "1", "2", "4"
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END, DATE_ACTUAL_END = "1", "2", "3", "4"
REGION_UNSPECIFIED = "998"
DOCUMENT_WEB_PAGE = "A12"
RELATED_PARENT = "1"

# An organisation identifier is a registration agency's prefix (country or XI/XM, then
# the agency: GB-CHC, GB-NHS, GB-COH, XI-ROR, XM-DAC...) and the agency's own number.
# The Standard's rules forbid "/", "&", "|" and "?" in identifiers (and spaces break them).
ORG_ID_PATTERN = r"[A-Z]{2}-[A-Z0-9]{2,10}-[^\s/&|?]+"
ACTIVITY_ID_PATTERN = r"[A-Z]{2}-[A-Z0-9]{1,10}(-[^\s/&|?]+)+"

validate_org_id = RegexValidator(
    rf"^{ORG_ID_PATTERN}\Z",
    "Not an IATI organisation identifier: the agency prefix, a hyphen and the number it "
    "gives, e.g. GB-CHC-1113101 (a charity), GB-NHS-RX1 (an NHS trust), GB-COH-01234567 "
    "(a company), XI-ROR-05qghxh33 (a research organisation); no spaces, /, &, | or ?.",
)
validate_activity_id = RegexValidator(
    rf"^{ACTIVITY_ID_PATTERN}\Z",
    "Not an IATI activity identifier: the publisher's organisation identifier, a hyphen "
    "and its own reference, e.g. GB-GOV-1-300123; no spaces, /, &, | or ?.",
)


@cache
def sectors() -> dict[str, str]:
    """The DAC 5-digit sector codes and their names."""
    data = json.loads(SECTORS_FILE.read_text(encoding="utf-8"))
    return dict(data["sectors"])


def sector_choices() -> list[tuple[str, str]]:
    return [("", "No sector")] + [(code, f"{code} {name}") for code, name in sectors().items()]


def validate_sector(value: str) -> None:
    if value and value not in sectors():
        raise ValidationError(f"“{value[:10]}” is not a DAC 5-digit sector code.")


def is_org_id(value: str) -> bool:
    return bool(re.fullmatch(ORG_ID_PATTERN, value or ""))


def even_shares(count: int) -> list[str]:
    """``count`` percentages, as even as two decimals allow, that add up to exactly 100
    (the Standard's rule for countries and sectors): 3 gives 33.34, 33.33, 33.33."""
    if count <= 0:
        return []
    hundredths = [10000 // count] * count
    for n in range(10000 - sum(hundredths)):
        hundredths[n] += 1
    return [_percent(h) for h in hundredths]


def _percent(hundredths: int) -> str:
    whole, part = divmod(hundredths, 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}".rstrip("0")
