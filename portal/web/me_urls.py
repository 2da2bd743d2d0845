"""/me/...: a participant's own pages (namespace "me")."""

app_name = "me"
urlpatterns = []
