"""The PostgreSQL indexes behind the participant lists at national scale (issue 13): they must
match the SQL Django writes, or a million-row list falls back to reading every row."""

import pytest
from django.db import connection

from participants.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(require_postgres):
    factories.ParticipantFactory(full_name="Siti Sitompul")
    factories.ParticipantFactory(full_name="Budi Santoso")


def plan(queryset):
    """The plan PostgreSQL would use for `queryset` if reading every row and sorting were not
    cheaper (the tables of a test are tiny: without this the planner picks no index)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_search_by_part_of_a_name_uses_the_trigram_index(people):
    rows = Participant.objects.filter(full_name__icontains="ompul")
    assert list(rows.values_list("full_name", flat=True)) == ["Siti Sitompul"]
    assert "participant_name_upper_trgm" in plan(rows.order_by())


def test_the_list_in_its_default_order_is_read_from_an_index(people):
    assert "participant_name_order" in plan(Participant.objects.order_by("full_name", "pk")[:50])


def test_the_api_order_is_read_from_an_index(people):
    rows = Participant.objects.order_by("updated_at", "pk")[:50]
    assert "participant_updated_order" in plan(rows)
