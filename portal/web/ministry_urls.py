"""/ministry/: the national overview for ministry staff (namespace "ministry")."""

app_name = "ministry"
urlpatterns = []
