"""How to cite a publication: Highwire tags, a citation to copy, RIS and BibTeX.

Every form is built from the one dict ``PublicationPage.citation_fields`` returns, so the
``citation_*`` tags Google Scholar reads, the text readers copy and the files reference
managers import always agree (title, authors, date, institution, language, page and PDF
addresses). No model import.
"""

import re

from django.http import HttpResponse
from django.utils.text import slugify

FORMATS = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
}

# BibTeX's special characters, escaped so a title cannot break the entry.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def one_line(text: str) -> str:
    """No line breaks or control characters: one field stays on one line."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", str(text)).split())


def bibtex_escape(text: str) -> str:
    return "".join(BIBTEX_ESCAPES.get(ch, ch) for ch in one_line(text))


def highwire(fields: dict) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` tags, as Google Scholar and Zotero read them."""
    meta = [("citation_title", fields["title"])]
    meta += [
        ("citation_author", name) for name in fields["authors"] or [fields["corporate_author"]]
    ]
    meta.append(("citation_publication_date", fields["date"].strftime("%Y/%m/%d")))
    meta.append(("citation_technical_report_institution", fields["institution"]))
    meta.append(("citation_language", fields["language"]))
    if fields["pdf_url"]:
        meta.append(("citation_pdf_url", fields["pdf_url"]))
    return meta


class Citation:
    def __init__(self, fields: dict):
        self.fields = fields

    @property
    def authors(self) -> list[str]:
        return self.fields["authors"] or [self.fields["corporate_author"]]

    @property
    def text(self) -> str:
        """A ready-to-copy reference (author-date style, as UK publishers cite reports)."""
        f = self.fields
        authors = self.authors
        names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + " and " + authors[-1]
        return one_line(
            f"{names} ({f['date'].year}) {f['title']}. {f['type']}. {f['institution']}. "
            f"Available at: {f['url']} (published {f['date'].strftime('%-d %B %Y')})."
        )

    @property
    def key(self) -> str:
        # A person by their surname (the last word), a body by its first word.
        words = slugify(self.authors[0]).split("-")
        first = (words[-1] if self.fields["authors"] else words[0]) or "thet"
        word = next((w for w in slugify(self.fields["title"]).split("-") if len(w) > 3), "report")
        return f"{first}{self.fields['date'].year}{word}"

    def ris(self) -> str:
        f = self.fields
        lines = [("TY", "RPRT"), ("TI", f["title"])]
        lines += [("AU", name) for name in self.authors]
        lines += [
            ("PY", str(f["date"].year)),
            ("DA", f["date"].strftime("%Y/%m/%d")),
            ("PB", f["institution"]),
            ("LA", f["language"]),
            ("UR", f["url"]),
        ]
        if f["pdf_url"]:
            lines.append(("L1", f["pdf_url"]))
        lines.append(("ER", ""))
        return "\r\n".join(f"{tag}  - {one_line(value)}".rstrip() for tag, value in lines) + "\r\n"

    def bibtex(self) -> str:
        f = self.fields
        # A corporate author in double braces, so BibTeX does not split it into names.
        authors = " and ".join(
            bibtex_escape(name) if f["authors"] else "{" + bibtex_escape(name) + "}"
            for name in self.authors
        )
        entries = [
            ("title", "{" + bibtex_escape(f["title"]) + "}"),
            ("author", authors),
            ("year", str(f["date"].year)),
            ("month", f["date"].strftime("%b").lower()),
            ("date", f["date"].isoformat()),
            ("institution", bibtex_escape(f["institution"])),
            ("language", f["language"]),
            ("url", f["url"]),
        ]
        if f["pdf_url"]:
            entries.append(("file", f["pdf_url"]))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in entries)
        return f"@techreport{{{self.key},\n{body}\n}}\n"


def respond(citation: Citation, fmt: str) -> HttpResponse:
    content_type, extension = FORMATS[fmt]
    text = citation.ris() if fmt == "ris" else citation.bibtex()
    response = HttpResponse(text, content_type=content_type)
    filename = f"{slugify(citation.fields['title'])[:80] or 'citation'}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
