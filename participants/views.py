"""Registry pages outside the admin: the access-checked document download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from . import services
from .models import PersonalDocument


@require_GET
@login_required
def document_download(request, pk):
    """The file as an attachment for users who may see it; 404 for everyone else.

    `document_open` checks visibility and restricted kinds and records the download.
    """
    try:
        document = PersonalDocument.objects.select_related("participant").get(pk=pk)
        handle = services.document_open(document=document, user=request.user)
    except PersonalDocument.DoesNotExist as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or f"document-{document.pk}",
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
