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


def actor_of(request):
    """The user the write services record: a token's service user (partner staff of its
    organisation, who cannot log in; the request log names the token), else the session's
    user."""
    token = token_of(request)
    return token.service_user if token is not None else request.user


def partner_organisation_id(user):
    partner = getattr(user, "is_partner_staff", False)
    membership = getattr(user, "membership", None) if partner else None
    return membership.organisation_id if membership else None


class WriteAccess(BasePermission):
    """Writes: ministry staff with the action's model permission (`view.write_permissions`),
    or partner staff (and tokens) for the actions in `view.partner_writes`, within the rows
    `visible_to` gives them (for training: the batches their organisation provides)."""

    message = _("You may not make this change.")

    def has_permission(self, request, view):
        action = getattr(view, "action", None)
        if request.method in SAFE_METHODS or action is None:
            return True  # reads; or a method the endpoint lacks: a 405, not a 403
        user = request.user
        permission = getattr(view, "write_permissions", {}).get(action)
        if permission is None:
            return False
        if getattr(user, "is_ministry_staff", False):
            return user.has_perm(permission)
        return bool(
            action in getattr(view, "partner_writes", ())
            and partner_organisation_id(user) is not None
        )


def placement_write_rows(user, rows):
    """Partner staff move and check in only on the placements their agency runs."""
    organisation_id = partner_organisation_id(user)
    return rows if organisation_id is None else rows.filter(agency_id=organisation_id)
