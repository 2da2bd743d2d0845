"""Where generated rows go: COPY on PostgreSQL, `bulk_create` elsewhere; ids assigned here.

Ids are explicit: each table's next id is its largest id plus one when the load starts, and the
PostgreSQL sequences are moved past the written ids at the end of every chunk. Nothing else may
write to these tables while a load runs.
"""

import json
import time
from collections import defaultdict

from django.db import connection, models
from django.utils import timezone


class Sink:
    """Writes lists of row tuples; counts rows and the seconds spent writing per table."""

    def __init__(self, *, batch_size=1000):
        self.use_copy = connection.vendor == "postgresql"
        self.batch_size = batch_size
        self.now = timezone.now()
        self.rows = defaultdict(int)
        self.seconds = defaultdict(float)
        self._next_id = {}
        self._specs = {}
        self._touched = set()

    @property
    def method(self):
        return "COPY (PostgreSQL)" if self.use_copy else f"bulk_create ({connection.vendor})"

    def ids(self, model, count):
        """A range of `count` fresh ids of `model`."""
        if model not in self._next_id:
            top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
            self._next_id[model] = top + 1
        start = self._next_id[model]
        self._next_id[model] = start + count
        return range(start, start + count)

    def next_id(self, model):
        return self.ids(model, 1)[0]

    def _spec(self, model, fields):
        """Column names, and constant values for the non-null columns the caller leaves out."""
        key = (model, fields)
        if key not in self._specs:
            given = set(fields)
            extra_names, extra_values = [], []
            for field in model._meta.concrete_fields:
                if field.attname in given or field.null:
                    continue
                stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                if stamped or field.default is timezone.now:
                    value = self.now
                elif field.default in (list, dict):
                    value = field.default()
                elif field.has_default() and callable(field.default):
                    raise ValueError(f"{model.__name__}.{field.name} needs a value per row")
                else:
                    value = field.get_default()
                extra_names.append(field.attname)
                extra_values.append(value)
            names = tuple(fields) + tuple(extra_names)
            by_attname = {f.attname: f for f in model._meta.concrete_fields}
            json_at = [
                i for i, name in enumerate(names) if isinstance(by_attname[name], models.JSONField)
            ]
            columns = [f'"{by_attname[name].column}"' for name in names]
            if self.use_copy:
                extra_values = [
                    json.dumps(v) if i + len(fields) in json_at else v
                    for i, v in enumerate(extra_values)
                ]
            self._specs[key] = (names, columns, tuple(extra_values), json_at)
        return self._specs[key]

    def write(self, model, fields, rows):
        """Write `rows` (tuples in the order of `fields`, attnames, the id first)."""
        if not rows:
            return
        fields = tuple(fields)
        names, columns, extra, json_at = self._spec(model, fields)
        started = time.perf_counter()
        if self.use_copy:
            sql = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
            given_json = [i for i in json_at if i < len(fields)]
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    if given_json:
                        row = list(row)
                        for i in given_json:
                            row[i] = json.dumps(row[i])
                    copy.write_row((*row, *extra))
        else:
            objects = [model(**dict(zip(names, (*row, *extra), strict=True))) for row in rows]
            model._default_manager.bulk_create(objects, batch_size=self.batch_size)
        self.seconds[model] += time.perf_counter() - started
        self.rows[model] += len(rows)
        self._touched.add(model)

    def analyze(self):
        """Give the planner statistics of the freshly written tables (PostgreSQL): without
        them the first queries on a million new rows pick nested loops and take minutes."""
        if not self.use_copy:
            return
        with connection.cursor() as cursor:
            for model in self._touched:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')

    def sync_sequences(self):
        """Move each written table's id sequence past its largest id (PostgreSQL)."""
        if not self.use_copy:
            return
        with connection.cursor() as cursor:
            for model in self._touched:
                table = model._meta.db_table
                sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
                top = f'SELECT COALESCE(MAX(id), 1) FROM "{table}"'  # noqa: S608 (model tables)
                cursor.execute(f"SELECT setval({sequence}, ({top}))")
