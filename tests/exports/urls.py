"""The portal's URLs plus the export pages (until portal/urls.py includes them itself)."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

_included = any(getattr(pattern, "namespace", None) == "exports" for pattern in portal_urlpatterns)

urlpatterns = [
    *([] if _included else [path("", include("portal.exports.urls"))]),
    *portal_urlpatterns,
]
