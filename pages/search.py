"""Search text helpers: what every search box on the site does to a visitor's
words before they reach the search backend, and how the words are shown back.

Base layer (docs/ARCHITECTURE.md): no app is imported here, so the listings of
``partnerships`` and ``policy`` and the site search (``sitewide/search.py``) share one
cleaning, one word cap and one highlighting.
"""

import html
import logging
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 40


def clean_query(raw: str) -> str:
    """Make a visitor's query safe for every search backend.

    Keeps letters, digits and spaces (and inner hyphens/apostrophes) only, so quotes,
    markup and operators never reach the backend's query parser.
    """
    kept = "".join(ch if (ch.isalnum() or ch in " -'") else " " for ch in raw[:MAX_QUERY_LENGTH])
    words = [w.strip("-'") for w in kept.split()]
    return " ".join(w for w in words if w)


# A query's cost grows with its words (each is matched against every project or page), so
# at most this many distinct words are used. Real searches of THET's projects and reports
# are one to four words (a country, a disease, a partner's name); every word must match, so
# words past the sixth rarely narrow the results, while each one adds a full pass of text
# matching. The rest are ignored, and the page says which.
MAX_QUERY_WORDS = 6


@dataclass(frozen=True)
class QueryWords:
    """A cleaned query split into the words used and those ignored (see ``query_words``)."""

    used: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        return " ".join(self.used)


def query_words(query: str, limit: int = MAX_QUERY_WORDS) -> QueryWords:
    """The words of ``query`` (already cleaned) that a search uses, whatever the input.

    Repeated words count once (ignoring case); a single letter is ignored (it is in nearly
    every title, and no index stores it), a single digit kept; at most ``limit`` words are
    used, the rest ignored. So a query costs at most ``limit`` words of matching.
    """
    used: list[str] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for word in query.split():
        key = word.casefold()
        if key in seen:
            continue
        seen.add(key)
        if (len(word) < 2 and not word.isdigit()) or len(used) >= limit:
            ignored.append(word)
        else:
            used.append(word)
    return QueryWords(tuple(used), tuple(ignored))


def ignored_words_notice(ignored, shown: int = 10) -> str:
    """What the page says when some words were left out of a search."""
    if not ignored:
        return ""
    listed = ", ".join(f"“{word}”" for word in ignored[:shown])
    more = len(ignored) - shown
    if more > 0:
        listed += f" and {more} more"
    return (
        f"Some of your words were left out of the search: {listed}. We search for up to "
        f"{MAX_QUERY_WORDS} different words, each of two or more letters (or a number)."
    )


def _terms(query: str) -> list[str]:
    return [t for t in query.split() if len(t) > 1 or t.isdigit()]


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with the query's words wrapped in <mark>."""
    terms = _terms(query)
    if not terms or not text:
        return escape(text)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")",
        re.IGNORECASE,
    )
    parts = pattern.split(text)
    out = []
    for i, part in enumerate(parts):
        out.append(f"<mark>{escape(part)}</mark>" if i % 2 else str(escape(part)))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def _plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def body_text(page) -> str:
    body = getattr(page, "body", None)
    if not body:
        return ""
    try:
        pieces = body.stream_block.get_searchable_content(body)
    except Exception:  # noqa: BLE001 - a snippet must never break the results page
        logger.warning("Could not read the body of page %s for a snippet", page.pk)
        return ""
    return _plain(" ".join(str(p) for p in pieces))


def excerpt(text: str, query: str) -> str:
    """About ``SNIPPET_WORDS`` words of ``text`` from just before the first matching word."""
    text = _plain(text)
    lowered = text.lower()
    hits = [lowered.find(t.lower()) for t in _terms(query) if lowered.find(t.lower()) >= 0]
    if not hits:
        return Truncator(text).words(SNIPPET_WORDS)
    start = max(0, min(hits) - 80)
    start = lowered.rfind(" ", 0, start) + 1 if start else 0
    return ("…" if start else "") + Truncator(text[start:]).words(SNIPPET_WORDS)


def snippet(page, query: str) -> str:
    """A short plain-text excerpt: the summary, or the body around the first matching word."""
    summary = _plain(page.get_summary() if hasattr(page, "get_summary") else "")
    terms = [t.lower() for t in _terms(query)]
    if summary and (not terms or any(t in summary.lower() for t in terms)):
        return Truncator(summary).words(SNIPPET_WORDS)
    text = body_text(page)
    if any(t in text.lower() for t in terms):
        return excerpt(text, query)
    return Truncator(summary or text).words(SNIPPET_WORDS)


def _term_pattern(term: str) -> re.Pattern:
    """A query word as the start of a word in text, roughly stemmed (the search backend
    stems: 'midwives' finds 'midwife'), so the words that made a page match are found."""
    term = term.lower()
    stem = term[: max(4, len(term) - 2)] if len(term) > 5 else term
    return re.compile(r"\b" + re.escape(stem), re.IGNORECASE)


def terms_found(text: str, query: str) -> int:
    """How many different words of ``query`` occur in ``text``."""
    return sum(1 for term in set(_terms(query)) if _term_pattern(term).search(text or ""))


def best_part(texts: list[str], query: str, than: str = "") -> int | None:
    """The index of the text (a report's section) that holds the most words of ``query``,
    the first on a tie; None when none holds more of them than ``than`` (the title and
    summary: a page found by its name is linked as a whole)."""
    floor = terms_found(than, query)
    best, best_score = None, floor
    for index, text in enumerate(texts):
        score = terms_found(text, query)
        if score > best_score:
            best, best_score = index, score
    return best
