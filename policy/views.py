"""Small views for publications (the listing and pages are Wagtail pages)."""

from django.http import Http404


def no_direct_documents(request):
    """Development only: documents are never served straight from MEDIA_ROOT."""
    raise Http404("Documents are served from /documents/.")
