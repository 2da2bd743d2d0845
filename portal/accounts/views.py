"""Login, one-time links and password reset: thin views over the account services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import services
from .forms import LoginForm, NewPasswordForm, PasswordResetRequestForm


class PortalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _referrer_origin_only(response):
    """Keep the token in the address out of the Referer header of any later request.

    `strict-origin` sends the portal's origin alone: the path (with the token) never leaves, and
    the form's POST still carries an Origin that the CSRF check accepts (`no-referrer` makes
    Chromium send `Origin: null`, which it refuses)."""
    response["Referrer-Policy"] = "strict-origin"
    return response


def _link_invalid(request, error):
    status = 404 if error.reason == services.LinkInvalid.UNKNOWN else 410
    response = render(request, "accounts/link_invalid.html", {"error": error}, status=status)
    return _referrer_origin_only(response)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def link_redeem(request, token):
    """Choose a password with a one-time link, then arrive logged in at home."""
    try:
        link = services.link_find(token)
    except services.LinkInvalid as error:
        return _link_invalid(request, error)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.link_redeem(token=token, password=form.cleaned_data["new_password1"])
        except services.LinkInvalid as error:
            return _link_invalid(request, error)
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Your password is set. You are now logged in."))
            return redirect("home")
    context = {"form": form, "link_user": link.user, "purpose": link.purpose}
    return _referrer_origin_only(render(request, "accounts/link_redeem.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link by username or email; the answer never says whether one exists."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(identifier=form.cleaned_data["username"])
        messages.info(
            request,
            _(
                "If an account with an email address matches, we have sent it a link to set a "
                "new password. The link is valid for %(days)s days. No email? Ask your programme "
                "officer for a new link."
            )
            % {"days": settings.ONE_TIME_LINK_DAYS},
        )
        return redirect("login")
    return render(request, "accounts/password_reset.html", {"form": form})
