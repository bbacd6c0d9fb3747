"""How a PDF accessibility check is worded for editors (``policy/pdfcheck.py`` runs it).

No model import: the publication editor's panel (``policy/panels.py``) and the document
form use it too.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    what: str  # what is wrong, for the editor
    ask: str  # what to ask of the designer


PROBLEMS = {
    "untagged": Problem(
        "untagged",
        "The PDF is not tagged: screen readers cannot tell its headings, lists, tables and "
        "reading order from the rest of the text.",
        "Ask the designer to export a tagged PDF (InDesign: 'Create Tagged PDF'; Word: "
        "'Document structure tags for accessibility') and to check it with Acrobat's "
        "accessibility checker or PAC.",
    ),
    "no_title": Problem(
        "no_title",
        "The PDF has no document title, so readers and screen readers see only its file name.",
        "Ask the designer to set the title in the document's properties and to have the "
        "PDF show the document title, not the file name, when it opens.",
    ),
    "no_language": Problem(
        "no_language",
        "The PDF does not say which language it is in, so screen readers may read it with "
        "the wrong voice.",
        "Ask the designer to set the document's language (English, UK) before exporting.",
    ),
    "no_text": Problem(
        "no_text",
        "No page of the PDF has text that can be selected: it looks like a scan or was "
        "exported as pictures, so screen readers, search and copy-and-paste find nothing.",
        "Ask for a PDF exported from the original document rather than a scan; if only a "
        "scan exists, ask for it to be run through text recognition (OCR) and checked.",
    ),
    "image_only_pages": Problem(
        "image_only_pages",
        "Some pages are only pictures, with no text.",
        "Ask the designer to keep text as text (not flattened into images) and to give "
        "every chart or diagram alternative text.",
    ),
    "unchecked": Problem(
        "unchecked",
        "The PDF could not be checked: it may be damaged, far too large, or built to be "
        "hard to read.",
        "Ask the designer for a new export of the file; until then, treat it as not accessible.",
    ),
}

REASONS = {
    "too_many_pages": "it has more pages than any report ({pages})",
    "too_big": "reading it needed more memory than allowed",
    "timeout": "reading it took too long",
    "unreadable": "it could not be read as a PDF",
    "crashed": "the checker stopped",
    "missing": "the file could not be opened",
}


def problems_in(result: dict) -> list[str]:
    """The problem codes of an inspection result, most serious first."""
    if result.get("error"):
        return ["unchecked"]
    codes = []
    if not result.get("tagged"):
        codes.append("untagged")
    if not result.get("title"):
        codes.append("no_title")
    if not result.get("language"):
        codes.append("no_language")
    if result.get("pages") and not result.get("text_pages"):
        codes.append("no_text")
    elif result.get("image_only_count"):
        codes.append("image_only_pages")
    return codes


def report(check) -> list[dict]:
    """The problems of a check, worded for the editor, each with what to ask."""
    if check is None:
        return []
    items = []
    for code in check.problems:
        problem = PROBLEMS.get(code)
        if problem is None:
            continue
        what = problem.what
        if code == "image_only_pages":
            pages = ", ".join(str(n) for n in check.image_only_pages)
            more = check.image_only_count - len(check.image_only_pages)
            what = f"{what} Pages: {pages}{f' and {more} more' if more > 0 else ''}."
        if code == "unchecked" and check.reason in REASONS:
            what = f"{what} ({REASONS[check.reason].format(pages='too many')})"
        items.append({"code": code, "what": what, "ask": problem.ask})
    return items
