import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thet_site.settings")
# this is a web process: its database connections get DATABASE_STATEMENT_TIMEOUT_MS
# (read by settings.py, so it must be set before Django loads them). Management commands
# and migrations never import this module, so they have no timeout.
os.environ.setdefault("THET_WEB_PROCESS", "1")

application = get_wsgi_application()
