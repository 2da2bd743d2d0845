"""PostgreSQL-only indexes for the participant lists at national scale (issue 13).

- A trigram GIN index on what `full_name__icontains` compiles to on PostgreSQL,
  `UPPER("full_name"::text) LIKE UPPER('%...%')`: name searches in the admin and the API (and the
  admins that search `participant__full_name`) use it instead of scanning every row.
- A btree index on (full_name, id), the participant's default ordering: the admin's first pages
  are read in index order instead of sorting the whole table.
- A btree index on (updated_at, id), the API's order: rows written together (an import, a
  generated load) share one `updated_at`, and the index on `updated_at` alone then leaves
  PostgreSQL to sort every tied row by id before it can return the first page.

Other databases (SQLite in the tests) get none of them: the operations do nothing there.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS participant_name_upper_trgm ON participants_participant "
    "USING gin (UPPER(full_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS participant_name_order ON participants_participant (full_name, id)",
    "CREATE INDEX IF NOT EXISTS participant_updated_order ON participants_participant "
    "(updated_at, id)",
]
DROP = [
    "DROP INDEX IF EXISTS participant_updated_order",
    "DROP INDEX IF EXISTS participant_name_order",
    "DROP INDEX IF EXISTS participant_name_upper_trgm",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_import_runs")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
