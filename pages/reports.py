"""A publication's full text, read as a report: sections, anchors, notes, reading time.

The full text is a StreamField of ``section`` blocks (``pages/blocks.py``: a heading and
its content, in which ``subheading`` blocks start the second level). This module turns
that value into what the page shows around it, with no query and no model:

* ``outline``: every section and sub-section with a stable anchor, for the table of
  contents and the headings' ``id``. An anchor is the one the editor set, else made from
  the heading's words, so it stays the same across edits and renders and a shared link
  keeps working as long as the heading does; a clash gets ``-2``, ``-3``...
* ``FootnoteLinker``: a footnote is marked in the text by its number in square brackets,
  ``[2]`` (as Word's footnote marks paste), or as a superscript; the linker turns it
  into a link to note 2, the first one of each number with the ``id`` the note links
  back to. A number with no note stays plain text.
* ``plain_text`` and ``reading_minutes``: the words of the whole report.

The base layer: it knows blocks and text only.
"""

import math
import re
from dataclasses import dataclass, field

from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

# Words a minute: GOV.UK and most publishers estimate reading time at 200-250.
WORDS_PER_MINUTE = 200

# A note's number as a superscript, as rich text stores it, or in square brackets as
# typed (and as Word's footnote marks paste: Draftail keeps no superscript from a paste).
FOOTNOTE_MARK = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>")
BRACKET_MARK = re.compile(r"\[(\d{1,3})\]")
TAGS = re.compile(r"(<[^>]*>)")
LINK_OPEN = re.compile(r"<a[\s>]", re.IGNORECASE)

# Anchor ids the page itself uses: a section may not take one of them.
NOTE_IDS = re.compile(r"note(-ref)?-\d+")
RESERVED_ANCHORS = {"main", "contents", "notes", "cite", "pub-facts-heading", "related-heading"}


def note_id(number: int) -> str:
    return f"note-{number}"


def note_ref_id(number: int) -> str:
    return f"note-ref-{number}"


class Anchors:
    """Hands out unique anchors, each from a wish (the editor's) or a heading."""

    def __init__(self):
        self.taken = set(RESERVED_ANCHORS)

    def claim(self, wish: str, heading: str, fallback: str) -> str:
        base = slugify(wish) or slugify(heading)[:60].strip("-") or fallback
        if base[0].isdigit():
            base = f"s-{base}"  # an id that starts with a digit cannot be a CSS selector
        anchor, n = base, 1
        while anchor in self.taken or NOTE_IDS.fullmatch(anchor):
            n += 1
            anchor = f"{base}-{n}"
        self.taken.add(anchor)
        return anchor


@dataclass
class Subsection:
    heading: str
    anchor: str


@dataclass
class Section:
    heading: str
    anchor: str
    # (bound child block, its anchor when it is a sub-heading, else "")
    content: list = field(default_factory=list)
    subsections: list[Subsection] = field(default_factory=list)

    def body_text(self) -> str:
        """The words under the heading, as plain text."""
        parts = []
        for child, _anchor in self.content:
            parts.extend(child.block.get_searchable_content(child.value))
        return " ".join(" ".join(str(p) for p in parts if p).split())

    def text(self) -> str:
        """The section's words as plain text, heading first, for search and reading."""
        return f"{self.heading} {self.body_text()}".strip()


def outline(full_text) -> list[Section]:
    """The sections of a full-text StreamValue, in order, with their anchors."""
    anchors = Anchors()
    sections = []
    for number, block in enumerate(full_text or [], start=1):
        if block.block_type != "section":
            continue
        value = block.value
        section = Section(
            heading=value["heading"],
            anchor=anchors.claim(value.get("anchor") or "", value["heading"], f"section-{number}"),
        )
        for sub_number, child in enumerate(value["content"], start=1):
            anchor = ""
            if child.block_type == "subheading":
                anchor = anchors.claim(
                    child.value.get("anchor") or "",
                    child.value["text"],
                    f"{section.anchor}-{sub_number}",
                )
                section.subsections.append(Subsection(child.value["text"], anchor))
            section.content.append((child, anchor))
        sections.append(section)
    return sections


def plain_text(sections: list[Section]) -> str:
    return "\n\n".join(section.text() for section in sections)


def word_count(text: str) -> int:
    return len(text.split())


def reading_minutes(text: str) -> int:
    """Whole minutes to read ``text``, at least one when there is any."""
    words = word_count(text)
    return math.ceil(words / WORDS_PER_MINUTE) if words else 0


class FootnoteLinker:
    """Links footnote marks to ``count`` notes during one render of a report.

    The first mark of each number gets the ``id`` its note links back to; later marks of
    the same number link to the note only, so no id is used twice.
    """

    def __init__(self, count: int):
        self.count = count
        self.marked: set[int] = set()

    def mark(self, number: int, original: str) -> str:
        if not 1 <= number <= self.count:
            return original
        first = number not in self.marked
        self.marked.add(number)
        id_attr = format_html(' id="{}"', note_ref_id(number)) if first else ""
        return format_html(
            '<sup class="note-ref"><a href="#{}"{}>'
            '<span class="visually-hidden">Note </span>{}</a></sup>',
            note_id(number),
            id_attr,
            number,
        )

    def link(self, html: str) -> SafeString:
        """Marks in rendered rich text: ``<sup>2</sup>`` or ``[2]`` in the words (not
        inside a link, which cannot hold another)."""
        html = FOOTNOTE_MARK.sub(lambda m: self.mark(int(m.group(1)), m.group(0)), str(html))
        parts = TAGS.split(html)
        in_link = 0
        for index, part in enumerate(parts):
            if index % 2:  # a tag
                if LINK_OPEN.match(part):
                    in_link += 1
                elif part.lower().startswith("</a"):
                    in_link = max(0, in_link - 1)
            elif not in_link and "[" in part:
                parts[index] = BRACKET_MARK.sub(
                    lambda m: self.mark(int(m.group(1)), m.group(0)), part
                )
        return mark_safe("".join(parts))  # noqa: S308 - rendered rich text, marks from format_html


def note_text(html: str) -> str:
    """A note's words without markup (the feed and citations use plain text)."""
    return " ".join(strip_tags(html).split())
