from django.db import migrations
from django.db.models import Q

# Links that live pages already have were published before releases were recorded. Each
# link to a file that no unlaunched publication claims now is recorded as a release, as if
# its page were published today, so a publication drafted later cannot withdraw a file
# that was public through that link. Links to claimed files stay held until the launch.
# (Whether the page is in a private section is read at download time, not here.)


def record_existing_releases(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    PublicationPage = apps.get_model("policy", "PublicationPage")
    DocumentLinkRelease = apps.get_model("policy", "DocumentLinkRelease")
    document_type = ContentType.objects.filter(app_label="wagtaildocs", model="document").first()
    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    publication_type = ContentType.objects.filter(app_label="policy", model="publicationpage")
    if document_type is None or page_type is None:
        return
    live_pages = set(Page.objects.filter(live=True).values_list("pk", flat=True))
    links = ReferenceIndex.objects.filter(
        to_content_type=document_type, base_content_type=page_type
    ).values_list("object_id", "to_object_id")
    for page_id, document_id in {(p, d) for p, d in links if p.isdigit() and d.isdigit()}:
        page_id, document_id = int(page_id), int(document_id)
        if page_id not in live_pages:
            continue
        claimed = (
            PublicationPage.objects.filter(
                Q(document_id=document_id) | Q(latest_revision__content__document=document_id)
            )
            .exclude(document_id=document_id, live=True)
            .exists()
            or Revision.objects.filter(
                content_type__in=publication_type,
                approved_go_live_at__isnull=False,
                content__document=document_id,
            ).exists()
        )
        if not claimed:
            DocumentLinkRelease.objects.get_or_create(document_id=document_id, page_id=page_id)


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0006_embargo_document_sharing"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
    ]

    operations = [migrations.RunPython(record_existing_releases, migrations.RunPython.noop)]
