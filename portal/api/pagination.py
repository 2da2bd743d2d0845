from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class UpdatedCursorPagination(CursorPagination):
    """Cursor pages (stable while rows change); the view's `ordering` is the default order:
    ("updated_at", "pk") where the model records changes, so a sync can walk changes in order."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("pk",)
    invalid_cursor_message = _("This cursor is not valid: start again from the first page.")

    def decode_cursor(self, request):
        """A cursor that cannot be read is a 400 on the `cursor` parameter (DRF: a 404)."""
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}, code="invalid_cursor"
            ) from exc
