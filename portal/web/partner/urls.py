"""/partner/...: the partner dashboard and its lists (namespace "partner")."""

app_name = "partner"
urlpatterns = []
