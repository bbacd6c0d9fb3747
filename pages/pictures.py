"""A page's picture: an image chosen where the content is written, with the alt text
the editor writes for it or an explicit "decorative" tick, shown on the page's header, on
its card in listings and when the page is shared.

A picture field ``<name>`` (a ForeignKey to an image) comes with ``<name>_alt`` and
``<name>_decorative``. The admin form insists on one of the two whenever an image is set;
pictures saved before the fields existed were rendered as decorative, and the migration
that added the fields ticks "decorative" for them, so they look as they did.
"""

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.templatetags.static import static
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.signals import page_published

logger = logging.getLogger(__name__)

FORMATS = ("avif", "webp", "jpeg")


def specs(*sizes: str) -> list[str]:
    """Rendition specs spelt as ``{% picture %}`` expands "format-{avif,webp,jpeg} op-{...}"."""
    return [f"format-{fmt}|{size}" for fmt in FORMATS for size in sizes]


# What the templates show; keep in step with them.
CARD_SPECS = specs("fill-320x180", "fill-480x270", "fill-640x360")  # components/card_picture
HEADER_SPECS = specs("fill-480x200", "fill-800x300", "fill-1200x400", "fill-1600x500")
HOME_SPECS = specs("fill-480x270", "fill-800x450", "fill-1200x675", "fill-1600x900")
COVER_SPECS = specs("width-120", "width-240")  # components/publication_teaser
COVER_PAGE_SPECS = specs("width-320", "width-640")  # policy/publication_page
# The share image (og:image, twitter:image, JSON-LD): the page's picture or cover at
# 1200 × 630, else the site's default picture. ``share_image`` is the one place that
# chooses it.
SHARE_SPEC = "fill-1200x630-c100"
SHARE_SPECS = [SHARE_SPEC]
DEFAULT_SHARE_IMAGE = "img/og-default.png"
DEFAULT_SHARE_SIZE = (1200, 630)
DEFAULT_SHARE_ALT = "THET, the Tropical Health & Education Trust: training health workers."

ALT_HELP = (
    "What the picture shows, for people who cannot see it, in a sentence: who is doing "
    "what, where (e.g. 'Midwives practising newborn resuscitation in Kampala'). Leave "
    "blank only if you tick 'decorative'."
)
DECORATIVE_HELP = (
    "Tick if the picture adds nothing the words do not already say (a texture, a "
    "generic scene): screen readers then skip it."
)
REQUIRED_MESSAGE = "Describe the picture for people who cannot see it, or tick 'decorative'."


def alt_field(verbose_name="alt text"):
    return models.CharField(verbose_name, max_length=250, blank=True, help_text=ALT_HELP)


def decorative_field(verbose_name="decorative"):
    return models.BooleanField(verbose_name, default=False, help_text=DECORATIVE_HELP)


def picture_panel(name: str, heading: str) -> MultiFieldPanel:
    return MultiFieldPanel(
        [FieldPanel(name), FieldPanel(f"{name}_alt"), FieldPanel(f"{name}_decorative")],
        heading=heading,
    )


@dataclass(frozen=True)
class Picture:
    """What templates need to show a picture: the image and its alt text ("" when it is
    decorative, with ``decorative`` true so templates mark it for the content checker)."""

    image: object
    alt: str
    decorative: bool

    @property
    def data_decorative(self):
        return "true" if self.decorative else None  # None: the attribute is left out


def picture_of(page, name: str, fallback_alt: str = "") -> Picture | None:
    """The page's picture ``name``, or None when no image is set."""
    image = getattr(page, name, None)
    if image is None:
        return None
    alt = " ".join((getattr(page, f"{name}_alt", "") or "").split())
    if getattr(page, f"{name}_decorative", False) or not (alt or fallback_alt):
        return Picture(image=image, alt="", decorative=True)
    return Picture(image=image, alt=alt or fallback_alt, decorative=False)


@dataclass(frozen=True)
class ShareImage:
    """The picture a page is shared with: its URL (as storage gives it: site-relative
    or absolute; make it absolute before use), size and alt text."""

    url: str
    width: int
    height: int
    alt: str


