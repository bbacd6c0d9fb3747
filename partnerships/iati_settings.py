"""THET's IATI settings (who publishes the projects' IATI data, and its defaults) and
the field helpers the partnership models share for it. Part of ``partnerships.models``,
which re-exports everything here."""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from partnerships import iati_codes


def sector_field(help_text: str, default: str = ""):
    return models.CharField(
        "DAC sector",
        max_length=5,
        blank=True,
        choices=iati_codes.sector_choices,
        validators=[iati_codes.validate_sector],
        help_text=help_text,
        default=default,
    )


MONTHS = [
    (n, name)
    for n, name in enumerate(
        (
            "January February March April May June July August September October November December"
        ).split(),
        start=1,
    )
]


@register_setting(icon="doc-full")
class IatiSettings(BaseGenericSetting):
    """Who publishes the projects' IATI data (``/our-work/projects/data.xml``), and the
    defaults every activity in it carries."""

    reporting_org_ref = models.CharField(
        "reporting organisation identifier",
        max_length=100,
        default="GB-CHC-1113101",
        validators=[iati_codes.validate_org_id],
        help_text="THET's IATI organisation identifier: GB-CHC and its registered charity "
        "number. Every project's IATI identifier starts with it: do not change it once the "
        "data is registered.",
    )
    reporting_org_name = models.CharField(
        "reporting organisation name",
        max_length=160,
        default="Tropical Health & Education Trust",
        help_text="THET's name as the IATI data gives it.",
    )
    reporting_org_type = models.CharField(
        "reporting organisation type",
        max_length=2,
        default="21",
        choices=iati_codes.ORGANISATION_TYPES,
        help_text="International NGO for THET.",
    )
    default_currency = models.CharField(
        max_length=3,
        default="GBP",
        validators=[RegexValidator(r"^[A-Z]{3}\Z", "An ISO 4217 code such as GBP.")],
        help_text="ISO 4217 code of the projects' budgets, e.g. GBP.",
    )
    default_language = models.CharField(
        max_length=2,
        default="en",
        validators=[RegexValidator(r"^[a-z]{2}\Z", "An ISO 639-1 code such as en.")],
        help_text="ISO 639-1 code of the titles and descriptions, e.g. en.",
    )
    default_sector = sector_field(
        "The DAC sector of a project whose themes and programme give none: 12281 Health "
        "personnel development.",
        default="12281",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("reporting_org_ref"),
                FieldPanel("reporting_org_name"),
                FieldPanel("reporting_org_type"),
            ],
            heading="Reporting organisation",
        ),
        FieldRowPanel([FieldPanel("default_currency"), FieldPanel("default_language")]),
        FieldPanel("default_sector"),
    ]

    class Meta:
        verbose_name = "IATI data"

    @classmethod
    def current(cls) -> "IatiSettings":
        """The saved settings, else the defaults; never creates the row (a save would empty
        every kept page, see thet_site/pagecache.py)."""
        return cls.objects.first() or cls()

    def activity_identifier(self, number) -> str:
        return f"{self.reporting_org_ref}-{number}"
