"""The breach register and the retention runs in the ministry admin: for ministry admins only.

A breach's deadline (discovery + 3 x 24 hours) and the time left are shown in Asia/Jakarta (WIB).
The notice is drafted in Indonesian when the breach is recorded and stays editable; actions
record when the people affected and the authority were notified (services do the writing).
"""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Breach, DataCategory, RetentionRun

JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(value):
    """A time in Asia/Jakarta, with the zone's name."""
    if value is None:
        return "–"
    return f"{timezone.localtime(value, JAKARTA):%d-%m-%Y %H:%M} WIB"


def time_left_text(breach, now=None):
    """ "47 h 12 min left", "overdue by 3 h 5 min", or "notified" once both are recorded."""
    if breach.notified:
        return str(_("notified"))
    seconds = int(breach.time_left(now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    values = {"hours": hours, "minutes": minutes}
    if seconds >= 0:
        return str(_("%(hours)d h %(minutes)d min left") % values)
    return str(_("overdue by %(hours)d h %(minutes)d min") % values)


class MinistryAdminOnly:
    """Every permission for ministry admins; nobody else sees the module."""

    def _admin(self, request):
        return bool(request.user.is_active and request.user.is_ministry_admin)

    def has_module_permission(self, request):
        return self._admin(request)

    def has_view_permission(self, request, obj=None):
        return self._admin(request)

    def has_delete_permission(self, request, obj=None):
        return False


class BreachForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label=_("data concerned"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Breach
        fields = [
            "title",
            "status",
            "data_categories",
            "description",
            "participants",
            "affected_count",
            "affected_description",
            "occurred_since",
            "how_found",
            "discovered_at",
            "measures",
            "contact",
            "notice_subject",
            "notice_body",
        ]

    def clean(self):
        cleaned = super().clean()
        since, found = cleaned.get("occurred_since"), cleaned.get("discovered_at")
        if since and found and since > found:
            self.add_error("occurred_since", _("A breach cannot start after it was discovered."))
        return cleaned


@admin.register(Breach)
class BreachAdmin(MinistryAdminOnly, admin.ModelAdmin):
    form = BreachForm
    list_display = (
        "title",
        "status",
        "discovered_shown",
        "deadline_shown",
        "time_left_shown",
        "people_notified_at",
        "authority_notified_at",
    )
    list_filter = ("status",)
    search_fields = ("title",)
    ordering = ("-discovered_at", "-pk")
    autocomplete_fields = ("participants",)
    readonly_fields = (
        "deadline_shown",
        "time_left_shown",
        "people_notified_at",
        "authority_notified_at",
        "recorded_by",
        "created_at",
    )
    actions = ("mark_people_notified", "mark_authority_notified", "redraft_notice")

    def get_queryset(self, request):
        return Breach.objects.visible_to(request.user).select_related("recorded_by")

    def has_add_permission(self, request):
        return self._admin(request)

    def has_change_permission(self, request, obj=None):
        return self._admin(request)

    def get_fieldsets(self, request, obj=None):
        record = (
            None,
            {
                "fields": [
                    "title",
                    "status",
                    "data_categories",
                    "description",
                    "participants",
                    "affected_count",
                    "affected_description",
                    "occurred_since",
                    "how_found",
                    "discovered_at",
                    "measures",
                    "contact",
                ]
            },
        )
        if obj is None:
            return [record]
        return [
            record,
            (
                _("Notification within 3 x 24 hours"),
                {
                    "fields": [
                        "deadline_shown",
                        "time_left_shown",
                        "notice_subject",
                        "notice_body",
                        "people_notified_at",
                        "authority_notified_at",
                        "recorded_by",
                        "created_at",
                    ]
                },
            ),
        ]

    @admin.display(description=_("discovered at"), ordering="discovered_at")
    def discovered_shown(self, obj):
        return wib(obj.discovered_at)

    @admin.display(description=_("notify by"))
    def deadline_shown(self, obj):
        return wib(obj.deadline) if obj and obj.pk else "–"

    @admin.display(description=_("time left"))
    def time_left_shown(self, obj):
        return time_left_text(obj) if obj and obj.pk else "–"

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            services.breach_record(
                breach=obj, participants=form.cleaned_data.get("participants"), actor=request.user
            )

    def _mark(self, request, queryset, whom, done_message):
        done = 0
        for breach in queryset:
            try:
                services.breach_mark_notified(breach=breach, whom=whom, actor=request.user)
            except services.AlreadyNotified:
                self.message_user(
                    request,
                    _("%(breach)s: this notification was recorded before.") % {"breach": breach},
                    messages.WARNING,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Record: the people affected were notified now"))
    def mark_people_notified(self, request, queryset):
        self._mark(
            request,
            queryset,
            "people",
            lambda n: ngettext(
                "Notification of the people affected recorded for %(count)d breach.",
                "Notification of the people affected recorded for %(count)d breaches.",
                n,
            ),
        )

    @admin.action(description=_("Record: the authority was notified now"))
    def mark_authority_notified(self, request, queryset):
        self._mark(
            request,
            queryset,
            "authority",
            lambda n: ngettext(
                "Notification of the authority recorded for %(count)d breach.",
                "Notification of the authority recorded for %(count)d breaches.",
                n,
            ),
        )

    @admin.action(description=_("Draft the notice again from the record"))
    def redraft_notice(self, request, queryset):
        for breach in queryset:
            services.breach_notice_redraft(breach=breach, actor=request.user)
        self.message_user(request, _("The notices were drafted again."), messages.SUCCESS)


@admin.register(RetentionRun)
class RetentionRunAdmin(MinistryAdminOnly, admin.ModelAdmin):
    list_display = ("started_at", "dry_run", "by", "by_label", "total")
    list_filter = ("dry_run",)
    list_select_related = ("by",)
    readonly_fields = (
        "started_at",
        "finished_at",
        "by",
        "by_label",
        "dry_run",
        "cutoffs",
        "counts",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
