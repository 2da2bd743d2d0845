"""A paginator for large admin lists: it asks PostgreSQL's planner how many rows there are
instead of counting them, once the estimate is past `threshold`.

Below the threshold (and on SQLite) the count is exact, so small or well-filtered lists show
true numbers; above it, "about 250,000" is good enough and costs no sequential scan.
"""

import json

from django.core.paginator import Paginator
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    threshold = 10_000

    @cached_property
    def count(self):
        estimate = self.estimated_count()
        if estimate is not None and estimate > self.threshold:
            return estimate
        return super().count

    def estimated_count(self):
        """The planner's row estimate for the list's query, or None when there is none."""
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        try:
            sql, params = queryset.order_by().query.sql_with_params()
        except Exception:  # noqa: BLE001 - EmptyResultSet and friends: count exactly
            return None
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
        except DatabaseError:
            return None
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
