"""Countries, themes and partners are picked by typing, and can be added in place."""

import json

import pytest
from django.contrib.auth.models import Group, User
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from partnerships.models import Country, HealthTheme, PartnerOrganisation, ProjectPage


@pytest.fixture
def comms(db, seeded):
    user = User.objects.create_user("comms", password="x-comms-password-1")
    user.groups.add(Group.objects.get(name="Comms editors"))
    return user


@pytest.fixture
def policy_user(db, seeded):
    user = User.objects.create_user("policy", password="x-policy-password-1")
    user.groups.add(Group.objects.get(name="Policy team"))
    return user


def search(client, model, query):
    response = client.post(
        "/admin/autocomplete/search/", {"type": f"partnerships.{model}", "query": query}
    )
    assert response.status_code == 200
    return [item["title"] for item in response.json()["items"]]


def test_the_uk_picker_offers_only_uk_partners_and_the_overseas_one_only_overseas(client, comms):
    client.force_login(comms)
    uk = PartnerOrganisation.objects.filter(location="uk").first()
    overseas = PartnerOrganisation.objects.filter(location="overseas").first()
    word = overseas.name.split()[0]
    assert overseas.name in search(client, "OverseasPartner", word)
    assert overseas.name not in search(client, "UKPartner", word)
    word = uk.name.split()[0]
    assert uk.name in search(client, "UKPartner", word)
    assert uk.name not in search(client, "OverseasPartner", word)


def test_typing_part_of_a_name_finds_countries_and_themes(client, comms):
    client.force_login(comms)
    assert "Tanzania" in search(client, "Country", "tanz")
    theme = HealthTheme.objects.first()
    assert theme.name in search(client, "HealthTheme", theme.name[:4].lower())


def test_a_new_partner_is_created_in_place_with_its_kind_and_a_slug(client, comms):
    client.force_login(comms)
    response = client.post(
        "/admin/autocomplete/create/",
        {
            "type": "partnerships.OverseasPartner",
            "value": "  Kilimanjaro  Christian Medical Centre",
        },
    )
    assert response.status_code == 200
    partner = PartnerOrganisation.objects.get(pk=response.json()["pk"])
    assert partner.name == "Kilimanjaro Christian Medical Centre"
    assert partner.location == "overseas"
    assert partner.slug == "kilimanjaro-christian-medical-centre"
    # Typing the same name again picks the same partner rather than a copy.
    again = client.post(
        "/admin/autocomplete/create/",
        {"type": "partnerships.OverseasPartner", "value": "kilimanjaro christian medical centre"},
    )
    assert again.json()["pk"] == partner.pk


def test_a_new_country_must_be_one_the_map_knows(client, comms):
    client.force_login(comms)
    Country.objects.filter(iso_code="RW").delete()
    ok = client.post(
        "/admin/autocomplete/create/", {"type": "partnerships.Country", "value": "rwanda"}
    )
    assert ok.status_code == 200
    country = Country.objects.get(pk=ok.json()["pk"])
    assert (country.name, country.iso_code, country.slug) == ("Rwanda", "RW", "rwanda")
    bad = client.post(
        "/admin/autocomplete/create/", {"type": "partnerships.Country", "value": "Atlantis"}
    )
    assert bad.status_code == 400
    assert "not a country the map knows" in bad.content.decode()
    assert not Country.objects.filter(name="Atlantis").exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/autocomplete/search/", {"type": "auth.User", "query": "a"}),
        ("/admin/autocomplete/search/", {"type": "wagtailcore.Page", "query": "a"}),
        ("/admin/autocomplete/create/", {"type": "auth.Group", "value": "Admins"}),
        ("/admin/autocomplete/search/", {"type": "partnerships.Country", "query": "x" * 500}),
    ],
)
def test_the_pickers_answer_for_nothing_else(client, comms, url, data):
    client.force_login(comms)
    assert client.post(url, data).status_code == 400
    assert not Group.objects.filter(name="Admins").exists()


def test_who_may_not_add_partners_cannot_create_one_and_visitors_get_nothing(client, policy_user):
    response = client.post(
        "/admin/autocomplete/search/", {"type": "partnerships.Country", "query": "a"}
    )
    assert response.status_code in (302, 403)  # the login page, not data
    client.force_login(policy_user)
    before = PartnerOrganisation.objects.count()
    response = client.post(
        "/admin/autocomplete/create/", {"type": "partnerships.UKPartner", "value": "New Trust"}
    )
    assert response.status_code == 403
    assert PartnerOrganisation.objects.count() == before


