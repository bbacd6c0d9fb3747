"""Build ``partnerships/data/world_map.json`` from Natural Earth data.

The source is the ``countries-110m.json`` TopoJSON file shipped in the npm package
``world-atlas`` (Natural Earth, public domain). To regenerate::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 -m venv /tmp/mapvenv && /tmp/mapvenv/bin/pip install pycountry
    /tmp/mapvenv/bin/python scripts/build_world_map.py /tmp/package/countries-110m.json

The package version is read from the ``package.json`` next to the input file
(or pass ``--atlas-version``). Nothing is fetched at run time: commit the output.

Processing: the TopoJSON is decoded here (quantised transform, delta-encoded arcs,
reversed arcs via ``~index``, Polygon and MultiPolygon). world-atlas stitches rings
across the antimeridian, so the few that wrap (Russia, Fiji) are cut back into
-180..180 degrees. The result is projected equirectangularly
onto a viewBox 1000 units wide and cropped to the land that remains once Antarctica
is dropped. Coordinates are rounded to whole units (to one decimal place for small
countries), consecutive duplicate points and collapsed rings are dropped, and each
country becomes one compact SVG path using relative ``l`` commands.

Keys are ISO 3166-1 alpha-2 codes looked up from the numeric ids with pycountry.
Features without an ISO code are handled by ``NO_ISO_CODE``: Kosovo is keyed ``XK``
(the code used by the EU and IMF) and Somaliland ``XS`` (an ISO user-assigned code,
kept because partnership projects there are recorded separately from Somalia);
Northern Cyprus has no key and is drawn as a plain, unlinked outline (``outlines``)
so the map has no hole. Names come from pycountry (``common_name`` where present)
with the overrides in ``NAME_OVERRIDES``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "partnerships" / "data" / "world_map.json"

WIDTH = 1000
ANTARCTICA_ID = "010"
# Countries smaller than this (in viewBox units, larger side) keep one decimal place.
SMALL_COUNTRY_SIZE = 30

# Features with no ISO numeric id, keyed by their world-atlas name.
# A value of None means "draw as an unlinked outline, offer no key".
NO_ISO_CODE: dict[str, tuple[str, str] | None] = {
    "Kosovo": ("XK", "Kosovo"),
    "Somaliland": ("XS", "Somaliland"),
    "N. Cyprus": None,
}

NAME_OVERRIDES = {
    "BN": "Brunei",
    "BO": "Bolivia",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "VN": "Vietnam",
}

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Return every arc as absolute longitude/latitude points."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def stitch_ring(indices: Iterable[int], arcs: list[list[Point]]) -> Ring:
    """Join arcs into one ring; a negative index (``~i``) means arc ``i`` reversed."""
    ring: Ring = []
    for index in indices:
        points = arcs[~index][::-1] if index < 0 else arcs[index]
        ring.extend(points[1:] if ring else points)
    return ring


def crosses_antimeridian(ring: Ring) -> bool:
    """Return True if consecutive points jump more than half way round the globe."""
    return any(abs(b[0] - a[0]) > 180 for a, b in zip(ring, ring[1:], strict=False))


def unwrap(ring: Ring) -> Ring:
    """Shift longitudes by whole turns so that the ring is continuous."""
    out = [ring[0]]
    for lon, lat in ring[1:]:
        previous = out[-1][0]
        lon += 360 * round((previous - lon) / 360)
        out.append((lon, lat))
    return out


def clip(ring: Ring, limit: float, keep_below: bool) -> Ring:
    """Clip a ring to one side of the meridian ``limit`` (Sutherland-Hodgman)."""

    def inside(point: Point) -> bool:
        return point[0] <= limit if keep_below else point[0] >= limit

    out: Ring = []
    for start, end in zip(ring, ring[1:] + ring[:1], strict=True):
        if inside(start):
            out.append(start)
        if inside(start) != inside(end):
            t = (limit - start[0]) / (end[0] - start[0])
            out.append((limit, start[1] + t * (end[1] - start[1])))
    return out


def shift(ring: Ring, degrees: float) -> Ring:
    """Move a ring east by ``degrees``."""
    return [(lon + degrees, lat) for lon, lat in ring]


def split_at_antimeridian(ring: Ring) -> list[Ring]:
    """Cut a ring that wraps across 180 degrees into pieces within -180..180."""
    if not crosses_antimeridian(ring):
        return [ring]
    ring = unwrap(ring[:-1] if ring[0] == ring[-1] else ring)
    pieces = [
        clip(clip(ring, 180, keep_below=True), -180, keep_below=False),
        shift(clip(ring, 180, keep_below=False), -360),
        shift(clip(ring, -180, keep_below=True), 360),
    ]
    return [piece for piece in pieces if len(piece) >= 3]


def geometry_polygons(geometry: dict) -> list[list[list[int]]]:
    """Return a geometry's arc indices as a list of polygons (lists of rings)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def feature_rings(geometry: dict, arcs: list[list[Point]]) -> list[Ring]:
    """Return all rings (outer and holes) of a feature in longitude/latitude."""
    return [
        piece
        for polygon in geometry_polygons(geometry)
        for ring in polygon
        for piece in split_at_antimeridian(stitch_ring(ring, arcs))
    ]


def bounds(rings: Iterable[Ring]) -> tuple[float, float, float, float]:
    """Return (min_x, min_y, max_x, max_y) over all points."""
    xs, ys = zip(*(point for ring in rings for point in ring), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def make_projection(rings: list[Ring]):
    """Return an equirectangular projection fitting the rings to ``WIDTH`` and the height."""
    _, min_lat, _, max_lat = bounds(rings)
    scale = WIDTH / 360
    height = round((max_lat - min_lat) * scale)

    def project(point: Point) -> Point:
        lon, lat = point
        return (lon + 180) * scale, (max_lat - lat) * scale

    return project, height


def is_small(rings: list[Ring]) -> bool:
    """Return True if a projected country is too small to draw in whole units."""
    min_x, min_y, max_x, max_y = bounds(rings)
    return max(max_x - min_x, max_y - min_y) < SMALL_COUNTRY_SIZE


def fine_points(features: list[tuple[dict, list[Ring]]]) -> set[Point]:
    """Return the points of small countries, which keep one decimal place.

    Deciding per point rather than per country rounds a shared border identically
    for both neighbours, so no slivers open up between them.
    """
    return {point for _, rings in features if is_small(rings) for ring in rings for point in ring}


def quantise(ring: Ring, fine: set[Point]) -> list[tuple[int, int]]:
    """Round a ring to tenths (whole units unless the point is fine), dropping repeats."""
    out: list[tuple[int, int]] = []
    for x, y in ring:
        if (x, y) in fine:
            point = (round(x * 10), round(y * 10))
        else:
            point = (round(x) * 10, round(y) * 10)
        if not out or point != out[-1]:
            out.append(point)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def format_number(tenths: int) -> str:
    """Format a value held in tenths, e.g. 50 -> "5", -5 -> "-.5", 123 -> "12.3"."""
    text = f"{tenths / 10:.1f}".removesuffix(".0")
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text


def join_numbers(numbers: Iterable[str]) -> str:
    """Join numbers with a space, omitting it before a minus sign."""
    text = ""
    for number in numbers:
        text += number if not text or number.startswith("-") else " " + number
    return text


def ring_path(ring: list[tuple[int, int]]) -> str:
    """Return the ``M…l…z`` path for one quantised ring."""
    deltas = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        deltas += [format_number(x1 - x0), format_number(y1 - y0)]
    start = join_numbers(format_number(value) for value in ring[0])
    return f"M{start}l{join_numbers(deltas)}z"


def country_path(rings: list[Ring], fine: set[Point]) -> str:
    """Return one path for all rings, skipping rings that collapse when rounded."""
    quantised = (quantise(ring, fine) for ring in rings)
    path = "".join(ring_path(points) for points in quantised if len(points) >= 3)
    if not path:
        raise SystemExit("A country vanished when rounded: raise SMALL_COUNTRY_SIZE")
    return path


def iso_key(geometry: dict) -> tuple[str, str] | None:
    """Return (alpha-2 code, name) for a feature, or None for an unkeyed outline."""
    import pycountry

    atlas_name = geometry["properties"]["name"]
    numeric = geometry.get("id")
    country = pycountry.countries.get(numeric=numeric) if numeric else None
    if country is None:
        if atlas_name not in NO_ISO_CODE:
            raise SystemExit(f"No ISO code for {atlas_name!r} (id {numeric!r}): add to NO_ISO_CODE")
        return NO_ISO_CODE[atlas_name]
    code = country.alpha_2
    name = getattr(country, "common_name", None) or country.name
    return code, NAME_OVERRIDES.get(code, name)


def projected_features(topology: dict) -> tuple[int, list[tuple[dict, list[Ring]]]]:
    """Return the map height and (geometry, projected rings) for each country bar Antarctica."""
    arcs = decode_arcs(topology)
    features = [
        (geometry, feature_rings(geometry, arcs))
        for geometry in topology["objects"]["countries"]["geometries"]
        if geometry.get("id") != ANTARCTICA_ID and geometry_polygons(geometry)
    ]
    project, height = make_projection([ring for _, rings in features for ring in rings])
    projected = [
        (geometry, [[project(point) for point in ring] for ring in rings])
        for geometry, rings in features
    ]
    return height, projected


def build_map(topology: dict, version: str) -> dict:
    """Return the JSON-serialisable map document."""
    height, features = projected_features(topology)
    fine = fine_points(features)
    countries: dict[str, dict[str, str]] = {}
    outlines: list[str] = []
    for geometry, rings in features:
        key = iso_key(geometry)
        if key is None:
            outlines.append(country_path(rings, fine))
            continue
        code, name = key
        if code in countries:
            raise SystemExit(f"Duplicate country code {code}")
        countries[code] = {"name": name, "d": country_path(rings, fine)}
    return {
        "source": f"Natural Earth via world-atlas@{version} countries-110m",
        "width": WIDTH,
        "height": height,
        "countries": dict(sorted(countries.items())),
        "outlines": outlines,
    }


def atlas_version(source: Path, explicit: str | None) -> str:
    """Return the world-atlas version from the argument or the sibling package.json."""
    if explicit:
        return explicit
    package = source.with_name("package.json")
    if not package.exists():
        raise SystemExit("package.json not found next to the input: pass --atlas-version")
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, build the map and write it out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="path to world-atlas countries-110m.json")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--atlas-version", help="world-atlas version (default: package.json)")
    args = parser.parse_args(argv)

    topology = json.loads(args.source.read_text(encoding="utf-8"))
    document = build_map(topology, atlas_version(args.source, args.atlas_version))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), indent=0)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"Wrote {len(document['countries'])} countries to {args.output}")


if __name__ == "__main__":
    main()
