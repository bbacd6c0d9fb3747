"""The top layer: site-wide composition (site search, the seed loader, health, the home
page's latest publications). It may import every app; nothing imports it except
``thet_site.urls`` (docs/ARCHITECTURE.md)."""
