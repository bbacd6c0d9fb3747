"""A live publication's files change only through sign-off.

The PDF (``document``) and cover (``cover_image``) of a live publication are what the
public downloads and sees (and those of an approved, scheduled one, what it will see).
Replacing the file of that document or image in the admin, or deleting it, would change
the publication at once, with no revision and no Moderator. So, for everyone but
superusers:

* the document and image edit forms refuse a new file for a document or image that a
  live (or approved and scheduled) publication uses, and say how to change it instead:
  upload a new one and choose it in the publication, which then goes through "Policy
  sign-off" (``WAGTAILDOCS_DOCUMENT_FORM_BASE`` / ``WAGTAILIMAGES_IMAGE_FORM_BASE``);
* the permission policies of documents and images refuse "delete" for them (the delete
  views, bulk delete and the upload views all ask the policy).

Title, tags and collection may still be edited; a file no such publication uses is not
locked at all. An image's focal point is locked with its file: every crop of a cover on
the site is cut around it.
"""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.documents import get_document_model
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm
from wagtail.models import Revision
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permissions import register_permission_policy

from policy import holdback
from policy.models import DocumentCheck, DocumentSharing, PublicationPage
from policy.pdfreport import report


def live_publications_using(obj):
    """The live publications whose PDF (a document) or cover (an image) ``obj`` is."""
    if obj is None or obj.pk is None:
        return PublicationPage.objects.none()
    field = "document" if isinstance(obj, get_document_model()) else "cover_image"
    return PublicationPage.objects.live().filter(**{field: obj})


def scheduled_launches_using(obj):
    """Approved, scheduled publication revisions whose PDF or cover ``obj`` is: signed off
    as they are, so their files are locked too."""
    field = "document" if isinstance(obj, get_document_model()) else "cover_image"
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(PublicationPage),
        approved_go_live_at__isnull=False,
        **{f"content__{field}": obj.pk},
    )


def is_locked_for(user, obj) -> bool:
    if user is not None and user.is_active and user.is_superuser:
        return False
    if obj is None or obj.pk is None:
        return False
    return live_publications_using(obj).exists() or scheduled_launches_using(obj).exists()


def lock_message(obj) -> str:
    titles = list(live_publications_using(obj).values_list("title", flat=True))
    titles += [revision.object_str for revision in scheduled_launches_using(obj)]
    titles = ", ".join(f"“{title}”" for title in dict.fromkeys(titles))
    return (
        f"This file is signed off for {titles}, so it cannot be replaced here. "
        "Upload the new file as a new document or image, choose it in the publication "
        "and submit the publication for sign-off: it changes when that is approved."
    )


class LiveFileLockFormMixin:
    # What the public sees of a signed-off file: its bytes (and, for an image, the focal
    # point every crop of it is cut around).
    locked_fields = ("file",)

    def __init__(self, *args, **kwargs):
        self.lock_user = kwargs.get("user")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        changed = [name for name in self.locked_fields if name in self.changed_data]
        if changed and is_locked_for(self.lock_user, self.instance):
            # The focal point fields are hidden inputs: their error goes on the form.
            self.add_error("file" if "file" in changed else None, lock_message(self.instance))
        return cleaned_data


class CheckReportWidget(forms.Widget):
    """Shows a PDF's accessibility check (``policy/pdfcheck.py``) in the document form;
    it takes no input."""

    def __init__(self, document, check, attrs=None):
        super().__init__(attrs)
        self.document, self.check = document, check

    def render(self, name, value, attrs=None, renderer=None):
        context = {"document": self.document, "check": self.check, "problems": report(self.check)}
        return render_to_string("policy/admin/document_check.html", context)

    def value_from_datadict(self, data, files, name):
        return None


