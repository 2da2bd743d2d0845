"""Who may call which endpoint, beyond the rows `visible_to` lets them see."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


def token_of(request):
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def may_write(request):
    """False for a read-only token; session users are judged by the write services."""
    token = token_of(request)
    return token is None or token.can_write


class TokenScope(BasePermission):
    """Reading needs any token; anything else needs a read-write token."""

    message = _("This API token may only read.")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or may_write(request)


class NotParticipant(BasePermission):
    """For endpoints of reference or partner data, which participants' accounts do not use."""

    message = _("Participants' accounts cannot use this endpoint.")

    def has_permission(self, request, view):
        return not getattr(request.user, "is_participant", False)


class CanViewCases(BasePermission):
    message = _("Cases are shown only to ministry staff allowed to see them.")

    def has_permission(self, request, view):
        user = request.user
        return bool(
            getattr(user, "is_ministry_staff", False) and user.has_perm("placements.view_case")
        )
