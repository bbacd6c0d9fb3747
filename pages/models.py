"""Home, Our Work, contact and generic content pages, and the site footer setting."""

import logging
from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.forms import EmailField
from django.template.response import TemplateResponse
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import (
    FORM_FIELD_CHOICES,
    AbstractEmailForm,
    AbstractFormField,
)
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page, PagePermissionTester, PageViewRestriction, Site
from wagtail.search import index

from pages import contact
from pages.blocks import BodyBlock, NavLinkBlock, SocialLinkBlock, StatisticBlock
from pages.pictures import PicturePageForm, alt_field, decorative_field, picture_of, picture_panel
from thet_site.privacy import public

logger = logging.getLogger(__name__)


class ReadsQuery:
    """What a page type tells the page cache about the query string it reads."""

    # The query-string parameters this page reads, each with how the page cache
    # normalises it ({name: "text" | "number" | "words" | (choices)}): its cached copy is
    # keyed on these alone, and they are all it sees (thet_site/pagecache.py).
    query_params: dict = {}

    def get_query_params(self, view=None, args=None, kwargs=None) -> dict:
        """The parameters the view about to be served reads (Wagtail's serve arguments:
        a routable page's route view may state its own, as ``view.query_params``)."""
        return getattr(view, "query_params", self.query_params)


class SummaryMixin(models.Model):
    """A short plain-text summary used in listings, cards and the meta description."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences under the title; also used in listings and "
        "as the description search engines show.",
    )

    class Meta:
        abstract = True

    search_description: str  # Wagtail's Page field, on the pages this is mixed into

    def get_summary(self) -> str:
        return self.search_description or self.introduction


# Search weights. Wagtail's Page gives the title boost 2; ours is higher so a word in a
# title outranks the same word repeated in body text (a later field of the same name
# replaces the earlier one). On PostgreSQL the boosts become tsvector weights A–D (images
# and documents hold A at 10): titles B, summaries and taxonomy names C, body text D.
# SQLite's backend ranks by BM25 over title and body and ignores boosts.
TITLE_BOOST = 5
SUMMARY_BOOST = 2
PAGE_SEARCH_FIELDS = Page.search_fields + [
    index.SearchField("title", boost=TITLE_BOOST),
    index.SearchField("search_description", boost=SUMMARY_BOOST),
]


class BasePage(ReadsQuery, SummaryMixin, Page):
    """Shared by every page type of the site."""

    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="picture",
        help_text="Optional: a wide photo at the top of the page, also on the page's card "
        "in lists and when the page is shared. Landscape, at least 1600 pixels wide.",
    )
    hero_image_alt = alt_field()
    hero_image_decorative = decorative_field()

    search_fields = PAGE_SEARCH_FIELDS + [index.SearchField("introduction", boost=SUMMARY_BOOST)]
    base_form_class = PicturePageForm

    class Meta:
        abstract = True

    @property
    def hero_picture(self):
        """The page's picture for templates (pages/pictures.py), or None."""
        return picture_of(self, "hero_image")

    def get_view_restrictions(self):
        # Set by thet_site.routing on a page it has just checked, for this request only.
        if getattr(self, "view_restrictions_known_empty", False):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


def body_field(**kwargs):
    return StreamField(
        BodyBlock(), blank=True, help_text="The main content, built from blocks.", **kwargs
    )


class SiteRootPermissionTester(PagePermissionTester):
    """The home page holds the whole site: only a superuser may unpublish, delete or move
    it (moving asks ``can_delete``). Everything else is Wagtail's rule."""

    def can_unpublish(self):
        return self.user.is_superuser and super().can_unpublish()

    def can_delete(self, ignore_bulk=False):
        return self.user.is_superuser and super().can_delete(ignore_bulk=ignore_bulk)


