from rest_framework.pagination import CursorPagination


class UpdatedCursorPagination(CursorPagination):
    """Cursor pages (stable while rows change); the view's `ordering` is the default order:
    ("updated_at", "pk") where the model records changes, so a sync can walk changes in order."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("pk",)
