from django.contrib import admin
from django.urls import include, path

from portal.web import analyst
from portal.web import verify as web_verify
from portal.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("portal.accounts.urls")),
    path("participants/", include("participants.urls")),
    path("", include("placements.urls")),
    path("analyst/import/", include((analyst.import_urlpatterns, "imports"))),
    path("", include("portal.exports.urls")),
    path("reports/", include("portal.reports.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("api/", include("portal.api.urls")),
    path("partner/", include("portal.web.partner.urls")),
    path("ministry/", include("portal.web.ministry_urls")),
    path("me/", include("portal.web.me_urls")),
    path("verify/<str:code>/", web_verify.verify, name="verify"),
    path("privacy/", include("portal.privacy.urls")),
    path("", web_views.home, name="home"),
]
