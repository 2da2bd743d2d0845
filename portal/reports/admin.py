"""Report runs (with an access-checked download link) and the ministry staff's subscriptions."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ReportRun, ReportSubscription


class MinistryStaffOnly:
    """Ministry staff manage these without model permissions of their role."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_ministry_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(ReportRun)
class ReportRunAdmin(MinistryStaffOnly, admin.ModelAdmin):
    list_display = ("period", "kind", "partner", "status", "created_at", "finished_at", "download")
    list_filter = ("kind", "status", "period", ("partner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("partner",)
    search_fields = ("period", "partner__name")
    readonly_fields = (
        "kind",
        "period",
        "partner",
        "status",
        "download",
        "figures",
        "created_at",
        "started_at",
        "finished_at",
        "sent_at",
        "error",
    )
    exclude = ("file",)

    def get_queryset(self, request):
        return ReportRun.objects.visible_to(request.user).select_related("partner")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj.status != ReportRun.Status.DONE or not obj.file:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("reports:download", args=[obj.pk]), _("Download")
        )


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(MinistryStaffOnly, admin.ModelAdmin):
    list_display = ("user", "kind", "created_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("created_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            from portal.accounts.models import MINISTRY_ROLES, User

            kwargs["queryset"] = User.objects.filter(
                Q(is_superuser=True) | Q(groups__name__in=[str(r) for r in MINISTRY_ROLES]),
                is_active=True,
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
