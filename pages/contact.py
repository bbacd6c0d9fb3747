"""The contact form's defences and its bounded fields, kept apart from the page model.

Spam is refused without any third-party script (no CAPTCHA service, the CSP unchanged):

* **A honeypot**: a text box people never see (hidden by the stylesheet, out of the tab
  order, labelled "leave this empty" for the few who meet it, e.g. in a text browser).
  Bots that fill every field fill it too; such a post is refused and stores nothing.
* **A per-visitor rate limit**: each visitor may post ``CONTACT_RATE_LIMIT`` times
  (default 5) in ``CONTACT_RATE_WINDOW`` seconds (default 600); posts beyond that get
  HTTP 429 and store nothing. The count lives in Django's default cache (Redis in
  production), so every server process shares it. The key is an HMAC of the visitor's
  address with ``SECRET_KEY``: the cache never holds a raw address.

Every field has a length limit, so one post costs a bounded amount of work and storage.
"""

import hashlib
import hmac
import logging

from django import forms
from django.conf import settings
from django.core.cache import cache
from wagtail.contrib.forms.forms import FormBuilder

from thet_site.security import client_ip

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
CONSENT_FIELD = "consent"
MESSAGE_MAX_LENGTH = 5000
DEFAULT_RATE_LIMIT = 5
DEFAULT_RATE_WINDOW = 600


class BoundedFormBuilder(FormBuilder):
    """Wagtail's form builder, with a length limit on the multi-line text box too."""

    def create_multiline_field(self, field, options):
        return super().create_multiline_field(field, {**options, "max_length": MESSAGE_MAX_LENGTH})


def add_defences(form_class, consent_text: str):
    """``form_class`` with the consent box and the honeypot added (they cannot be removed
    in the admin by mistake), and a ``clean`` that refuses a filled honeypot."""

    class ContactForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[CONSENT_FIELD] = forms.BooleanField(
                label=consent_text, required=True, error_messages={"required": CONSENT_ERROR}
            )
            self.fields[HONEYPOT_FIELD] = forms.CharField(
                label="Leave this box empty",
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )

        def clean(self):
            cleaned = super().clean()
            if cleaned.get(HONEYPOT_FIELD):
                raise forms.ValidationError(HONEYPOT_ERROR, code="honeypot")
            cleaned.pop(HONEYPOT_FIELD, None)
            return cleaned

        @property
        def caught_by_honeypot(self) -> bool:
            return any(e.code == "honeypot" for e in self.non_field_errors().as_data())

    return ContactForm


CONSENT_ERROR = "Please tick the box so that we may use your details to reply."
HONEYPOT_ERROR = (
    "Your message was not sent: a box meant to be left empty was filled in. "
    "Please clear it and send again."
)
RATE_LIMITED_MESSAGE = (
    "You have sent several messages in a short time, so this one was not sent. "
    "Please wait a few minutes and try again."
)


def visitor_key(request) -> str:
    """The visitor's rate-limit key: a keyed hash of their address, never the address."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), client_ip(request).encode(), hashlib.sha256
    ).hexdigest()
    return f"contact-rate:{digest[:32]}"


def over_rate_limit(request) -> bool:
    """Count this post against the visitor and say whether it goes over the limit.

    Every post counts, refused ones too, so a bot cannot keep probing. With the cache
    unreachable the count is lost and posts are allowed: a message is worth more than
    the spam that might slip through during an outage.
    """
    limit = getattr(settings, "CONTACT_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    window = getattr(settings, "CONTACT_RATE_WINDOW", DEFAULT_RATE_WINDOW)
    key = visitor_key(request)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)  # atomic in Redis, so concurrent posts all count
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    except Exception:  # noqa: BLE001 - the cache is down: allow the post, say so
        logger.warning("Contact form: the rate limit's cache failed; post allowed", exc_info=True)
        return False
    return count is not None and count > limit
