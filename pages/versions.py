"""Versions recorded by data migrations, with the historical models they are given.

* ``give_pages_a_first_revision``: every page has its history from the first version.
  A page created without a revision (``add_child`` alone) has nothing in its history to
  restore; it gets a revision holding what it is now (its live version if it is live)
  and a history entry, so after the next edit its original can be restored.
* ``store_home_buttons``: the home page's two standard buttons used to be written in its
  template whenever the page had none, so adding a third silently removed them. They
  are stored as the page's content (and in a draft that lacks them).

Both are idempotent and change nothing a visitor sees.
"""

import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import get_serializable_data_for_fields

HOME_BUTTONS = (("our-work", "Explore our work"), ("publications", "Read our publications"))


def serialised(apps, page):
    """What Wagtail keeps in a revision of ``page`` (``Page.serializable_data``): its
    fields, many-to-many choices and child objects, from the historical models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.get(pk=page.content_type_id)
    try:
        model = apps.get_model(content_type.app_label, content_type.model)
    except LookupError:  # a page type whose app is gone: nothing to restore it as
        return None
    specific = model.objects.get(pk=page.pk)
    content = get_serializable_data_for_fields(specific)
    for field in model._meta.many_to_many:
        content[field.name] = list(getattr(specific, field.name).values_list("pk", flat=True))
    for relation in model._meta.related_objects:
        if relation.one_to_many and isinstance(relation.remote_field, ParentalKey):
            children = getattr(specific, relation.get_accessor_name()).all()
            content[relation.get_accessor_name()] = [
                get_serializable_data_for_fields(child) for child in children
            ]
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))


def record_revision(apps, page, content, *, publish, when=None):
    """Save ``content`` as the page's newest revision (and live one if ``publish``), with
    its entry in the page's history."""
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    PageLogEntry = apps.get_model("wagtailcore", "PageLogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    base_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    when = when or timezone.now()
    revision = Revision.objects.create(
        content_type_id=page.content_type_id,
        base_content_type=base_type,
        object_id=str(page.pk),
        created_at=when,
        content=content,
        object_str=page.title,
    )
    changes = {"latest_revision": revision, "latest_revision_created_at": when}
    if publish:
        changes["live_revision"] = revision
    Page.objects.filter(pk=page.pk).update(**changes)
    PageLogEntry.objects.create(
        content_type_id=page.content_type_id,
        page_id=page.pk,
        label=page.title,
        action="wagtail.publish" if publish else "wagtail.edit",
        revision=revision,
        content_changed=True,
        timestamp=when,
        data={},
    )
    return revision


def give_pages_a_first_revision(apps, schema_editor=None):
    Page = apps.get_model("wagtailcore", "Page")
    pages = Page.objects.filter(depth__gt=1, latest_revision__isnull=True, alias_of__isnull=True)
    for page in pages.order_by("path").iterator():
        content = serialised(apps, page)
        if content is None:
            continue
        when = page.last_published_at or page.first_published_at
        record_revision(apps, page, content, publish=page.live, when=when)


def button_stream(apps, home):
    Page = apps.get_model("wagtailcore", "Page")
    children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
    stream = []
    for slug, label in HOME_BUTTONS:
        target = children.filter(slug=slug).first()
        if target is not None:
            value = {"page": target.pk, "url": "", "label": label}
            stream.append({"type": "link", "value": value, "id": str(uuid.uuid4())})
    return stream


def is_empty_stream(value) -> bool:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return not value


def store_home_buttons(apps, schema_editor=None):
    HomePage = apps.get_model("pages", "HomePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    for home in HomePage.objects.all():
        stream = button_stream(apps, home)
        if not stream:
            continue
        draft = Revision.objects.filter(pk=home.latest_revision_id).first()
        if draft is not None and draft.pk != home.live_revision_id:
            if is_empty_stream(draft.content.get("hero_links")):
                draft.content["hero_links"] = json.dumps(stream)
                draft.save(update_fields=["content"])
        if len(home.hero_links):
            continue
        home.hero_links = stream
        home.save(update_fields=["hero_links"])
        record_revision(apps, home, serialised(apps, home), publish=home.live)
        if draft is not None and draft.pk != home.live_revision_id:
            # The editor's draft stays the newest version.
            HomePage.objects.filter(pk=home.pk).update(latest_revision=draft)
