"""Compressed HTML: brotli and gzip, made once when the page cache stores a page.

Only what ``thet_site.pagecache`` stores is compressed: anonymous, cookie-less, CSRF-free
responses, so no secret sits beside text an attacker can reflect (BREACH). Each encoding
is made once, when the page is stored, and kept beside the plain bytes; a hit only picks
the one the client prefers (``preferred_encoding``), so it compresses nothing. Static
files are WhiteNoise's (compressed at ``collectstatic``).
"""

import gzip
from collections.abc import Callable

import brotli
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "application/rss+xml")
MIN_COMPRESS_BYTES = 200
ENCODERS: dict[str, Callable[[bytes], bytes]] = {  # in order of preference
    "br": lambda content: brotli.compress(content, quality=9, mode=brotli.MODE_TEXT),
    "gzip": lambda content: gzip.compress(content, compresslevel=6, mtime=0),
}


def encoded_variants(response: HttpResponse) -> dict[str, HttpResponse]:
    """``{"br": ..., "gzip": ..., "identity": response}``, each a complete response
    (``response`` itself for an encoding that would not make it smaller)."""
    variants = dict.fromkeys((*ENCODERS, "identity"), response)
    content_type = response.get("Content-Type", "")
    if (
        response.has_header("Content-Encoding")
        or len(response.content) < MIN_COMPRESS_BYTES
        or not content_type.startswith(COMPRESSIBLE_TYPES)
    ):
        return variants
    patch_vary_headers(response, ("Accept-Encoding",))
    for encoding, encode in ENCODERS.items():
        body = encode(response.content)
        if len(body) >= len(response.content):
            continue
        variant = HttpResponse(body, status=response.status_code)
        for name, value in response.items():
            variant[name] = value
        variant["Content-Encoding"] = encoding
        variant["Content-Length"] = str(len(body))
        if variant.get("ETag", "").startswith('"'):
            variant["ETag"] = "W/" + variant["ETag"]  # as Django's GZipMiddleware does
        variants[encoding] = variant
    return variants


def accepted_encodings(request: HttpRequest) -> set[str]:
    """The codings the client's Accept-Encoding allows (q=0 refuses one)."""
    accepted = set()
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = item.strip().partition(";")
        if params.replace(" ", "").lower() in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(name.strip().lower())
    return accepted


def preferred_encoding(request: HttpRequest) -> str:
    accepted = accepted_encodings(request)
    return next((encoding for encoding in ENCODERS if encoding in accepted), "identity")
