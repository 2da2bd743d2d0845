"""The portal's URLs plus the API (until portal/urls.py includes it itself)."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

_included = any(getattr(pattern, "namespace", None) == "api" for pattern in portal_urlpatterns)

urlpatterns = [
    *([] if _included else [path("api/", include("portal.api.urls"))]),
    *portal_urlpatterns,
]