def share_image(page) -> ShareImage:
    """The page's picture (``hero_image``) or cover (``cover_image``) as its share image,
    else the site's default. A missing file is logged, never an error on the page."""
    field = next((f for f in ("hero_image", "cover_image") if getattr(page, f, None)), None)
    image = getattr(page, field) if field else None
    if image is not None:
        try:
            rendition = image.get_rendition(SHARE_SPEC)
        except Exception:  # noqa: BLE001 - a missing file must not break the page
            logger.warning("No share rendition for image %s", image.pk, exc_info=True)
        else:
            alt = getattr(page, f"{field}_alt", "") or image.default_alt_text or image.title
            return ShareImage(rendition.url, rendition.width, rendition.height, alt)
    width, height = DEFAULT_SHARE_SIZE
    return ShareImage(static(DEFAULT_SHARE_IMAGE), width, height, DEFAULT_SHARE_ALT)


def with_pictures(queryset, *names: str, specs=CARD_SPECS):
    """``queryset`` with the images ``names`` joined in and their renditions ``specs``
    fetched in one more query for the whole list (none when no item has a picture), so a
    card with a picture costs no query of its own."""
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec__in=specs)
    return queryset.select_related(*names).prefetch_related(
        *(
            Prefetch(f"{name}__renditions", queryset=renditions, to_attr="prefetched_renditions")
            for name in names
        )
    )


if TYPE_CHECKING:
    # A mixin for a Django form: the type checker sees the form it is mixed into.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class PictureFormMixin(_FormBase):
    """Admin form rule: a picture needs alt text or the "decorative" tick."""

    picture_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        if cleaned is None:  # a clean() may return None; Django keeps cleaned_data then
            cleaned = self.cleaned_data
        for name in self.picture_fields:
            if f"{name}_alt" not in self.fields or not cleaned.get(name):
                continue
            alt = (cleaned.get(f"{name}_alt") or "").strip()
            if not alt and not cleaned.get(f"{name}_decorative"):
                self.add_error(f"{name}_alt", ValidationError(REQUIRED_MESSAGE, code="required"))
        return cleaned


class PicturePageForm(PictureFormMixin, WagtailAdminPageForm):
    picture_fields = ("hero_image", "cover_image")


def make_renditions(sender, instance, **kwargs):
    """On publishing, make the renditions the page's pictures are shown in, so the cost
    of encoding them (AVIF takes up to a second each on a small server) falls on the
    publish, once, rather than on a visitor's request: a listing showing twenty newly
    published pictures would otherwise make 180 renditions in one response."""
    wanted = {
        "hero_image": CARD_SPECS + SHARE_SPECS + HEADER_SPECS,
        "cover_image": COVER_SPECS + COVER_PAGE_SPECS + SHARE_SPECS,
    }
    if type(instance).__name__ == "HomePage":
        wanted["hero_image"] = HOME_SPECS + SHARE_SPECS
    for name, names_specs in wanted.items():
        image = getattr(instance, name, None)
        if image is None:
            continue
        try:
            image.get_renditions(*names_specs)
        except Exception:  # noqa: BLE001 - a bad file must not stop the publish
            logger.warning("Could not make renditions of image %s", image.pk, exc_info=True)


def connect():
    page_published.connect(make_renditions, dispatch_uid="thet-picture-renditions")


def featured_cards(pages) -> list:
    """The live ones of ``pages`` (a featured-pages block's picks), in order, as their
    specific types, each with its picture and card renditions: a fixed number of queries
    however many cards (one per page type, two for the pictures)."""
    ids = [page.pk for page in pages if page is not None]
    found = {page.pk: page for page in Page.objects.filter(pk__in=ids).live().specific()}
    cards = [found[pk] for pk in dict.fromkeys(ids) if pk in found]
    image_ids = {getattr(card, "hero_image_id", None) for card in cards} - {None}
    if image_ids:
        images = get_image_model().objects.filter(pk__in=image_ids).prefetch_renditions(*CARD_SPECS)
        by_pk = {image.pk: image for image in images}
        for card in cards:
            if getattr(card, "hero_image_id", None) in by_pk:
                card.hero_image = by_pk[card.hero_image_id]
    return cards


def share_image_url(page, base: str) -> str:
    """The page's share image (:func:`share_image`) as an absolute URL on the same site as
    ``base`` (the page's own address): the ``image`` of its JSON-LD."""
    return urljoin(base, share_image(page).url)
