"""The notification log for ministry staff: read-only, with a "Resend" action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "due_on",
        "channel",
        "status",
        "attempts",
        "sent_at",
        "read_at",
    )
    list_filter = ("kind", "status", "channel", "due_on")
    search_fields = ("recipient__username", "recipient__email", "subject", "object_id")
    list_select_related = ("recipient",)
    ordering = ("-created_at", "-pk")
    actions = ("resend",)
    readonly_fields = [
        *(f.name for f in Notification._meta.concrete_fields if f.name != "id"),
    ]
    show_full_result_count = False

    def get_queryset(self, request):
        return Notification.objects.visible_to(request.user)

    def _ministry(self, request):
        return bool(request.user.is_active and request.user.is_ministry_staff)

    def has_module_permission(self, request):
        return self._ministry(request)

    def has_view_permission(self, request, obj=None):
        return self._ministry(request)

    def has_resend_permission(self, request):
        return self._ministry(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected notifications"), permissions=["resend"])
    def resend(self, request, queryset):
        done = 0
        for notification in queryset:
            try:
                services.resend(notification=notification, by=request.user)
            except Exception as error:  # noqa: BLE001 - each failure is reported to the user
                self.message_user(
                    request,
                    _("%(notification)s could not be resent: %(error)s")
                    % {"notification": notification, "error": error},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification will be sent again.",
                    "%(count)d notifications will be sent again.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
