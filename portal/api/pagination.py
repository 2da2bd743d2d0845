import json

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination


class UpdatedCursorPagination(CursorPagination):
    """Cursor pages (stable while rows change); the view's `ordering` is the default order:
    ("updated_at", "pk") where the model records changes, so a sync can walk changes in order.

    DRF's cursor keeps the first ordering field only and pages through ties by offset, which it
    caps at 1,000: an import writes thousands of rows with one `updated_at`, and a sync would
    then see rows twice and miss others. Here the cursor holds every ordering field with the
    primary key last (a keyset), so ties cost nothing and no row is skipped or repeated.
    Orderings on a nullable or related field keep DRF's behaviour."""

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

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self._keyset_ordering(queryset, self.get_ordering(request, queryset, view))
        if ordering is None:
            self.keyset = False
            return super().paginate_queryset(queryset, request, view)
        self.keyset = True
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = ordering
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        order = [_inverted(field) for field in ordering] if reverse else list(ordering)
        queryset = queryset.order_by(*order)
        if self.cursor and self.cursor.position is not None:
            queryset = queryset.filter(_after(order, self._position_values(len(order))))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self.page = rows
        came_from_a_page = self.cursor is not None and self.cursor.position is not None
        self.has_next = came_from_a_page if reverse else more
        self.has_previous = more if reverse else came_from_a_page
        return self.page

    def get_next_link(self):
        if not getattr(self, "keyset", False):
            return super().get_next_link()
        if not self.has_next:
            return None
        if self.page:
            return self._link(self.page[-1], reverse=False)
        return self._link_from_cursor(reverse=False)

    def get_previous_link(self):
        if not getattr(self, "keyset", False):
            return super().get_previous_link()
        if not self.has_previous:
            return None
        if self.page:
            return self._link(self.page[0], reverse=True)
        return self._link_from_cursor(reverse=True)

    # --- keyset helpers -------------------------------------------------------------------

    def _keyset_ordering(self, queryset, ordering):
        """The ordering with the primary key last, or None when a field cannot take part in a
        keyset (nullable, related, or unknown)."""
        names = [field.lstrip("-") for field in ordering]
        model = queryset.model
        for name in names:
            if name == "pk":
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if model_field.null or model_field.is_relation:
                return None
        if "pk" in names or model._meta.pk.name in names:
            return tuple(ordering)
        return (*ordering, "pk")

    def _position_values(self, count):
        try:
            values = json.loads(self.cursor.position)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}, code="invalid_cursor"
            ) from exc
        if not isinstance(values, list) or len(values) != count:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}, code="invalid_cursor"
            )
        return values

    def _values_of(self, row):
        values = []
        for field in self.ordering:
            value = getattr(row, field.lstrip("-"))
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif not isinstance(value, int | float | str):
                value = str(value)  # Decimal, UUID
            values.append(value)
        return values

    def _link(self, row, *, reverse):
        cursor = Cursor(offset=0, reverse=reverse, position=json.dumps(self._values_of(row)))
        return self.encode_cursor(cursor)

    def _link_from_cursor(self, *, reverse):
        """An empty page (the rows moved away): continue from the position it was asked at."""
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=self.cursor.position))


def _inverted(field):
    return field[1:] if field.startswith("-") else f"-{field}"


def _after(order, values):
    """Rows strictly after `values` in `order` (lexicographic over the ordering fields).

    When every field goes the same way this is one row comparison, `(updated_at, id) >
    (v, pk)`, which PostgreSQL answers from the (updated_at, id) index; mixed directions need
    the spelled-out OR."""
    descending = {field.startswith("-") for field in order}
    if len(descending) == 1:
        lookup = TupleLessThan if descending.pop() else TupleGreaterThan
        return lookup(tuple(F(field.lstrip("-")) for field in order), list(values))
    condition = Q(pk__in=[])
    for index, field in enumerate(order):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{lookup}": values[index]})
        for earlier, value in zip(order[:index], values[:index], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition
