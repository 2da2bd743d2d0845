"""`/api/v1/` (the endpoints), `/api/schema/` (OpenAPI 3) and `/api/docs/` (Swagger UI)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False


router = Router()
for viewset in views.VIEWSETS:
    router.register(viewset.endpoint, viewset, basename=viewset.endpoint)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
