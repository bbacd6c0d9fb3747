"""Site-wide middleware: structured request logs and the Content-Security-Policy."""

import logging
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDictKeyError
from django.views.defaults import bad_request

request_log = logging.getLogger("thet.request")

# Parts of a path that carry a secret (Django's password-reset links) are never logged.
SECRET_PATH_PARTS = re.compile(r"(/password_reset/confirm/)[^/]+/[^/]+/?")


def loggable_path(path: str) -> str:
    return SECRET_PATH_PARTS.sub(r"\1[redacted]/", path)


class RequestLogMiddleware:
    """One JSON line per request on stdout: method, path, status, duration, cache.

    Only the path is logged: no query string, cookies, headers or client address, so
    nothing secret or personal ends up in the logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.enabled = getattr(settings, "REQUEST_LOG", True)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.enabled:
            return self.get_response(request)
        start = time.perf_counter()
        response = self.get_response(request)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": loggable_path(request.path),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "cache": getattr(request, "page_cache", "none"),
            },
        )
        return response


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp with a second, looser policy for the Wagtail admin.

    Public pages get ``CONTENT_SECURITY_POLICY`` (no inline scripts); paths under
    ``CSP_ADMIN_PATH_PREFIXES`` get ``CSP_ADMIN_DIRECTIVES``, because the admin's own
    scripts need more than a public page does.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES))
        ):
            return PolicyParts(
                default_config(settings.CSP_ADMIN_DIRECTIVES),
                parts.update,
                parts.replace,
                parts.nonce,
            )
        return parts


malformed_log = logging.getLogger("thet.malformed")


class MalformedAdminPostMiddleware:
    """A 400, not a 500, for an admin POST that leaves out or garbles a field the admin's
    own forms always send.

    Wagtail reads a StreamField's ``<name>-count`` and each child's ``-type`` / ``-order``
    straight from the POST (``int(data["body-count"])``), so a request without them (a
    replayed or hand-made one) raises ``MultiValueDictKeyError`` or ``ValueError`` while
    the form is being read, before anything is saved. Those are the sender's mistake, so
    the answer is Bad Request; it is still logged with its traceback, so a real bug that
    raises the same exceptions is seen. Only admin POSTs are covered: a public page's
    forms are plain GET forms that validate their own input.
    """

    CAUGHT = (MultiValueDictKeyError, ValueError)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        if request.method != "POST" or not isinstance(exception, self.CAUGHT):
            return None
        if not any(request.path.startswith(p) for p in settings.CSP_ADMIN_PATH_PREFIXES):
            return None
        malformed_log.warning(
            "malformed admin POST", exc_info=exception, extra={"path": request.path}
        )
        return bad_request(request, BadRequest(str(exception)))


def without_empty_parameters(request: HttpRequest) -> str | None:
    """The request's path and query string without its empty parameters (a name with no
    value, or only spaces), the others kept as they were, in their order; None when it
    has none to drop."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return None
    pairs = parse_qsl(raw, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name.strip() and value.strip()]
    if len(kept) == len(pairs) and "&&" not in raw and not raw.endswith("&"):
        return None
    # The path is this site's own (a leading "//" would make the target another host).
    path = "/" + request.path.lstrip("/")
    return path + (f"?{urlencode(kept)}" if kept else "")


class DropEmptyParametersMiddleware:
    """A public GET or HEAD whose address has empty parameters is redirected (301) to the
    address without them: a listing's form sends every field, so a shared address would
    otherwise read ``?q=&country=tanzania&theme=``. It runs before the page cache, so a
    cached page is never served under the long address, and such addresses cost a
    redirect, not a render. The admin, documents and /health/ are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.excluded = tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD") and not request.path_info.startswith(self.excluded):
            target = without_empty_parameters(request)
            if target is not None:
                return HttpResponsePermanentRedirect(target)
        return self.get_response(request)
