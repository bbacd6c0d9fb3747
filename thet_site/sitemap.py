"""Wagtail's sitemap, with every address on the site's public URL (thet_site.siteurl)."""

from wagtail.contrib.sitemaps import Sitemap

from thet_site.siteurl import absolute_url


class PublicSitemap(Sitemap):
    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url_info in urls:
            url_info["location"] = absolute_url(self.request, url_info["location"])
        return urls
