"""The portal's URLs plus /reports/ (until portal/urls.py includes it)."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("reports/", include("portal.reports.urls")),
    *portal_urlpatterns,
]
