"""Pictures: projects, publications (covers) and the home page get a picture set on the
Content tab, with alt text or an explicit "decorative" tick, shown as responsive AVIF/WebP
on cards and page headers, and used as the share image."""

import importlib
import io
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from pages.models import HomePage
from partnerships.models import ProjectIndexPage, ProjectPage
from policy.models import PublicationPage

from .factories import (
    ContentPageFactory,
    CountryFactory,
    ProjectPageFactory,
    PublicationPageFactory,
)


def make_photo(title="Midwives in training", size=(1800, 1000)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (0, 79, 139)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.jpg")
    )


@pytest.fixture
def photo(db, media_root):
    return make_photo()


@pytest.fixture
def project(seeded):
    return ProjectPageFactory(title="A project to picture", countries=[CountryFactory()])


@pytest.fixture
def publication(seeded):
    return PublicationPageFactory(title="A report to cover")


@pytest.fixture
def comms(db, seeded):
    user = User.objects.create_user("comms", password="x-comms-password-1")
    user.groups.add(Group.objects.get(name="Comms editors"))
    return user


def img_tags(html):
    return re.findall(r"<img\b[^>]*>", html)


def attrs(tag):
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def media_imgs(html):
    return [attrs(tag) for tag in img_tags(html) if "/media/images/" in tag]


def pictures(html):
    return re.findall(r"<picture>.*?</picture>", html, re.S)


# --- The editor's form: alt text or "decorative" --------------------------------------


def project_form(project, **extra):
    return nested_form_data(
        {
            "title": project.title,
            "slug": project.slug,
            "summary": project.summary,
            "countries": json.dumps([{"pk": c.pk} for c in project.countries.all()]),
            "themes": "null",
            "uk_partners": "null",
            "overseas_partners": "null",
            "body": streamfield([("paragraph", rich_text("<p>Body</p>"))]),
            **extra,
        }
    )