class AccessibilityCheckFormMixin:
    """Once a PDF is uploaded (the upload's own form, and editing it later), the form
    says what its accessibility check found and what to ask of the designer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        document = self.instance
        if document is None or document.pk is None:
            return
        if document.file_extension.lower() != "pdf":
            return
        check = DocumentCheck.objects.filter(document=document).first()
        self.fields["accessibility_check"] = forms.Field(
            required=False,
            disabled=True,
            label="Accessibility check",
            widget=CheckReportWidget(document, check),
        )


class LockedDocumentForm(LiveFileLockFormMixin, AccessibilityCheckFormMixin, BaseDocumentForm):
    """The document form: the file lock, and the "public on its own" mark.

    The mark is kept in ``DocumentSharing`` (a side table, see ``policy.models``) and
    refused while a publication that is not live yet claims the file.
    """

    public_on_its_own = forms.BooleanField(
        required=False,
        label="Public on its own",
        help_text="Anyone with the link may download this file, even if no live page "
        "offers it. Leave unticked for a file a page or publication will offer: it is "
        "then public from the moment that page is live. Not possible for a "
        "publication's file before its launch.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["public_on_its_own"].initial = DocumentSharing.objects.filter(
                document=self.instance, public_on_its_own=True
            ).exists()

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("public_on_its_own")
            and "public_on_its_own" in self.changed_data
            and self.instance.pk
            and holdback.is_claimed(self.instance)
        ):
            self.add_error("public_on_its_own", embargo_message(self.instance, marking=True))
        return cleaned_data

    def save(self, commit=True):
        document = super().save(commit=commit)
        if commit and "public_on_its_own" in self.changed_data:
            DocumentSharing.objects.update_or_create(
                document=document,
                defaults={
                    "public_on_its_own": self.cleaned_data["public_on_its_own"],
                    "changed_by": self.lock_user,
                },
            )
        return document


def launch_words(document) -> str:
    """ "“Title” (launching 3 June 2026, 09:00)", for each publication that claims it."""
    parts = []
    for title, when in holdback.launches_of(document):
        if when is None:
            parts.append(f"“{title}” (launching once it is signed off)")
        else:
            moment = date_format(timezone.localtime(when), "j F Y, H:i")
            parts.append(f"“{title}” (launching {moment})")
    return ", ".join(parts) or "a publication not live yet"


def embargo_message(document, marking=False) -> str:
    if marking:
        return (
            f"This file is embargoed for {launch_words(document)}: it becomes public "
            "when that publication goes live, and cannot be made public on its own before."
        )
    return (
        f"“{document.title}” is embargoed until the launch of {launch_words(document)}: "
        "the link works from the launch."
    )


class CompleteImageField(WagtailImageField):
    """Wagtail's image field, refusing a file that Pillow cannot read to the end.

    Wagtail decodes an upload to count its pixels and lets the decoder's error out: a
    truncated or damaged JPEG was a 500 rather than a message on the form.
    """

    def check_image_pixel_size(self, f):
        try:
            super().check_image_pixel_size(f)
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValidationError(
                "This image file is damaged or incomplete, so it cannot be shown. Open "
                "it on your computer, save it again and upload the new copy.",
                code="invalid_image",
            ) from exc


class LockedImageForm(LiveFileLockFormMixin, BaseImageForm):
    locked_fields = (
        "file",
        "focal_point_x",
        "focal_point_y",
        "focal_point_width",
        "focal_point_height",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if isinstance(field, WagtailImageField):
            # The same field with the same widget and label, reading the whole file.
            self.fields["file"] = CompleteImageField(
                label=field.label, required=field.required, widget=field.widget
            )


class LiveFileLockPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's policy for documents and images, but "delete" is refused for a file a
    live publication uses (superusers excepted)."""

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if "delete" in actions and is_locked_for(user, instance):
            actions = [action for action in actions if action != "delete"]
            if not actions:
                return False
        return super().user_has_any_permission_for_instance(user, actions, instance)


def register():
    """Replace Wagtail's document and image permission policies (from wagtail_hooks)."""
    for model, auth_model in (
        (get_document_model(), "wagtaildocs.Document"),
        (get_image_model(), "wagtailimages.Image"),
    ):
        # exact_class: wins over Wagtail's own, whichever app's ready() registers last.
        register_permission_policy(
            model,
            LiveFileLockPolicy(model, auth_model=auth_model, owner_field_name="uploaded_by_user"),
            exact_class=True,
        )
