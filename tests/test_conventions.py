"""Conventions the repository keeps, checked so they stay kept.

Comments and docs explain themselves: an issue number in brackets names an issue in a tracker
the reader may never see, so it says nothing to the next maintainer. Say why in words,
or point into ``docs/decisions.md``. (Commit messages may name issues.) Migrations are
history and are left as they were written.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("*.py", "*.html", "*.css", "*.js", "*.md", "*.toml", "*.txt", "*.vcl", "*.yaml")
CHECKED += ("Makefile", ".ci/*", "scripts/*")
# A hash and one or two digits: not an HTML entity (&#39;), a URL fragment or a colour.
ISSUE_TAG = re.compile(r"(?<![&\w/\"'=])#\d{1,2}\b(?![\w-])")


def tracked_files() -> list[Path]:
    listed = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "ls-files", "--", *CHECKED],  # noqa: S607 - git from PATH
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name
        for name in listed
        if "/migrations/" not in name and "node_modules" not in name and (ROOT / name).is_file()
    ]


def issue_tags_in(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if ISSUE_TAG.search(line)]


def test_no_issue_numbers_in_comments_or_docs():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in tracked_files()
        for line in issue_tags_in(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not found, "issue numbers in code or docs (say why instead):\n" + "\n".join(found)


def test_the_rule_finds_tags_and_leaves_entities_and_colours_alone():
    tag = "#" + "13"  # spelt out so this file does not carry one
    assert issue_tags_in(f"x = 1  # the cap ({tag})\n# {tag}: the top layer\n") == [1, 2]
    assert issue_tags_in('<a href="#results">&#39;</a>\ncolor: #000; a { color: #12ab34 }') == []
