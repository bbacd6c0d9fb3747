"""Every StreamField block of the site, in one module.

Each block has an icon, a label an editor understands and a template that renders
accessible HTML. One ``BodyBlock`` serves every page body.
"""

import uuid

from django.apps import apps
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock as WagtailTableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock, ImageChooserBlock

from pages.pictures import featured_cards


def library_sample(model_label: str, count: int = 1, **filters) -> list:
    """For a block's preview in the block picker: the first items of a library (images,
    documents, pages), so the preview shows real content; empty on a new site."""
    model = apps.get_model(model_label)
    return list(model.objects.filter(**filters).order_by("pk")[:count])


HEADING_LEVELS = [("h2", "Section heading (level 2)"), ("h3", "Sub-heading (level 3)")]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, help_text="The heading as readers will see it.")
    level = blocks.ChoiceBlock(
        choices=HEADING_LEVELS,
        default="h2",
        help_text="Use level 2 for a new section and level 3 inside a section.",
    )

    class Meta:
        icon = "title"
        label = "Heading"
        template = "components/blocks/heading.html"
        description = "A heading that starts a new section; keep them in order (2, then 3)."
        preview_value = {"text": "Our approach", "level": "h2"}


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(
        help_text="Describe the image for people who cannot see it, or tick 'decorative'."
    )
    caption = blocks.CharBlock(required=False, max_length=250, help_text="Shown under the image.")
    credit = blocks.CharBlock(required=False, max_length=120, help_text="Photographer or source.")

    class Meta:
        icon = "image"
        label = "Image"
        template = "components/blocks/figure.html"
        description = "A picture from the image library, with alt text, caption and credit."
        # Shows a placeholder picture while the image library is empty.
        preview_template = "components/blocks/previews/figure.html"

    def get_preview_value(self):
        image = next(iter(library_sample("wagtailimages.Image")), None)
        if image is not None:
            image.contextual_alt_text, image.decorative = image.title, False
        return {
            "image": image,
            "caption": "Nurses at a training day run by a health partnership.",
            "credit": "THET",
        }


class StatisticBlock(blocks.StructBlock):
    figure = blocks.CharBlock(max_length=20, help_text="As shown, e.g. 93,112 or £30 million.")
    label = blocks.CharBlock(max_length=160, help_text="What the figure counts.")
    source = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text="Where the figure comes from, e.g. 'THET annual report 2023' or 'WHO'. "
        "The content checker flags figures without one.",
    )
    # A headline figure says when it was true, so two figures of different years never
    # read as a contradiction: the newest goes on the home page, older ones are history.
    period = blocks.CharBlock(
        required=False,
        max_length=80,
        help_text="The time the figure covers, e.g. 'the ten years to 2024' or '2010–2018'.",
    )
    as_of = blocks.DateBlock(
        required=False,
        label="Date",
        help_text="When the figure was published or last checked (shown as month and "
        "year). Leave blank if the source does not say.",
    )

    class Meta:
        icon = "pick"
        label = "Statistic"
        template = "components/blocks/statistic.html"
        description = "One headline figure, what it counts and where it comes from."
        preview_value = {
            "figure": "93,112",
            "label": "health workers trained",
            "source": "Health Partnership Scheme",
        }


class StatisticsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        required=False, max_length=120, help_text="Optional heading above the figures."
    )
    statistics = blocks.ListBlock(
        StatisticBlock(),
        min_num=1,
        max_num=8,
        help_text="Up to eight figures, in the order to show them.",
    )

    class Meta:
        icon = "list-ul"
        label = "Statistics"
        template = "components/blocks/statistics.html"
        description = "A row of headline figures, each with its label and source."
        preview_value = {
            "heading": "In figures",
            "statistics": [
                {"figure": "191", "label": "partnerships formed", "source": "THET"},
                {"figure": "2,000+", "label": "NHS staff volunteered", "source": "THET"},
            ],
        }

    def get_context(self, value, parent_context=None):
        """``heading_id``: an id of this block's own, so a page with several statistics
        blocks names each section by its own heading (``aria-labelledby``).

        In a page body the id comes from the block's stream id, which Wagtail keeps
        stable across edits and renders (``id`` in the context); where there is none (a
        block preview) a random one is used.
        """
        context = super().get_context(value, parent_context=parent_context)
        block_id = str(context.get("id") or "") or uuid.uuid4().hex
        context["heading_id"] = f"stats-{block_id}"
        return context


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(help_text="The words quoted, without quotation marks.")
    attribution = blocks.CharBlock(
        required=False, max_length=160, help_text="Who said it, and their role."
    )

    class Meta:
        icon = "openquote"
        label = "Quote"
        template = "components/blocks/quote.html"
        description = "Someone's words, set apart from the text, with who said them."
        preview_value = {
            "quote": "Partnership means we learn from each other.",
            "attribution": "A nurse tutor, Mirembe Hospital",
        }


