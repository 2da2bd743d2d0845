"""Requests no page can answer sensibly, refused before any view sees them."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulMiddleware:
    """A NUL character in the query string is a 400: PostgreSQL refuses NUL in text, so a search
    box or filter would otherwise fail with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            message = _("The address contains a NUL character, which no field accepts.")
            if request.path.startswith("/api/"):
                body = {"error": {"code": "invalid", "message": message, "fields": {}}}
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
