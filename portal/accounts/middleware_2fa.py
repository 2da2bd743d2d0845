"""Middleware of the hardening issue: the Permissions-Policy header and the two-factor gate."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header (no camera, microphone, location...) to every answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        return response


def two_factor_required(user):
    """Ministry admins and officers must verify a TOTP code when PORTAL_REQUIRE_2FA is on."""
    if not getattr(settings, "PORTAL_REQUIRE_2FA", False):
        return False
    return bool(user.is_authenticated and user.is_ministry_staff)


class TwoFactorMiddleware:
    """Until a ministry user has verified a code, every page leads to the set-up or code page.

    Placed after django-otp's OTPMiddleware (which gives `request.user.is_verified()`). Logging
    out, switching language, static files and the health check stay open. API requests made with
    the browser session answer 403 instead of a redirect; token requests are not affected (their
    user is known only inside the API view, and tokens are issued by ministry admins).
    """

    OPEN_URL_NAMES = ("twofactor_setup", "twofactor_verify", "logout", "set_language", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def _is_open(self, path):
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in self.OPEN_URL_NAMES) | {
                reverse("admin:logout")
            }
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in self._open_paths or path.startswith(static)

    def __call__(self, request):
        user = request.user
        if two_factor_required(user) and not user.is_verified() and not self._is_open(request.path):
            from django_otp import user_has_device

            name = "twofactor_verify" if user_has_device(user) else "twofactor_setup"
            if request.path.startswith("/api/"):
                message = _("Verify your two-factor code in the portal first.")
                return JsonResponse({"detail": message}, status=403)
            target = reverse(name)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