class LinkTargetBlock(blocks.StructBlock):
    """A page on this site or an address elsewhere; exactly one of the two."""

    page = blocks.PageChooserBlock(required=False, help_text="A page on this site.")
    url = blocks.URLBlock(required=False, help_text="Or an address on another site.")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"page": ValidationError("Choose a page or enter an address (one).")}
            )
        return value


class NavLinkBlock(LinkTargetBlock):
    """A labelled link for menus and buttons: a page (its title unless relabelled) or an
    address elsewhere (which needs a label)."""

    label = blocks.CharBlock(
        required=False,
        max_length=40,
        help_text="What the link says; leave blank to use the page's title.",
    )

    class Meta:
        icon = "link"
        label = "Link"

    def clean(self, value):
        value = super().clean(value)
        if value.get("url") and not value.get("label"):
            raise blocks.StructBlockValidationError(
                block_errors={"label": ValidationError("Say what a link to another site says.")}
            )
        return value


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, help_text="A short invitation.")
    text = blocks.TextBlock(required=False, help_text="One or two sentences.")
    link = LinkTargetBlock()
    button_label = blocks.CharBlock(max_length=40, help_text="What the button says.")

    class Meta:
        icon = "link"
        label = "Call to action"
        template = "components/blocks/call_to_action.html"
        description = "A short invitation with one button, e.g. to volunteer or donate."
        preview_value = {
            "heading": "Get involved",
            "text": "Find out how your NHS trust can join a health partnership.",
            "link": {"page": None, "url": "https://www.thet.org/"},
            "button_label": "Find out more",
        }


class KeyAsksBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        max_length=120, default="Our key asks", help_text="The heading above the list."
    )
    asks = blocks.ListBlock(
        blocks.TextBlock(help_text="One ask, as a sentence."),
        min_num=1,
        help_text="In order of priority; shown as a numbered list.",
    )

    class Meta:
        icon = "list-ol"
        label = "Key asks"
        template = "components/blocks/key_asks.html"
        description = "A numbered list of what THET asks of government, most important first."
        preview_value = {
            "heading": "Our key asks",
            "asks": [
                "Increase health spending as a share of the aid budget.",
                "Back the health partnerships approach.",
            ],
        }


class FeaturedPagesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        required=False, max_length=120, help_text="Optional heading above the cards."
    )
    pages = blocks.ListBlock(
        blocks.PageChooserBlock(),
        min_num=1,
        max_num=12,
        help_text="Pages to show as cards, in order; each shows its title and summary.",
    )

    class Meta:
        icon = "doc-full"
        label = "Featured pages"
        template = "components/blocks/featured_pages.html"
        description = "Cards linking to other pages of the site, with their summaries."
        preview_template = "components/blocks/previews/featured_pages.html"

    def get_preview_value(self):
        pages = library_sample("wagtailcore.Page", count=3, depth__gt=2, live=True)
        return {"heading": "Our work", "pages": pages}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["cards"] = featured_cards(value["pages"])
        return context

    def get_preview_context(self, value, parent_context=None):
        context = super().get_preview_context(value, parent_context=parent_context)
        context["cards"] = featured_cards(value["pages"])
        return context


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(help_text="A PDF or other file from the document library.")
    label = blocks.CharBlock(
        required=False, max_length=160, help_text="Link text; the document's title if blank."
    )

    class Meta:
        icon = "doc-full-inverse"
        label = "Document download"
        template = "components/blocks/document_link.html"
        description = "A download link to a PDF or other file, with its type and size."
        preview_template = "components/blocks/previews/document_link.html"

    def get_preview_value(self):
        document = next(iter(library_sample("wagtaildocs.Document")), None)
        return {"document": document, "label": "Read the full report"}


