"""Defence in depth on PostgreSQL: no statement of a web request runs for ever.

The queries are bounded in shape (see ``partnerships/forms.py``), and on top of that:

- every connection of the site has PostgreSQL's JIT off: it can compile a large statement
  for minutes and ignores a cancel meanwhile, to save milliseconds on a site this size;
- a web process's connections have ``statement_timeout`` (``DATABASE_STATEMENT_TIMEOUT_MS``,
  5,000 by default, 0 for none): a statement past it is cancelled by the server, the
  visitor gets a "busy, try again" page (503, ``Retry-After``) and the worker lives on.

Both are libpq connection options (``-c name=value``, set by
``thet_site.env.limit_connections``) given when a connection opens, so they cost no query
per request. A process is a web process when ``THET_WEB_PROCESS`` is
set: ``thet_site/wsgi.py`` sets it before Django reads its settings, so gunicorn's workers
get the timeout and management commands, migrations and the test suite do not.
On SQLite none of this applies (the options are PostgreSQL's).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (e.g. a timeout)


def is_statement_timeout(error: BaseException | None) -> bool:
    """Whether ``error`` is PostgreSQL cancelling a statement (``statement_timeout``)."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return (
        type(cause).__name__ == "QueryCanceled"  # psycopg2.errors and psycopg.errors
        or getattr(cause, "pgcode", None) == QUERY_CANCELED
        or getattr(cause, "sqlstate", None) == QUERY_CANCELED
    )


def busy_response(request: HttpRequest) -> HttpResponse:
    """The friendly page for a request the database gave up on: 503, try again shortly."""
    logger.warning("A database statement timed out", extra={"path": request.path})
    response = TemplateResponse(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response.render()


class StatementTimeoutMiddleware:
    """Turn a statement timeout into the 503 page, not a 500, and stop the request there.

    Once a statement of the request has timed out, every later statement of the request
    fails at once with the same error instead of running (each could take the whole
    timeout again): code that swallows errors, such as a template's ``{% if a > b %}``,
    cannot make a request cost several timeouts. Whatever the request then returns, the
    visitor gets the 503 page. A timeout in a view or its template comes back here
    through ``process_exception``; one in another middleware reaches
    ``thet_site.urls.handler500`` (``server_error`` below), which gives the same page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        timed_out: list[Exception] = []

        def watch(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            if timed_out:
                raise timed_out[0]
            try:
                return execute(sql, params, many, context)
            except Exception as error:
                if is_statement_timeout(error):
                    timed_out.append(error)
                raise

        with connection.execute_wrapper(watch):
            response = self.get_response(request)
        if timed_out and response.status_code != 503:
            return busy_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_statement_timeout(exception):
            return busy_response(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 503 page for a statement timeout, else Django's own 500 page."""
    if is_statement_timeout(sys.exc_info()[1]):
        return busy_response(request)
    return default_server_error(request)
