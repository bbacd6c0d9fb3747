"""Server-rendered, script-free SVG world map of partnership projects.

The country outlines come from ``data/world_map.json``, generated from Natural Earth
by ``scripts/build_world_map.py``. Nothing is fetched at run time.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

DATA_PATH = Path(__file__).resolve().parent / "data" / "world_map.json"

# Upper count limit of each shading class; larger counts get ``m4``.
BUCKET_LIMITS = ((1, "m1"), (3, "m2"), (9, "m3"))
TOP_BUCKET = "m4"

SAFE_SCHEMES = frozenset({"", "http", "https"})


@cache
def load_map() -> dict:
    """Return the map document (width, height, countries and unlinked outlines)."""
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def _sort_key(name: str) -> str:
    """Sort names ignoring case and accents, so "Côte d'Ivoire" sorts under C."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def country_choices() -> list[tuple[str, str]]:
    """Return (ISO alpha-2 code, name) pairs for every mapped country, sorted by name."""
    countries = load_map()["countries"]
    pairs = [(code, country["name"]) for code, country in countries.items()]
    return sorted(pairs, key=lambda pair: _sort_key(pair[1]))


def bucket_class(count: int) -> str:
    """Return the shading class (``m1`` to ``m4``) for a positive project count."""
    for limit, css_class in BUCKET_LIMITS:
        if count <= limit:
            return css_class
    return TOP_BUCKET


def project_label(name: str, count: int) -> str:
    """Return e.g. "Nepal: 1 project" or "Tanzania: 3 projects"."""
    noun = "project" if count == 1 else "projects"
    return f"{name}: {count} {noun}"


def _checked_href(href: str) -> str:
    """Return ``href`` if it is relative or http(s); refuse ``javascript:`` and the like."""
    if urlsplit(href).scheme.lower() not in SAFE_SCHEMES:
        raise ValueError(f"Refusing unsafe map link {href!r}")
    return href


def _plain_path(d: str) -> SafeString:
    return format_html('<path d="{}"/>', d)


def _linked_path(name: str, d: str, count: int, href: str) -> SafeString:
    return format_html(
        '<a href="{}"><title>{}</title><path class="{}" d="{}"/></a>',
        _checked_href(href),
        project_label(name, count),
        bucket_class(count),
        d,
    )


def _active_counts(counts: Mapping[str, int], countries: Mapping[str, dict]) -> dict[str, int]:
    """Return positive counts keyed by upper-case code, ignoring unmapped codes."""
    active: dict[str, int] = {}
    for code, count in counts.items():
        key = code.upper()
        if count > 0 and key in countries:
            active[key] = active.get(key, 0) + count
    return active


def render_world_map(
    counts: Mapping[str, int],
    href_for: Callable[[str], str],
    title: str = "Where our partnership projects are",
    *,
    map_id: str = "world-map",
) -> SafeString:
    """Return an inline ``<svg>`` map; countries with projects link to ``href_for(code)``.

    Unlinked shapes sit in an ``aria-hidden`` group. Linked countries follow in name
    order (their tab order), each with a ``<title>`` as its accessible name and a
    shading class from ``bucket_class``. Styling is left to CSS.
    """
    document = load_map()
    countries = document["countries"]
    active = _active_counts(counts, countries)
    background = [_plain_path(c["d"]) for code, c in countries.items() if code not in active]
    background += [_plain_path(d) for d in document.get("outlines", [])]
    linked = [
        _linked_path(countries[code]["name"], countries[code]["d"], count, href_for(code))
        for code, count in sorted(active.items(), key=lambda i: _sort_key(countries[i[0]]["name"]))
    ]
    title_id = f"{map_id}-title"
    opening = format_html(
        '<svg id="{}" class="world-map" viewBox="0 0 {} {}" aria-labelledby="{}">'
        '<title id="{}">{}</title>',
        map_id,
        document["width"],
        document["height"],
        title_id,
        title_id,
        title,
    )
    return format_html(
        '{}<g aria-hidden="true">{}</g>{}</svg>', opening, _join(background), _join(linked)
    )


def _join(fragments: list[SafeString]) -> SafeString:
    """Concatenate already-escaped fragments without escaping them again."""
    return format_html_join("", "{}", ((fragment,) for fragment in fragments))


def map_context(countries, href_for) -> dict:
    """The world map and its text list for ``countries`` annotated with a count ``n``
    (the map presenter the project listing and a programme's page use).

    ``href_for(country)`` gives each country's link (the filtered project listing).
    """
    countries = [country for country in countries if country.n]
    by_code = {country.iso_code.upper(): country for country in countries}
    svg = render_world_map(
        {code: country.n for code, country in by_code.items()},
        lambda code: href_for(by_code[code]),
    )
    return {"svg": svg, "items": [(country, href_for(country)) for country in countries]}
