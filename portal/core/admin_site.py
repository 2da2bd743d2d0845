from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """Admin for ministry admins and officers only; partner staff and participants never enter."""

    site_header = _("Migrant worker programme portal")
    site_title = _("Programme portal")
    index_title = _("Ministry administration")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_ministry_staff)
