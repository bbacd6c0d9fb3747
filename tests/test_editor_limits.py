"""What one editor can undo by mistake, and what they cannot: real POSTs to the admin.

A Comms editor may take one publication down (a takedown), but cannot take more than one
signed-off publication offline in one action, nor delete one, nor unpublish or delete
the home page. Superusers still can.
"""

import pytest
from django.urls import reverse
from wagtail.models import Page

from policy.models import PolicyWorkPage, PublicationIndexPage, PublicationPage
from tests.test_roles import as_user, home

pytestmark = pytest.mark.django_db


def live_publications():
    return PublicationPage.objects.live().count()


def unpublish(client, user, page, with_subpages):
    url = reverse("wagtailadmin_pages:unpublish", args=(page.pk,))
    data = {"include_descendants": "on"} if with_subpages else {}
    return as_user(client, user).post(url, data)


def delete(client, user, page):
    url = reverse("wagtailadmin_pages:delete", args=(page.pk,))
    return as_user(client, user).post(url)


def bulk(client, user, action, pages, **data):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", action))
    query = "&".join(f"id={page.pk}" for page in pages)
    return as_user(client, user).post(f"{url}?{query}", data)


def test_there_are_publications_to_lose():
    assert live_publications() >= 2


def test_comms_cannot_unpublish_the_publications_with_their_index(client, comms):
    before = live_publications()
    index = PublicationIndexPage.objects.get()
    response = unpublish(client, comms, index, with_subpages=True)
    assert response.status_code in (302, 403)
    assert live_publications() == before
    index.refresh_from_db()
    assert index.live
    # The editor is told why, in words.
    html = client.get(response.url).content.decode() if response.status_code == 302 else ""
    assert "signed-off" in html


def test_comms_cannot_unpublish_a_section_holding_signed_off_pages(client, comms):
    our_work = Page.objects.get(slug="our-work")
    unpublish(client, comms, our_work, with_subpages=True)
    assert PolicyWorkPage.objects.get().live
    our_work.refresh_from_db()
    assert our_work.live


def test_comms_takes_a_single_publication_down(client, comms):
    publication = PublicationPage.objects.live().order_by("pk").first()
    before = live_publications()
    assert unpublish(client, comms, publication, with_subpages=False).status_code == 302
    publication.refresh_from_db()
    assert not publication.live
    assert live_publications() == before - 1


def test_comms_cannot_delete_a_signed_off_publication(client, comms):
    publication = PublicationPage.objects.live().order_by("pk").first()
    response = delete(client, comms, publication)
    assert response.status_code in (302, 403)
    assert PublicationPage.objects.filter(pk=publication.pk, live=True).exists()


def test_comms_cannot_bulk_unpublish_several_publications(client, comms):
    publications = list(PublicationPage.objects.live().order_by("pk")[:2])
    before = live_publications()
    bulk(client, comms, "unpublish", publications, include_descendants="")
    assert live_publications() == before


def test_comms_cannot_bulk_unpublish_the_index_with_its_publications(client, comms):
    before = live_publications()
    bulk(client, comms, "unpublish", [PublicationIndexPage.objects.get()], include_descendants="on")
    assert live_publications() == before


def test_comms_cannot_bulk_delete_publications(client, comms):
    publications = list(PublicationPage.objects.live().order_by("pk")[:2])
    bulk(client, comms, "delete", publications)
    assert PublicationPage.objects.filter(pk__in=[p.pk for p in publications]).count() == 2


def test_comms_cannot_unpublish_or_delete_the_home_page(client, comms):
    page = home()
    assert unpublish(client, comms, page, with_subpages=False).status_code in (302, 403)
    assert home().live
    bulk(client, comms, "unpublish", [page], include_descendants="")
    assert home().live
    assert delete(client, comms, page).status_code in (302, 403)
    bulk(client, comms, "delete", [page])
    assert Page.objects.filter(pk=page.pk, live=True).exists()
    client.logout()
    assert client.get("/").status_code == 200


def test_the_edit_menu_offers_comms_no_unpublish_on_the_home_page(client, comms):
    html = as_user(client, comms).get(reverse("wagtailadmin_pages:edit", args=(home().pk,)))
    html = html.content.decode()
    assert reverse("wagtailadmin_pages:unpublish", args=(home().pk,)) not in html


def test_a_superuser_still_can(client, admin_user):
    index = PublicationIndexPage.objects.get()
    unpublish(client, admin_user, index, with_subpages=True)
    assert live_publications() == 0
