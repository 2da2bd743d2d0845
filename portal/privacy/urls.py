"""/privacy/...: the data-protection pages for ministry staff (namespace "privacy")."""

app_name = "privacy"
urlpatterns = []