def test_a_picture_needs_alt_text_or_the_decorative_tick(client, comms, photo, project):
    client.force_login(comms)
    url = f"/admin/pages/{project.pk}/edit/"

    response = client.post(url, project_form(project, hero_image=photo.pk))
    assert response.status_code == 200  # the form again, with the editor's input kept
    html = response.content.decode()
    assert "Describe the picture for people who cannot see it" in html
    assert project.get_latest_revision_as_object().hero_image is None  # nothing saved

    response = client.post(
        url, project_form(project, hero_image=photo.pk, hero_image_alt="Nurses at work")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    saved = project.get_latest_revision_as_object()
    assert (saved.hero_image, saved.hero_image_alt) == (photo, "Nurses at work")

    response = client.post(
        url, project_form(project, hero_image=photo.pk, hero_image_decorative="on")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.get_latest_revision_as_object().hero_image_decorative


def test_the_picture_is_on_the_content_tab_of_projects_publications_and_home(
    client, comms, project, publication
):
    client.force_login(comms)
    for page, field in [
        (project, "hero_image"),
        (publication, "cover_image"),
        (HomePage.objects.get(), "hero_image"),
    ]:
        html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
        content_tab = html.split('id="tab-content"', 1)[1].split('id="tab-promote"', 1)[0]
        assert f'name="{field}"' in content_tab, page
        assert f'name="{field}_alt"' in content_tab, page
        assert f'name="{field}_decorative"' in content_tab, page
        promote_tab = html.split('id="tab-promote"', 1)[1]
        assert 'name="hero_image"' not in promote_tab


def test_a_cover_needs_alt_text_or_the_decorative_tick_too(client, comms, photo, publication):
    client.force_login(comms)

    def post(**picture):
        data = nested_form_data(
            {
                "title": publication.title,
                "slug": publication.slug,
                "publication_type": publication.publication_type_id,
                "publication_date": publication.publication_date.isoformat(),
                "summary": publication.summary,
                "authors": publication.authors,
                "body": streamfield([("paragraph", rich_text("<p>Body</p>"))]),
                **picture,
            }
        )
        return client.post(f"/admin/pages/{publication.pk}/edit/", data)

    response = post(cover_image=photo.pk, cover_image_alt="   ")
    assert response.status_code == 200
    assert "Describe the picture for people who cannot see it" in response.content.decode()
    response = post(cover_image=photo.pk, cover_image_alt="The report's cover: a midwife")
    assert response.status_code == 302
    publication.refresh_from_db()
    saved = publication.get_latest_revision_as_object()
    assert saved.cover_image_alt == "The report's cover: a midwife"


# --- What visitors get --------------------------------------------------------------------


def test_project_cards_show_the_picture_as_responsive_avif_and_webp(client, photo, project):
    project.hero_image = photo
    project.hero_image_alt = "Midwives practising newborn resuscitation"
    project.save_revision().publish()

    html = client.get("/our-work/projects/").content.decode()
    (card,) = [
        c
        for c in re.findall(r'<article class="card project-card">.*?</article>', html, re.S)
        if "<picture>" in c
    ]
    assert project.title in card
    (picture,) = pictures(card)
    assert re.search(r'<source [^>]*type="image/avif"', picture)
    assert 'type="image/webp"' in picture
    (img,) = media_imgs(card)
    assert img["alt"] == "Midwives practising newborn resuscitation"
    assert "data-decorative" not in img
    assert (img["width"], img["height"]) == ("320", "180")
    assert img["loading"] == "lazy" and img["decoding"] == "async"
    assert re.search(r"\s480w", img["srcset"]) and img["sizes"]
    assert img["src"].endswith(".jpg")  # the fallback for browsers without AVIF or WebP

    # The project's own page shows it at the top, at once (above the fold).
    html = client.get(project.url).content.decode()
    header = re.search(r'<header class="page-header.*?</header>', html, re.S).group(0)
    (img,) = media_imgs(header)
    assert img["alt"] == "Midwives practising newborn resuscitation"
    assert img["fetchpriority"] == "high" and "loading" not in img
    assert 'type="image/avif"' in header


def test_cards_without_a_picture_have_no_placeholder(seeded, client):
    html = client.get("/our-work/projects/").content.decode()
    assert "<picture" not in html.split("<main", 1)[1]
    assert "card__image" not in html


def test_a_decorative_picture_gets_empty_alt(client, photo, project):
    project.hero_image = photo
    project.hero_image_alt = "Ignored: the editor ticked decorative"
    project.hero_image_decorative = True
    project.save_revision().publish()
    html = client.get("/our-work/projects/").content.decode()
    (img,) = media_imgs(html)
    assert img["alt"] == "" and img["data-decorative"] == "true"


def test_the_home_page_shows_its_picture_at_once(seeded, client, photo):
    home = HomePage.objects.get()
    home.hero_image = photo
    home.hero_image_alt = "Health workers at a training day"
    home.save_revision().publish()
    html = client.get("/").content.decode()
    hero = re.search(r'<header class="hero.*?</header>', html, re.S).group(0)
    (img,) = media_imgs(hero)
    assert img["alt"] == "Health workers at a training day"
    assert img["fetchpriority"] == "high" and "loading" not in img
    assert int(img["width"]) > 0 and int(img["height"]) > 0
    assert 'type="image/avif"' in hero and 'type="image/webp"' in hero


def test_publication_cards_show_the_cover_with_its_alt_text(client, photo, publication):
    publication.cover_image = photo
    publication.cover_image_alt = "Cover: a nurse in a blue uniform"
    publication.save_revision().publish()
    html = client.get("/publications/").content.decode()
    (img,) = media_imgs(html)
    assert img["alt"] == "Cover: a nurse in a blue uniform"
    assert img["loading"] == "lazy" and img["width"] == "120"
    html = client.get(publication.url).content.decode()
    assert any(i["alt"] == "Cover: a nurse in a blue uniform" for i in media_imgs(html))


def test_the_share_image_is_the_picture_with_its_alt_text(client, photo, project):
    project.hero_image = photo
    project.hero_image_alt = "Midwives practising newborn resuscitation"
    project.save_revision().publish()
    html = client.get(project.url).content.decode()
    og = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert "/media/images/" in og and og.startswith("http")
    alt = re.search(r'<meta property="og:image:alt" content="([^"]+)"', html).group(1)
    assert alt == "Midwives practising newborn resuscitation"


def test_pictures_on_cards_add_no_query_per_card(seeded, client, full_render, media_root):
    """Twenty cards with pictures cost the same queries as one."""
    index = ProjectIndexPage.objects.get()
    projects = list(ProjectPage.objects.child_of(index).live().order_by("title"))

    def count():
        client.get("/our-work/projects/")  # renditions made on the first view
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/our-work/projects/").status_code == 200
        return len(ctx)

    projects[0].hero_image = make_photo("First")
    projects[0].hero_image_decorative = True
    projects[0].save_revision().publish()
    one = count()
    for n in range(20 - len(projects)):
        projects.append(ProjectPageFactory(parent=index, title=f"Extra project {n:02}"))
    for n, project in enumerate(projects[:20]):
        project.hero_image = make_photo(f"Photo {n}", size=(700, 400))
        project.hero_image_alt = f"Photo {n}"
        project.save_revision().publish()
    twenty = count()
    html = client.get("/our-work/projects/").content.decode()
    assert len(media_imgs(html)) == 20
    assert twenty == one


# --- Data kept --------------------------------------------------------------------------


def test_the_migration_keeps_pictures_as_they_were_shown(seeded, photo):
    """Existing pictures stay, marked decorative (they were shown with alt=""); covers
    keep the description they had ("Cover of <title>")."""
    about = HomePage.objects.get()
    HomePage.objects.filter(pk=about.pk).update(hero_image=photo)
    project = ProjectPageFactory()
    ProjectPage.objects.filter(pk=project.pk).update(hero_image=photo)
    publication = PublicationPageFactory()
    PublicationPage.objects.filter(pk=publication.pk).update(cover_image=photo)
    described = ProjectPageFactory()
    ProjectPage.objects.filter(pk=described.pk).update(hero_image=photo, hero_image_alt="Kept")

    for module in (
        "pages.migrations.0006_pictures_alt_text",
        "partnerships.migrations.0004_pictures_alt_text",
        "policy.migrations.0005_pictures_alt_text",
    ):
        importlib.import_module(module).keep_pictures_as_shown(apps, connection.schema_editor())

    home = HomePage.objects.get()
    assert home.hero_image == photo and home.hero_image_decorative
    project = ProjectPage.objects.get(pk=project.pk)
    assert project.hero_image == photo and project.hero_image_decorative
    described = ProjectPage.objects.get(pk=described.pk)
    assert described.hero_image_alt == "Kept" and not described.hero_image_decorative
    publication = PublicationPage.objects.get(pk=publication.pk)
    assert publication.cover_image == photo
    assert publication.cover_image_alt == f"Cover of {publication.title}"


def test_featured_page_cards_show_pictures_without_a_query_per_card(
    seeded, client, full_render, media_root
):
    projects = [ProjectPageFactory(title=f"Featured project {n}") for n in range(3)]
    for n, project in enumerate(projects):
        project.hero_image = make_photo(f"Featured {n}", size=(700, 400))
        project.hero_image_alt = f"Featured photo {n}"
        project.save_revision().publish()
    about = ContentPageFactory(title="About featured projects")

    def feature(pages):
        about.body = [
            {"type": "featured_pages", "value": {"heading": "Projects", "pages": pages}},
            *[block for block in about.body.raw_data if block["type"] != "featured_pages"],
        ]
        about.save_revision().publish()
        client.get(about.url)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(about.url).content.decode()
        return html, len(ctx)

    html, one = feature([projects[0].pk])
    assert [i["alt"] for i in media_imgs(html)] == ["Featured photo 0"]
    html, three = feature([p.pk for p in projects])
    featured = re.search(r'<section class="featured">.*?</section>', html, re.S).group(0)
    imgs = media_imgs(featured)
    assert [i["alt"] for i in imgs] == [f"Featured photo {n}" for n in range(3)]
    assert all(i["loading"] == "lazy" and i["width"] == "320" for i in imgs)
    assert three == one
