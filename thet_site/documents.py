"""The document download view: Wagtail's, sending valid headers only.

Wagtail's sendfile helper always sets ``Content-Encoding`` to the encoding that Python's
``mimetypes`` guesses from the file name, which for every file the site accepts is
``None``: the header went out as the literal text ``None``. A document is sent exactly as
it was uploaded, never compressed on the way, so no ``Content-Encoding`` is right for any
of them (one would also make a browser try to decode the download).
"""

from functools import wraps

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from wagtail.documents.views.serve import serve as wagtail_serve


@wraps(wagtail_serve)
def serve(request: HttpRequest, document_id: int, document_filename: str) -> HttpResponseBase:
    response: HttpResponseBase = wagtail_serve(request, document_id, document_filename)
    if response.has_header("Content-Encoding"):
        del response["Content-Encoding"]
    return response
