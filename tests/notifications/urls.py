"""The portal's URLs plus the notification pages (until portal/urls.py includes them)."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("notifications/", include("portal.notifications.urls")),
    *portal_urlpatterns,
]
