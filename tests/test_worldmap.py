"""Tests for the server-rendered SVG world map (no database needed)."""

# ruff: noqa: S101 - pytest uses bare asserts

import gzip
import re
import unicodedata

import pytest
from django.conf import settings

if not settings.configured:
    settings.configure()

from partnerships.worldmap import (  # noqa: E402 - settings must be configured first
    bucket_class,
    country_choices,
    load_map,
    render_world_map,
)


def project_href(code):
    return f"/our-work/projects/?country={code}"


@pytest.fixture
def sample_map():
    return str(render_world_map({"TZ": 3, "NP": 1}, project_href))


def test_map_has_countries_with_plain_names():
    countries = load_map()["countries"]
    assert len(countries) > 150
    expected = {
        "IN": "India",
        "CN": "China",
        "NP": "Nepal",
        "TZ": "Tanzania",
        "GB": "United Kingdom",
        "CD": "Democratic Republic of the Congo",
        "XK": "Kosovo",
    }
    for code, name in expected.items():
        assert countries[code]["name"] == name
    assert "AQ" not in countries


def test_map_paths_are_compact_svg():
    document = load_map()
    assert document["width"] == 1000
    assert 300 < document["height"] < 500
    assert document["source"].startswith("Natural Earth via world-atlas@")
    for country in document["countries"].values():
        assert re.fullmatch(r"(M[-\d. ]+l[-\d. ]+z)+", country["d"])


def test_linked_countries_have_titles_and_classes(sample_map):
    assert 'href="/our-work/projects/?country=TZ"' in sample_map
    assert 'href="/our-work/projects/?country=NP"' in sample_map
    assert "<title>Tanzania: 3 projects</title>" in sample_map
    assert "<title>Nepal: 1 project</title>" in sample_map
    assert sample_map.count("<a ") == 2
    assert '<path class="m2"' in sample_map


def test_map_is_accessible_and_script_free(sample_map):
    assert sample_map.startswith("<svg ")
    assert 'viewBox="0 0 1000 ' in sample_map
    assert 'aria-labelledby="world-map-title"' in sample_map
    assert '<title id="world-map-title">Where our partnership projects are</title>' in sample_map
    assert 'role="img"' not in sample_map
    for forbidden in ("<script", "style=", "onclick", "xlink:href", "<image", "url("):
        assert forbidden not in sample_map


def test_links_follow_name_order(sample_map):
    assert sample_map.index("Nepal: 1 project") < sample_map.index("Tanzania: 3 projects")


def test_unknown_lower_case_and_zero_counts():
    svg = str(render_world_map({"tz": 2, "ZZ": 5, "GB": 0}, project_href))
    assert svg.count("<a ") == 1
    assert "Tanzania: 2 projects" in svg


def test_hostile_href_is_escaped():
    svg = str(render_world_map({"TZ": 1}, lambda code: f'/x/?a=1&b="><script>{code}'))
    assert "<script" not in svg
    assert 'href="/x/?a=1&amp;b=&quot;&gt;&lt;script&gt;TZ"' in svg


def test_hostile_title_is_escaped():
    svg = str(render_world_map({}, project_href, title="<b>Projects</b>"))
    assert "&lt;b&gt;Projects&lt;/b&gt;" in svg


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x"]
)
def test_unsafe_schemes_are_refused(href):
    with pytest.raises(ValueError):
        render_world_map({"TZ": 1}, lambda code: href)


@pytest.mark.parametrize(
    ("count", "css_class"), [(1, "m1"), (2, "m2"), (3, "m2"), (4, "m3"), (9, "m3"), (10, "m4")]
)
def test_bucket_class(count, css_class):
    assert bucket_class(count) == css_class


def test_full_map_gzips_small():
    counts = {code: 12 for code in load_map()["countries"]}
    svg = str(render_world_map(counts, project_href))
    assert svg.count("<a ") == len(counts)
    assert len(gzip.compress(svg.encode())) < 40_000


def test_country_choices_sorted_by_name():
    choices = country_choices()
    assert ("TZ", "Tanzania") in choices
    assert len(choices) == len(load_map()["countries"])

    def plain(name):
        return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()

    names = [name for _, name in choices]
    assert names == sorted(names, key=plain)