class HomePage(BasePage):
    headline = models.CharField(
        max_length=160,
        help_text="The big line at the top of the home page.",
    )
    vision = models.CharField(max_length=255, blank=True, help_text="THET's vision, one line.")
    mission = models.CharField(max_length=255, blank=True, help_text="THET's mission, one line.")
    hero_links = StreamField(
        [("link", NavLinkBlock())],
        blank=True,
        max_num=3,
        verbose_name="buttons",
        help_text="Up to three buttons under the introduction, in order: the first is the "
        "main one. Remove a button to hide it; with none, no buttons are shown.",
    )
    statistics_heading = models.CharField(
        max_length=80,
        blank=True,
        default="THET in figures",
        help_text="The heading over the headline figures; 'THET in figures' if left blank.",
    )
    statistics = StreamField(
        [("statistic", StatisticBlock())],
        blank=True,
        max_num=6,
        help_text="Headline figures shown under the introduction.",
    )
    body = body_field()

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.ContentPage",
        "pages.OurWorkPage",
        "policy.PublicationIndexPage",
        "pages.ContactPage",
        "news.NewsIndexPage",
    ]
    max_count = 1
    page_description = "The home page of the site. There is only one."

    content_panels = Page.content_panels + [
        FieldPanel("headline"),
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("hero_links"),
        MultiFieldPanel(
            [FieldPanel("vision"), FieldPanel("mission")], heading="Vision and mission"
        ),
        MultiFieldPanel(
            [FieldPanel("statistics_heading"), FieldPanel("statistics")], heading="Figures"
        ),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("headline"),
        index.SearchField("body"),
    ]

    def permissions_for_user(self, user):
        return SiteRootPermissionTester(user, self)

    # Its latest publications come from the template's {% latest_publications %} tag
    # (sitewide/templatetags/sitewide_tags.py): the base layer does not import policy.


class OurWorkPage(BasePage):
    body = body_field()

    parent_page_types = ["pages.HomePage"]
    subpage_types = [
        "policy.PolicyWorkPage",
        "partnerships.ProgrammePage",
        "partnerships.ProjectIndexPage",
        "pages.ContentPage",
    ]
    max_count = 1
    page_description = "The section index of THET's work."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A callable: the template calls it only if it renders, so a kept rendering
        # (thet_site/fragments.py) costs no queries.
        context["sections"] = cache(
            lambda: list(public(self.get_children().live()).specific().order_by("path"))
        )
        return context


class ContentPage(BasePage):
    body = body_field()

    parent_page_types = ["pages.HomePage", "pages.OurWorkPage", "pages.ContentPage"]
    subpage_types = ["pages.ContentPage"]
    page_description = "A general page of text, images and figures, e.g. About."

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        picture_panel("hero_image", "Picture"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]


class ContactFormField(AbstractFormField):
    """One field of the contact form, as editors arrange them."""

    page = ParentalKey(
        "pages.ContactPage",
        on_delete=models.CASCADE,
        related_name="form_fields",
        help_text="The contact page this field belongs to.",
    )
    # Wagtail's own fields, with the help text every field here carries.
    field_type = models.CharField(
        verbose_name="field type",
        max_length=16,
        choices=FORM_FIELD_CHOICES,
        help_text="What the visitor types or picks: e.g. 'Single line text' for a name, "
        "'Email' for an address, 'Multi-line text' for the message.",
    )
    field_type.required_on_save = True  # type: ignore[attr-defined]  # Wagtail's flag, as it sets it
    required = models.BooleanField(
        verbose_name="required",
        default=True,
        help_text="Ticked: the message cannot be sent without this field.",
    )
    help_text = models.CharField(
        verbose_name="help text",
        max_length=255,
        blank=True,
        help_text="A hint shown under the label, e.g. 'We will reply to this address.'",
    )


DEFAULT_CONSENT_TEXT = (
    "I agree that THET may keep the details I give here and use them to reply to me, "
    "as the privacy notice explains."
)


