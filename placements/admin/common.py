"""Helpers shared by the placements admin modules."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants import normalise
from participants.admin import (
    NIK_SEPARATORS,
    VIEW_NIK,
    has_value,
    may_see_restricted,
)
from participants.services import restricted_values_shown
from portal.audit.masking import mask_nik
from training.admin import report

from .. import services
from ..models import (
    Placement,
)

VIEW_CASE = "placements.view_case"
MATCHING_PAGE_SIZE = 50


# --- Shared helpers ---------------------------------------------------------------------------


def apply_each(modeladmin, request, objects, action, done_message):
    """Call `action(obj)` for each object; report each PlacementError with the object's name,
    then a summary. `done_message(count)` words the summary (an `ngettext` with %(count)d)."""
    failures, done = [], 0
    for obj in objects:
        try:
            action(obj)
        except services.PlacementError as error:
            failures.append(f"{obj}: {error}")
        else:
            done += 1
    report(modeladmin, request, failures, done, done_message(done))


def audit_shown(request, participant, objects):
    """Record which restricted values of `objects` a user with the permission was shown (on the
    participant's audit trail, as the participants admin does)."""
    if not may_see_restricted(request):
        return
    fields = [
        f"{obj._meta.model_name}.{obj.pk}.{name}"
        for obj in objects
        for name in obj.RESTRICTED_FIELDS
        if has_value(getattr(obj, name))
    ]
    restricted_values_shown(user=request.user, participant=participant, fields=fields)


def copy_saved(obj, saved):
    """Make the admin's unsaved `obj` the row a service created (for the redirect after add)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceAddMixin:
    """A refusal of the service called by `save_model` on the add page becomes an error
    message, and the add page opens again."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except services.PlacementError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ParticipantColumnsMixin:
    """Participant name and NIK columns, and a search where a NIK is an exact match.

    The NIK is masked unless the user has `participants.view_nik`.
    """

    participant_path = "participant"

    def get_search_results(self, request, queryset, search_term):
        nik = normalise.normalise_nik(search_term, as_of=timezone.localdate()).nik
        digits = nik or NIK_SEPARATORS.sub("", search_term)
        if len(digits) == 16 and digits.isascii() and digits.isdigit():
            return queryset.filter(**{f"{self.participant_path}__nik": digits}), False
        return super().get_search_results(request, queryset, search_term)

    def get_list_display(self, request):
        shown = "participant_nik" if request.user.has_perm(VIEW_NIK) else "participant_nik_masked"
        return [shown if name == "participant_nik_masked" else name for name in self.list_display]

    def _participant(self, obj):
        for name in self.participant_path.split("__"):
            obj = getattr(obj, name)
        return obj

    @admin.display(description=_("participant"))
    def participant_name(self, obj):
        return self._participant(obj).full_name

    @admin.display(description=_("NIK"))
    def participant_nik(self, obj):
        return self._participant(obj).nik

    @admin.display(description=_("NIK"))
    def participant_nik_masked(self, obj):
        return mask_nik(self._participant(obj).nik)


class PlacementScopedMixin:
    """Rows of placements the user may see."""

    placement_path = "placement"

    def get_queryset(self, request):
        visible = Placement.objects.visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.placement_path}__in": visible})


class CaseAccessMixin:
    """Only for ministry staff who may see cases (`placements.view_case`)."""

    def _may_see_cases(self, request):
        return request.user.has_perm(VIEW_CASE)

    def has_module_permission(self, request):
        return self._may_see_cases(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_see_cases(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._may_see_cases(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_see_cases(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_see_cases(request) and super().has_delete_permission(request, obj)


class NoAddOrDeleteMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
