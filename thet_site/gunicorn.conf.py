"""gunicorn settings, each from the environment (see docs/DEPLOY.md)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# The app is imported once, in the master, and workers are forked from it: a recycled or
# killed worker is back in milliseconds instead of re-importing Django and Wagtail (about
# a second of CPU), and the workers share the imported code's memory. New code needs a
# restart of the master (GUNICORN_PRELOAD=0 to reload it with HUP instead).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").lower() not in ("0", "false", "no", "off")
# One request log: the site's JSON line per request (thet_site.middleware, on
# stdout) leaves out query strings and redacts password-reset tokens; gunicorn's own
# access log would print both, so it is off.
accesslog = None
errorlog = "-"