def test_a_project_saves_with_picked_partners_and_refuses_one_of_the_wrong_kind(client, comms):
    client.force_login(comms)
    project = ProjectPage.objects.live().first()
    uk = PartnerOrganisation.objects.filter(location="uk").first()
    overseas = PartnerOrganisation.objects.filter(location="overseas").first()
    tanzania = Country.objects.get(iso_code="TZ")

    def post(uk_partners):
        data = nested_form_data(
            {
                "title": project.title,
                "slug": project.slug,
                "summary": project.summary,
                "countries": json.dumps([{"pk": tanzania.pk}]),
                "themes": "null",
                "uk_partners": json.dumps([{"pk": p.pk} for p in uk_partners]),
                "overseas_partners": json.dumps([{"pk": overseas.pk}]),
                "body": streamfield([("paragraph", rich_text("<p>Body</p>"))]),
            }
        )
        return client.post(f"/admin/pages/{project.pk}/edit/", data)

    response = post([overseas])  # an overseas partner sent as a UK partner
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    response = post([uk])
    assert response.status_code == 302
    project.refresh_from_db()
    saved = project.get_latest_revision_as_object()
    assert list(saved.uk_partners.all()) == [uk]
    assert list(saved.countries.all()) == [tanzania]


def test_the_project_editor_shows_the_pickers(client, comms):
    client.force_login(comms)
    project = ProjectPage.objects.live().first()
    html = client.get(f"/admin/pages/{project.pk}/edit/").content.decode()
    assert 'data-autocomplete-input-type="partnerships.UKPartner"' in html
    assert 'data-autocomplete-input-type="partnerships.OverseasPartner"' in html
    assert 'data-autocomplete-input-type="partnerships.Country"' in html
    assert "data-autocomplete-input-can-create" in html
    assert 'type="checkbox" name="countries"' not in html


def test_a_new_country_saved_without_a_slug_gets_one(client, comms):
    admin = User.objects.create_superuser("boss", password="x-boss-password-1")
    client.force_login(admin)
    Country.objects.filter(iso_code="MW").delete()
    response = client.post(
        "/admin/snippets/partnerships/country/add/",
        {"name": "Malawi", "slug": "", "iso_code": "MW"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Country.objects.get(iso_code="MW").slug == "malawi"


def test_the_sidebar_says_what_each_entry_holds(client, comms):
    client.force_login(comms)
    html = client.get("/admin/").content.decode().replace("\\u0026", "&")
    for label in ("Projects", "Publications", "Project tags", "Help"):
        assert f'"label": "{label}"' in html
    assert '"label": "Partnerships"' not in html
    admin = User.objects.create_superuser("boss", password="x-boss-password-1")
    client.force_login(admin)
    html = client.get("/admin/").content.decode().replace("\\u0026", "&")
    assert '"label": "Admin reports"' in html
    assert '"label": "Reports"' not in html
    assert '"label": "Publication tags"' in html


@pytest.mark.parametrize(
    ("name", "index_path"),
    [("projects", "/our-work/projects/"), ("publications", "/publications/")],
)
def test_projects_and_publications_open_at_their_listing(client, comms, name, index_path):
    client.force_login(comms)
    response = client.get(f"/admin/go/{name}/")
    index = Page.objects.get(url_path__endswith=index_path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{index.pk}/"


def test_a_misspelt_country_is_answered_with_the_closest_names(client, comms):
    client.force_login(comms)
    response = client.post(
        "/admin/autocomplete/create/", {"type": "partnerships.Country", "value": "Keny"}
    )
    assert response.status_code == 400
    message = response.json()["name"][0]
    assert "not a country the map knows" in message
    assert "Did you mean Kenya?" in message
    assert not Country.objects.filter(name__iexact="Keny").exists()


def test_the_project_editor_loads_the_picker_confirmation_and_styles(client, comms):
    client.force_login(comms)
    project = ProjectPage.objects.live().first()
    html = client.get(f"/admin/pages/{project.pk}/edit/").content.decode()
    assert "js/admin-pickers" in html
    assert "css/admin-pickers" in html
