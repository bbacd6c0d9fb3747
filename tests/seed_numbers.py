"""The numbers in the five source pages the seed content is built from, kept in the repo.

The source pages themselves live outside this repository (they are the charity's old
site, not part of the product), so a clone on its own must still be able to check that
every number in them is shown on the site or explained. `tests/data/seed_numbers.json`
holds, for each source page, its SHA-256 and every number it contains;
`tests/test_seed.py` checks that list against the site.

When the source pages change, refresh the list from the folder that holds them:

    .venv/bin/python -m tests.seed_numbers PATH/TO/seeds           # compare, exit 1 if stale
    .venv/bin/python -m tests.seed_numbers PATH/TO/seeds --write   # rewrite the JSON
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

NUMBERS_FILE = Path(__file__).parent / "data" / "seed_numbers.json"
NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def read_folder(folder: Path) -> dict[str, dict]:
    """{"000": {"sha256": ..., "numbers": [...]}, ...} for every `NNN_*.txt` in `folder`."""
    found = {}
    for path in sorted(folder.glob("*.txt")):
        data = path.read_bytes()
        text = data.decode("utf-8")
        found[path.name[:3]] = {
            "file": path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "numbers": sorted(set(NUMBER.findall(text))),
        }
    return found


def kept() -> dict[str, dict]:
    """The numbers as kept in the repository."""
    return json.loads(NUMBERS_FILE.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder holding the NNN_*.txt pages")
    parser.add_argument("--write", action="store_true", help="rewrite the kept list")
    args = parser.parse_args(argv)
    current = read_folder(args.folder)
    if not current:
        print(f"no NNN_*.txt files in {args.folder}", file=sys.stderr)
        return 2
    if args.write:
        NUMBERS_FILE.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
        print(f"wrote {NUMBERS_FILE}")
        return 0
    if current != kept():
        print(f"{NUMBERS_FILE} is out of date: run again with --write", file=sys.stderr)
        return 1
    print("the kept numbers match the source pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
