"""What a PDF offers readers of assistive technology, read with pikepdf (qpdf).

Run as a script in a child process by ``policy/pdfcheck.py``: it limits its own address
space and CPU time first, so a hostile file (a million pages, a broken cross-reference
table that qpdf rebuilds, a decompression bomb) costs at most those limits and the
parent's wall-clock timeout, never the web worker's memory. It imports no Django and
nothing of the site, so it runs with ``python -I``.

Prints one JSON object: ``pages``, ``tagged``, ``title``, ``language``, ``text_pages``,
``image_only_pages`` (page numbers, at most ``MAX_LISTED``), or ``error``.
"""

import json
import resource
import sys

# More pages than any report: a file claiming more is refused without being read.
MAX_PAGES = 2000
# Image-only page numbers listed (the rest are counted).
MAX_LISTED = 20
# Form XObjects followed inside a page when looking for text (nesting is rare past 2).
MAX_FORM_DEPTH = 3

TEXT_OPERATORS = "Tj TJ ' \" Do BI"


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _xobjects(holder):
    resources = holder.get("/Resources")
    if resources is None:
        return {}
    xobjects = resources.get("/XObject")
    return dict(xobjects.items()) if xobjects is not None else {}


def text_and_images(pikepdf, holder, depth: int = 0) -> tuple[bool, bool]:
    """Whether a page (or form XObject) shows text, and whether it draws an image."""
    has_text = has_image = False
    xobjects = _xobjects(holder)
    for operands, operator in pikepdf.parse_content_stream(holder, TEXT_OPERATORS):
        name = str(operator)
        if name in ("Tj", "TJ", "'", '"'):
            has_text = True
        elif name == "BI" or str(operator) == "INLINE IMAGE":
            has_image = True
        elif name == "Do" and operands:
            xobject = xobjects.get(str(operands[0]))
            if xobject is None:
                continue
            subtype = str(xobject.get("/Subtype", ""))
            if subtype == "/Image":
                has_image = True
            elif subtype == "/Form" and depth < MAX_FORM_DEPTH:
                text, image = text_and_images(pikepdf, xobject, depth + 1)
                has_text, has_image = has_text or text, has_image or image
        if has_text and has_image:
            break
    return has_text, has_image


def document_title(pdf) -> str:
    title = ""
    info = pdf.trailer.get("/Info")
    if info is not None and "/Title" in info:
        title = str(info["/Title"]).strip()
    if not title:
        try:
            with pdf.open_metadata() as meta:
                title = str(meta.get("dc:title", "") or "").strip()
        except Exception:  # noqa: BLE001 - unreadable XMP is the same as none
            title = ""
    return title


def inspect(path: str) -> dict:
    import pikepdf  # noqa: PLC0415 - after the limits are set, so its memory counts too

    with pikepdf.open(path, access_mode=pikepdf.AccessMode.stream) as pdf:
        root = pdf.Root
        count = int(root.get("/Pages", {}).get("/Count", 0) or 0)
        if count > MAX_PAGES:
            return {"error": "too_many_pages", "pages": count}
        pages = len(pdf.pages)
        if pages > MAX_PAGES:
            return {"error": "too_many_pages", "pages": pages}
        mark_info = root.get("/MarkInfo")
        tagged = bool(
            mark_info is not None
            and bool(mark_info.get("/Marked", False))
            and "/StructTreeRoot" in root
        )
        language = str(root.get("/Lang", "")).strip()
        text_pages = 0
        image_only = []
        image_only_count = 0
        for number, page in enumerate(pdf.pages, start=1):
            has_text, has_image = text_and_images(pikepdf, page.obj)
            if has_text:
                text_pages += 1
            elif has_image:
                image_only_count += 1
                if len(image_only) < MAX_LISTED:
                    image_only.append(number)
        return {
            "pages": pages,
            "tagged": tagged,
            "title": document_title(pdf)[:300],
            "language": language[:35],
            "text_pages": text_pages,
            "image_only_pages": image_only,
            "image_only_count": image_only_count,
        }


def peak_memory_kb(pid: int | str = "self") -> int | None:
    """A process's peak resident memory (Linux ``VmHWM``), in kB: this one's, or that of
    the running process ``pid`` (``policy/pdfcheck.py`` reads its child's)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def main(argv: list[str]) -> int:
    path, memory_bytes, cpu_seconds = argv[1], int(argv[2]), int(argv[3])
    limit_resources(memory_bytes, cpu_seconds)
    try:
        result = inspect(path)
    except MemoryError:
        result = {"error": "too_big"}
    except Exception as error:  # noqa: BLE001 - any failure to read is reported, not raised
        result = {"error": "unreadable", "detail": type(error).__name__}
    result["peak_kb"] = peak_memory_kb()
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
