"""/privacy/...: the data-protection pages for ministry staff (namespace "privacy")."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.search, name="search"),
    path("people/<int:pk>/", views.person, name="person"),
]
