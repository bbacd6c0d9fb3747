"""RSS 2.0 feed of the latest publications, at /publications/feed/."""

from django.utils import feedgenerator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from pages.feeds import ListingFeed
from policy.models import PublicationIndexPage, PublicationPage
from thet_site.siteurl import absolute_url


class PublicationFeed(ListingFeed):
    index_model = PublicationIndexPage
    title = "THET publications"
    description = (
        "New reports, discussion papers, policy papers and briefings from THET, the "
        "Tropical Health & Education Trust."
    )

    def items(self):
        return PublicationPage.objects.for_listing()[: self.limit]

    def item_description(self, item):
        """The summary, then the full text where the publication has one: each section
        as its heading and its words (feed readers show the description as HTML)."""
        summary = format_html("<p>{}</p>", item.get_summary())
        sections = [
            format_html("<h2>{}</h2><p>{}</p>", section.heading, section.body_text())
            for section in item.report_sections
        ]
        return summary + mark_safe("".join(sections))  # noqa: S308 - each part built by format_html

    def item_author_name(self, item):
        return ", ".join(item.author_list) or None

    def item_categories(self, item):
        names = [item.publication_type.name] if item.publication_type else []
        return names + [topic.name for topic in item.topics.all()]

    def item_enclosures(self, item):
        document = item.document
        if document is None:
            return []
        size = document.get_file_size() or 0
        return [
            feedgenerator.Enclosure(
                url=absolute_url(self.request, document.url),
                length=str(size),
                mime_type=document.content_type,
            )
        ]
