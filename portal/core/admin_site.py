from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """Admin for ministry admins and officers only; partner staff and participants never enter."""

    site_header = _("Migrant worker programme portal")
    site_title = _("Programme portal")
    index_title = _("Ministry administration")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_ministry_staff)

    def login(self, request, extra_context=None):
        """Use the portal's one login page; tell a logged-in user without access so (403)."""
        index = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(index)
        if request.user.is_authenticated:
            return render(request, "accounts/admin_refused.html", status=403)
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or index, login_url=reverse("login")
        )