class VideoBlock(blocks.StructBlock):
    embed = EmbedBlock(help_text="A YouTube or Vimeo address.")
    title = blocks.CharBlock(max_length=160, help_text="Describes the video for screen readers.")

    class Meta:
        icon = "media"
        label = "Video or embed"
        template = "components/blocks/embed.html"
        description = "A YouTube or Vimeo video, played in the page."
        # A still frame, not the player: a preview must not call the video provider.
        preview_template = "components/blocks/previews/embed.html"
        preview_value = {"title": "Health partnerships in action: a short film"}


class TableBlock(WagtailTableBlock):
    class Meta:
        icon = "table"
        label = "Table"
        template = "components/blocks/table.html"
        description = "A simple table of rows and columns, with a header row."
        preview_value = {
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_caption": "Example: health workers trained",
            "data": [
                ["Country", "Partnerships", "Health workers trained"],
                ["Uganda", "12", "3,400"],
                ["Zambia", "9", "2,100"],
            ],
        }


class HighlightBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, help_text="A short name, e.g. a value.")
    text = blocks.TextBlock(help_text="One or two sentences explaining it.")

    class Meta:
        icon = "tick-inverse"
        label = "Highlight"
        description = "A short titled point, e.g. one of THET's values."


class HighlightsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, help_text="E.g. 'Our values'.")
    items = blocks.ListBlock(
        HighlightBlock(), min_num=1, max_num=12, help_text="One to twelve points, in order."
    )

    class Meta:
        icon = "grip"
        label = "Highlights (e.g. values)"
        template = "components/blocks/highlights.html"
        description = "A set of short titled points, such as THET's values."
        preview_value = {
            "heading": "Our values",
            "items": [
                {"title": "Respect and reciprocity", "text": "Both sides learn and benefit."},
                {"title": "Sustainable", "text": "Change that lasts, with evidence of effect."},
            ],
        }


SOCIAL_PLATFORMS = [
    ("x", "X (Twitter)"),
    ("linkedin", "LinkedIn"),
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("youtube", "YouTube"),
    ("bluesky", "Bluesky"),
]


class SocialLinkBlock(blocks.StructBlock):
    platform = blocks.ChoiceBlock(choices=SOCIAL_PLATFORMS, default="linkedin")
    url = blocks.URLBlock(help_text="The full address of THET's profile.")

    class Meta:
        icon = "site"
        label = "Social link"
        description = "A link to one of THET's profiles on a social network."


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul", "h3"],
        icon="pilcrow",
        label="Text",
        template="components/blocks/paragraph.html",
        description="Paragraphs of text with bold, italics, links, lists and sub-headings.",
        preview_value="<p>THET trains and supports health workers through <b>health "
        "partnerships</b> between UK and overseas institutions.</p>",
    )
    image = FigureBlock()
    statistics = StatisticsBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    key_asks = KeyAsksBlock()
    featured_pages = FeaturedPagesBlock()
    document = DocumentLinkBlock()
    embed = VideoBlock()
    table = TableBlock()
    highlights = HighlightsBlock()

    class Meta:
        label = "Body"


# --- A publication's full text (pages/reports.py reads it as a report) ----------------

# What a report's paragraphs may hold. Draftail drops every other kind of formatting, so
# text pasted from Word keeps its structure (paragraphs, lists, links, emphasis) and
# loses its fonts, colours and sizes. A footnote is marked [1] (or as superscript).
REPORT_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "superscript"]
NOTE_FEATURES = ["bold", "italic", "link"]

ANCHOR_HELP = (
    "Optional: the end of the section's link (#…), in lower case with hyphens. Leave blank "
    "to make it from the heading; set it to keep old links working if you reword the heading."
)


class ReportSubheadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, help_text="A sub-heading inside the section.")
    anchor = blocks.RegexBlock(
        regex=r"^[a-z][a-z0-9-]*$",
        required=False,
        max_length=60,
        help_text=ANCHOR_HELP,
        error_messages={"invalid": "Use lower-case letters, digits and hyphens only."},
    )

    class Meta:
        icon = "title"
        label = "Sub-heading"
        description = "A second-level heading inside a section; listed in the contents."
        preview_value = {"text": "What the cuts meant", "anchor": ""}


class ReportFigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(help_text="A chart, diagram or photo from the image library.")
    alt_text = blocks.CharBlock(
        max_length=300,
        help_text="What the figure shows, for people who cannot see it: for a chart, its "
        "main finding ('Health spending fell by a third between 2019 and 2022').",
    )
    caption = blocks.CharBlock(max_length=300, help_text="The figure's title, shown under it.")
    source = blocks.CharBlock(
        required=False, max_length=250, help_text="Where the data or picture comes from."
    )

    class Meta:
        icon = "image"
        label = "Figure"
        template = "components/blocks/report_figure.html"
        description = "A chart or picture with alt text, a caption and its source."


class ReportTableBlock(TableBlock):
    """A data table: a caption and a header row are required, so screen readers can name
    the table and announce each cell's column."""

    def clean(self, value):
        value = super().clean(value)
        if not (value or {}).get("table_caption", "").strip():
            raise ValidationError("Give the table a caption (in the table's options).")
        options = value or {}
        if not (options.get("first_row_is_table_header") or options.get("first_col_is_header")):
            raise ValidationError(
                "Tick 'Row header' or 'Column header' so the table has header cells."
            )
        return value

    class Meta:
        icon = "table"
        label = "Data table"
        template = "components/blocks/table.html"
        description = "A table of figures with a caption and header cells."


class CalloutBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120, help_text="Optional title.")
    text = blocks.RichTextBlock(features=NOTE_FEATURES + ["ul"], help_text="A short point.")

    class Meta:
        icon = "warning"
        label = "Call-out"
        template = "components/blocks/callout.html"
        description = "A boxed point to draw the reader's eye: a definition, a case, a fact."
        preview_value = {"heading": "Health partnerships", "text": "<p>Links of equals.</p>"}


class ReportContentBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=REPORT_TEXT_FEATURES,
        icon="pilcrow",
        label="Text",
        template="components/blocks/report_text.html",
        description="Paragraphs, lists and links. Paste from Word: only the structure is "
        "kept. Mark a footnote by its number in square brackets, e.g. [1], and write the "
        "note under Notes.",
        preview_value="<p>Health partnerships link UK institutions with their peers.</p>",
    )
    subheading = ReportSubheadingBlock()
    figure = ReportFigureBlock()
    table = ReportTableBlock()
    quote = QuoteBlock(label="Pull quote")
    statistics = StatisticsBlock()
    callout = CalloutBlock()
    key_asks = KeyAsksBlock()


class ReportSectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, help_text="The section's heading (level 2).")
    anchor = blocks.RegexBlock(
        regex=r"^[a-z][a-z0-9-]*$",
        required=False,
        max_length=60,
        help_text=ANCHOR_HELP,
        error_messages={"invalid": "Use lower-case letters, digits and hyphens only."},
    )
    content = ReportContentBlock(help_text="The section's text, figures, tables and notes.")

    class Meta:
        icon = "doc-full"
        label = "Section"
        description = "A section of the report: a heading and its content."


class OptionalStreamBlock(blocks.StreamBlock):
    """A top-level stream that a form submission may leave out (a form from before the
    field existed, a script): read as empty instead of failing the whole request."""

    def value_from_datadict(self, data, files, prefix):
        if f"{prefix}-count" not in data:
            return self.to_python([])
        return super().value_from_datadict(data, files, prefix)


class ReportBlock(OptionalStreamBlock):
    section = ReportSectionBlock()

    class Meta:
        label = "Full text"


class FootnotesBlock(OptionalStreamBlock):
    note = blocks.RichTextBlock(
        features=NOTE_FEATURES,
        icon="doc-full",
        label="Note",
        help_text="Notes are numbered in this order: note 1 is the first.",
    )
