"""Materialised-path arithmetic for Wagtail's page tree, from treebeard's public settings.

Wagtail's ``Page`` is a treebeard ``MP_Node``: a page's ``path`` is its parent's path plus
one step of ``steplen`` characters, the child's position written in ``alphabet`` (both
documented class attributes of ``MP_Node``). Writing many pages at once (a bulk import,
the benchmark's fixtures) needs the paths ``add_child`` would give, without adding the
pages one by one; ``tests/test_bulk_pages.py`` checks them against ``add_child``.
"""

from __future__ import annotations

from typing import Any

from wagtail.models import Page


def step_number(step: str) -> int:
    """The position a path step encodes (``"0001"`` → 1)."""
    number = 0
    for char in step:
        number = number * len(Page.alphabet) + Page.alphabet.index(char)
    return number


def step(number: int) -> str:
    """The path step for a child position (1 → ``"0001"``)."""
    base = len(Page.alphabet)
    if not 0 < number < base**Page.steplen:
        raise ValueError(f"a page tree level holds at most {base**Page.steplen - 1} pages")
    chars = []
    for _ in range(Page.steplen):
        number, digit = divmod(number, base)
        chars.append(Page.alphabet[digit])
    return "".join(reversed(chars))


def last_position(parent: Any) -> int:
    """The position of ``parent``'s last child (0 when it has none)."""
    last = parent.get_last_child()
    return step_number(last.path[-Page.steplen :]) if last else 0


def child_path(parent: Any, position: int) -> str:
    """The ``path`` of ``parent``'s child at ``position`` (1-based)."""
    return str(parent.path) + step(position)