class ContactPage(ReadsQuery, SummaryMixin, AbstractEmailForm):
    """The contact form (Wagtail's form builder). Each message is stored first and listed
    for editors under Forms; then a notification is emailed. A failed email is logged and
    loses nothing. Spam defences: pages/contact.py."""

    body = body_field()
    consent_text = models.CharField(
        max_length=300,
        default=DEFAULT_CONSENT_TEXT,
        help_text="The words beside the tick box a visitor must tick before sending. Say "
        "what THET does with their details.",
    )
    # Wagtail's own fields, with help text.
    from_address = models.EmailField(
        verbose_name="from address",
        max_length=255,
        blank=True,
        help_text="The sender of the notification email; blank: the site's usual sender.",
    )
    subject = models.CharField(
        verbose_name="subject",
        max_length=255,
        blank=True,
        help_text="The notification email's subject line.",
    )
    thank_you_text = models.TextField(
        blank=True,
        default="Thank you. Your message has reached THET and we will reply as soon as we can.",
        help_text="Shown after a message is sent.",
    )

    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    page_description = "The contact form. Messages are listed under Forms in the admin."
    template = "pages/contact_page.html"
    landing_page_template = "pages/contact_page_landing.html"
    form_builder = contact.BoundedFormBuilder

    content_panels = Page.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("introduction"),
        FieldPanel("body"),
        InlinePanel("form_fields", label="Form fields", min_num=1),
        FieldPanel("consent_text"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldPanel(
                    "to_address",
                    help_text="Who is emailed about each new message; separate several "
                    "addresses with commas. Blank: the address the server is configured "
                    "with (CONTACT_NOTIFY_EMAIL), if any.",
                ),
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("subject")]),
            ],
            heading="Notification email",
        ),
    ]
    search_fields = PAGE_SEARCH_FIELDS + [
        index.SearchField("introduction", boost=SUMMARY_BOOST),
        index.SearchField("body"),
    ]

    def get_form_class(self):
        return contact.add_defences(super().get_form_class(), self.consent_text)

    def notification_addresses(self) -> list[str]:
        addresses = self.to_address or getattr(settings, "CONTACT_NOTIFY_EMAIL", "")
        return [a.strip() for a in addresses.split(",") if a.strip()]

    def process_form_submission(self, form):
        # Stored first, by Wagtail's FormMixin, so the message is kept whatever the email
        # does (EmailFormMixin would let a mail error escape after the save, as a 500).
        submission = super(AbstractEmailForm, self).process_form_submission(form)
        addresses = self.notification_addresses()
        if addresses:
            self.notify(form, addresses)
        return submission

    def notify(self, form, addresses) -> None:
        reply_to = [
            value
            for name, value in form.cleaned_data.items()
            if value and isinstance(form.fields[name], EmailField)
        ][:1]
        message = EmailMessage(
            subject=self.subject or f"New message from the {self.title} form",
            body=self.render_email(form),
            from_email=self.from_address or settings.DEFAULT_FROM_EMAIL,
            to=addresses,
            reply_to=reply_to,
        )
        try:
            message.send()
        except Exception:  # any backend error: the message is stored, editors see it
            logger.exception(
                "Contact form %s: the notification email could not be sent; the message "
                "is stored and listed under Forms in the admin.",
                self.pk,
            )

    def serve(self, request, *args, **kwargs):
        if request.method == "POST" and contact.over_rate_limit(request):
            context = self.get_context(request)
            context["form"] = self.get_form(page=self, user=request.user)
            context["refused"] = contact.RATE_LIMITED_MESSAGE
            return TemplateResponse(request, self.get_template(request), context, status=429)
        response = super().serve(request, *args, **kwargs)
        form = getattr(response, "context_data", {}).get("form")
        if request.method == "POST" and form is not None and form.errors:
            # A refused post is a client error, not a page: nothing was stored.
            response.status_code = 400
        return response


