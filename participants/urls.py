from django.urls import path

from . import views

app_name = "participants"

urlpatterns = [
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
]
