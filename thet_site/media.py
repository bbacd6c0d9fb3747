"""Uploaded images, served by the site when media is on the filesystem.

Mounted at MEDIA_URL in every mode (DEBUG or not) unless media is in a bucket. It serves
exactly two folders of MEDIA_ROOT, ``images/`` (renditions) and ``original_images/``, and
only image files in them. Everything else is the site's 404: documents (only the
/documents/ view hands them out, with its launch check), other folders, directories, and
any path that is not plainly ``<folder>/<file name>`` (``//``, ``.``, ``..``, ``%2F``,
backslashes), so there is nothing for Django's path normalisation to open up.

Every new image file has a name no earlier file had (thet_site/storage.py), so both
renditions and originals can be kept by browsers and CDNs for a year.
"""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.static import serve

# Fixed here rather than guessed from the machine's mime.types (WAGTAILIMAGES_EXTENSIONS).
IMAGE_TYPES = {
    "avif": "image/avif",
    "gif": "image/gif",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
FOLDERS = ("images", "original_images")
CACHE_CONTROL = "public, max-age=31536000, immutable"


def serve_image(request: HttpRequest, path: str) -> HttpResponseBase:
    parts = path.split("/")
    if len(parts) != 2 or parts[0] not in FOLDERS:
        raise Http404("Not an image.")
    name = parts[1]
    extension = name.rpartition(".")[2].lower()
    if name.startswith(".") or "\\" in name or "\x00" in name or extension not in IMAGE_TYPES:
        raise Http404("Not an image.")
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Content-Type"] = IMAGE_TYPES[extension]
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