@register_setting(icon="bars")
class MainMenu(BaseSiteSetting):
    """The links across the top of every page."""

    items = StreamField(
        [("link", NavLinkBlock())],
        blank=True,
        max_num=8,
        verbose_name="menu links",
        help_text="The menu's links in order: pages of the site (relabelled if you like) or "
        "addresses elsewhere. Leave empty to list the home page's sections ticked "
        "'Show in menus' (Promote tab), under their titles. 'Search' is always last.",
    )

    panels = [FieldPanel("items")]

    class Meta:
        verbose_name = "Main menu"

    @classmethod
    def links_for(cls, request) -> list:
        """The menu's links for the request's site; [] while none are set. Unlike
        ``for_request`` this never creates the setting's row: a save would empty every
        kept fragment (thet_site/fragments.py) on a visitor's first request."""
        site = Site.find_for_request(request)
        menu = cls.objects.filter(site=site).first() if site else None
        return [block.value for block in menu.items] if menu else []


@register_setting(icon="list-ul")
class SiteFooter(BaseSiteSetting):
    organisation_name = models.CharField(
        max_length=160,
        default="Tropical Health & Education Trust (THET)",
        help_text="The charity's name as it appears in the footer.",
    )
    address = models.TextField(blank=True, help_text="Postal address, one line per row.")
    charity_number = models.CharField(
        max_length=40, blank=True, help_text="Registered charity number, e.g. 1113101."
    )
    company_number = models.CharField(
        max_length=40, blank=True, help_text="Registered company number, if any."
    )
    email = models.EmailField(blank=True, help_text="The public contact address.")
    social_links = StreamField(
        [("link", SocialLinkBlock())],
        blank=True,
        help_text="THET's profiles on social networks, in the order to show them.",
    )
    # Links to pages of the site and the two statements every page must reach; and the
    # providers that take a visitor's newsletter sign-up or donation. Those are plain
    # links to the provider's own page: no third-party script on ours, the CSP unchanged.
    links = StreamField(
        [("link", NavLinkBlock())],
        blank=True,
        max_num=8,
        verbose_name="footer links",
        help_text="Links in the footer, e.g. Get involved and Contact, in order.",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="privacy notice",
        help_text="The page that says what the site and the contact form do with personal details.",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="accessibility statement",
        help_text="The page that says how accessible the site is and how to report a problem.",
    )
    newsletter_url = models.URLField(
        blank=True,
        verbose_name="newsletter sign-up address",
        help_text="The sign-up page at THET's newsletter provider (https://…). While "
        "blank, the site shows no newsletter sign-up.",
    )
    donate_url = models.URLField(
        blank=True,
        verbose_name="donation page address",
        help_text="The donation page at THET's fundraising provider (https://…). While "
        "blank, the site shows no Donate button.",
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("address"),
        MultiFieldPanel(
            [FieldPanel("charity_number"), FieldPanel("company_number")],
            heading="Registration",
        ),
        FieldPanel("email"),
        FieldPanel("social_links"),
        FieldPanel("links"),
        MultiFieldPanel(
            [FieldPanel("privacy_page"), FieldPanel("accessibility_page")],
            heading="Statements",
        ),
        MultiFieldPanel(
            [FieldPanel("newsletter_url"), FieldPanel("donate_url")],
            heading="Newsletter and donations",
        ),
    ]

    # What the comms team must fill in: (field, what it is), listed in the admin while
    # blank ("Organisation details missing"); the seeds did not give them.
    EXPECTED_DETAILS = (
        ("address", "Postal address"),
        ("charity_number", "Registered charity number"),
        ("company_number", "Company number"),
        ("email", "Public contact email"),
        ("social_links", "Social media links"),
        ("privacy_page", "Privacy notice page"),
        ("accessibility_page", "Accessibility statement page"),
        ("newsletter_url", "Newsletter sign-up address"),
        ("donate_url", "Donation page address"),
    )

    class Meta:
        verbose_name = "Footer"

    def missing_details(self) -> list[str]:
        """What the footer lacks, in the words of ``EXPECTED_DETAILS``."""
        return [label for name, label in self.EXPECTED_DETAILS if not getattr(self, name)]
