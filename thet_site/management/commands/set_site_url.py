"""Write SITE_URL into Wagtail's default Site record: ``manage.py set_site_url``.

``make serve`` runs it before starting gunicorn. Safe to repeat: it changes nothing when
the record already matches. Without SITE_URL it leaves the record alone and says so.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site


def hostname_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = parts.port or default_port
    if parts.scheme == "https" and port != 443:
        # Wagtail's Site only knows https as port 443 (any other port reads as http).
        raise CommandError(f"SITE_URL {url}: Wagtail's Site record needs https on port 443.")
    if parts.scheme == "http" and port == 443:
        raise CommandError(f"SITE_URL {url}: port 443 means https to Wagtail's Site record.")
    if not parts.hostname:
        raise CommandError(f"SITE_URL {url}: no host name.")
    return parts.hostname, port


class Command(BaseCommand):
    help = "Set the default Wagtail Site's hostname and port from SITE_URL."

    def handle(self, *args: Any, **options: Any) -> None:
        url = settings.SITE_URL
        if not url:
            site = Site.objects.filter(is_default_site=True).first()
            where = site.root_url if site else "no Site record yet"
            self.stdout.write(
                f"SITE_URL is not set: absolute links use the Site record ({where}). "
                "Set SITE_URL, e.g. https://www.thet.org, in production."
            )
            return
        hostname, port = hostname_and_port(url)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("There is no default Site yet: run load_seed_content first.")
        if (site.hostname, site.port) == (hostname, port):
            self.stdout.write(f"The Site record is already {site.root_url}.")
            return
        clash = Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).first()
        if clash is not None:
            raise CommandError(f"Another Site ({clash}) already has {hostname}:{port}.")
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
        self.stdout.write(f"The Site record is now {site.root_url}.")
