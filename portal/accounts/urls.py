from django.contrib.auth import views as auth_views
from django.urls import path

from . import twofactor, views

urlpatterns = [
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("link/<str:token>/", views.link_redeem, name="link_redeem"),
    path("two-factor/setup/", twofactor.twofactor_setup, name="twofactor_setup"),
    path("two-factor/verify/", twofactor.twofactor_verify, name="twofactor_verify"),
]
