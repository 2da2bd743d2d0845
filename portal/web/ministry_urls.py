"""/ministry/: the national overview for ministry staff (namespace "ministry")."""

from django.urls import path

from portal.web import ministry

app_name = "ministry"
urlpatterns = [
    path("", ministry.overview, name="overview"),
]
