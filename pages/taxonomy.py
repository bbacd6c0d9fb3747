"""The base of every taxonomy snippet (countries, health themes, partners, publication
types, topics): a name, a slug made from it, and what the admin's pickers need.

Base layer (docs/ARCHITECTURE.md): ``partnerships`` and ``policy`` both file pages under
taxonomy built on this, so it lives below them. An abstract model, so no table and no
migration of its own; its admin listing is ``pages.views.TaxonomyViewSet``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from wagtail.search import index

SLUG_BASE_LENGTH = 150  # room left in a 255-character slug for "-2", "-3"…


def slug_base(name: str) -> str:
    """The slug a name gives before it is made unique: ``slugify``'d, cut to
    ``SLUG_BASE_LENGTH``, no hyphen left at either end; "item" when nothing is left."""
    return slugify(name)[:SLUG_BASE_LENGTH].strip("-") or "item"


def unique_slug(base: str, taken) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is first not in ``taken`` (anything
    with ``in``: a set of the slugs already used)."""
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class TaxonomyBase(index.Indexed, models.Model):
    name = models.CharField(max_length=160, unique=True, help_text="As visitors will see it.")
    slug = models.SlugField(
        max_length=160,
        unique=True,
        blank=True,
        help_text="Used in web addresses; letters, numbers, hyphens. Leave blank and it is "
        "made from the name.",
    )

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    # The admin's type-to-pick fields (wagtail-autocomplete) match and label by name.
    autocomplete_search_field = "name"

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_slug()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.fill_slug()

    def autocomplete_label(self) -> str:
        return self.name

    def fill_slug(self):
        """A blank slug is made from the name, unique among the others of its kind."""
        if self.slug:
            return
        base = slug_base(self.name)
        others = type(self)._base_manager.exclude(pk=self.pk)
        taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
        self.slug = unique_slug(base, taken)

    @classmethod
    def create_by_name(cls, value: str, **fields):
        """Create one from a name typed in a picker (or return the one of that name)."""
        name_field = cls._meta.get_field("name")
        limit = name_field.max_length if isinstance(name_field, models.Field) else None
        name = " ".join(str(value).split())[:limit]
        if not name:
            raise ValidationError({"name": ["Type a name."]})
        existing = cls._base_manager.filter(name__iexact=name).first()
        if existing is not None:
            return existing
        instance = cls(name=name, **fields)
        instance.full_clean()
        instance.save()
        return instance
