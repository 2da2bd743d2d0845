"""The partner lists: batches, participants, agreements and their downloads.

Personas: staff of organisation A (`partner_user`), staff of B (`other_partner_user`), a ministry
officer looking through A's eyes (`?org=`), and anonymous visitors.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from participants.models import Participant
from partners.models import Commitment, ScopeItem
from placements.models import Phase
from portal.exports.models import ExportRun
from tests import factories
from tests.web.factories import world_for
from training.models import Attendance, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world_a(organisation_a):
    return world_for(organisation_a, batch_name="Las Bali A")


@pytest.fixture
def world_b(organisation_b):
    return world_for(organisation_b, batch_name="Las Jawa B")


@pytest.fixture
def client_a(client, partner_user):
    client.force_login(partner_user)
    client.cookies["django_language"] = "en"
    return client


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("partner:batches", []),
        ("partner:batches_download", []),
        ("partner:batch", [1]),
        ("partner:session", [1, 1]),
        ("partner:participants", []),
        ("partner:participants_download", []),
        ("partner:participant", [1]),
        ("partner:agreements", []),
        ("partner:agreements_download", []),
        ("partner:agreement", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_analyst_is_refused_the_partner_lists(client, analyst_user):
    client.force_login(analyst_user)
    assert client.get(reverse("partner:batches")).status_code == 403


def test_the_batch_list_shows_only_the_organisations_own_batches(client_a, world_a, world_b):
    response = client_a.get(reverse("partner:batches"))
    assert response.status_code == 200
    assert "Las Bali A" in response.text
    assert "Las Jawa B" not in response.text


def test_it_returns_404_for_another_organisations_batch_and_session(client_a, world_a, world_b):
    session_b = world_b.past_sessions(1)[0]
    assert client_a.get(reverse("partner:batch", args=[world_b.batch.pk])).status_code == 404
    url = reverse("partner:session", args=[world_b.batch.pk, session_b.pk])
    assert client_a.get(url).status_code == 404
    assert client_a.post(url, {}).status_code == 404
    # A session of B's batch typed under A's batch is not found either.
    url = reverse("partner:session", args=[world_a.batch.pk, session_b.pk])
    assert client_a.get(url).status_code == 404
    assert client_a.get(reverse("partner:batch", args=[999999])).status_code == 404


def test_the_participant_list_shows_only_people_shared_with_the_organisation(
    client_a, world_a, world_b
):
    world_a.participant(full_name="Ayu Lestari")
    world_a.participant(full_name="Tanpa Persetujuan", consent=False)
    world_b.participant(full_name="Budi Santoso")
    response = client_a.get(reverse("partner:participants"))
    assert "Ayu Lestari" in response.text
    assert "Budi Santoso" not in response.text
    assert "Tanpa Persetujuan" not in response.text


def test_it_returns_404_for_another_organisations_participant(client_a, world_a, world_b):
    budi = world_b.participant(full_name="Budi Santoso")
    assert client_a.get(reverse("partner:participant", args=[budi.pk])).status_code == 404


def test_it_returns_404_for_another_organisations_agreement(client_a, world_a, world_b):
    url = reverse("partner:agreement", args=[world_b.agreement.pk])
    assert client_a.get(url).status_code == 404
    response = client_a.get(reverse("partner:agreements"))
    assert world_a.agreement.number in response.text
    assert world_b.agreement.number not in response.text


def test_a_withheld_enrolment_is_on_the_roster_without_a_name(client_a, world_a):
    world_a.participant(full_name="Tanpa Persetujuan", consent=False)
    response = client_a.get(reverse("partner:batch", args=[world_a.batch.pk]))
    assert "Tanpa Persetujuan" not in response.text
    assert "Participant withheld" in response.text


# --- Participant page -----------------------------------------------------------------------


def test_the_participant_page_shows_progress_phase_next_step_and_outcomes(client_a, world_a):
    ayu = world_a.participant(
        full_name="Ayu Lestari", is_former_prisoner=True, restricted_notes="Catatan rahasia"
    )
    factories.PlacementFactory(participant=ayu, country_id="KR", scheme="g2g", phase="selected")
    response = client_a.get(reverse("partner:participant", args=[ayu.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Former prisoner" in text
    assert "Las Bali A" in text
    assert str(Phase.SELECTED.label) in text
    assert str(Phase.MEDICAL_CLEARED.label) in text  # the next step
    assert "Korea EPS" in text  # not eligible for Korea EPS (an outcome only)
    assert "Catatan rahasia" not in text
    assert ayu.nik not in text


# --- Recording attendance and scores -------------------------------------------------------


def test_recording_attendance_on_the_page_changes_the_progress(client_a, world_a):
    ayu = world_a.participant(full_name="Ayu Lestari")
    enrolment = Enrolment.objects.get(participant=ayu)
    first, second = world_a.past_sessions(2)
    batch_url = reverse("partner:batch", args=[world_a.batch.pk])
    assert "0 of 2 sessions" in client_a.get(batch_url).text

    url = reverse("partner:session", args=[world_a.batch.pk, first.pk])
    response = client_a.post(url, {f"e{enrolment.pk}": "present"})
    assert response.status_code == 302
    page = client_a.get(batch_url).text
    assert "50%" in page
    assert "1 of 2 sessions" in page
    assert Attendance.objects.get(enrolment=enrolment, session=first).status == "present"
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_a_score_entered_on_the_page_meets_the_completion_rule(client_a, world_a):
    ayu = world_a.participant(full_name="Ayu Lestari")
    enrolment = Enrolment.objects.get(participant=ayu)
    (session,) = world_a.past_sessions(1)
    client_a.post(
        reverse("partner:session", args=[world_a.batch.pk, session.pk]),
        {f"e{enrolment.pk}": "present"},
    )
    url = reverse("partner:batch", args=[world_a.batch.pk])
    response = client_a.post(
        url,
        {"enrolment": enrolment.pk, "kind": "final", "score": "85", "assessed_on": "2026-11-20"},
    )
    assert response.status_code == 302
    assert enrolment.assessments.get().score == Decimal("85")
    page = client_a.get(url)
    (row,) = page.context["roster"]
    assert (row.latest_score, row.met) == (Decimal("85"), True)
    assert "85" in page.text


def test_a_score_above_100_is_refused_with_a_message(client_a, world_a):
    ayu = world_a.participant(full_name="Ayu Lestari")
    enrolment = Enrolment.objects.get(participant=ayu)
    url = reverse("partner:batch", args=[world_a.batch.pk])
    response = client_a.post(
        url,
        {"enrolment": enrolment.pk, "kind": "final", "score": "120", "assessed_on": "2026-11-20"},
    )
    assert response.status_code == 200
    assert not enrolment.assessments.exists()


def test_three_absences_in_a_row_raise_an_alert(client_a, world_a):
    ayu = world_a.participant(full_name="Ayu Lestari")
    world_a.participant(full_name="Rajin Hadir")
    enrolments = {
        e.participant.full_name: e for e in Enrolment.objects.select_related("participant")
    }
    for session in world_a.past_sessions(3):
        client_a.post(
            reverse("partner:session", args=[world_a.batch.pk, session.pk]),
            {
                f"e{enrolments['Ayu Lestari'].pk}": "absent",
                f"e{enrolments['Rajin Hadir'].pk}": "present",
            },
        )
    response = client_a.get(reverse("partner:batch", args=[world_a.batch.pk]))
    alerts = response.context["alerts"]
    assert [e.participant_id for e in alerts] == [ayu.pk]
    assert "Absence alerts" in response.text


def test_ministry_staff_looking_as_the_partner_see_the_batch_read_only(
    client, ministry_officer, world_a
):
    ayu = world_a.participant(full_name="Ayu Lestari")
    enrolment = Enrolment.objects.get(participant=ayu)
    (session,) = world_a.past_sessions(1)
    client.force_login(ministry_officer)
    client.cookies["django_language"] = "en"
    url = reverse("partner:batch", args=[world_a.batch.pk])
    response = client.get(url + f"?org={world_a.organisation.slug}")
    assert response.status_code == 200
    assert "Ayu Lestari" in response.text
    assert "Record attendance" not in response.text
    session_url = reverse("partner:session", args=[world_a.batch.pk, session.pk])
    assert client.post(session_url, {f"e{enrolment.pk}": "present"}).status_code == 403
    assert client.post(url, {"enrolment": enrolment.pk, "score": "90"}).status_code == 403
    assert not Attendance.objects.exists()
    # Downloads are recorded under the person who asks: not through the partner's eyes.
    assert client.get(reverse("partner:participants_download")).status_code == 403


# --- Filters, search, pagination -----------------------------------------------------------


def test_the_participant_list_paginates_filters_and_searches(client_a, world_a):
    for i in range(27):
        world_a.participant(full_name=f"Peserta {i:02d}", enrol=False)
    world_a.participant(full_name="Ayu Lestari", is_former_prisoner=True)
    url = reverse("partner:participants")
    first = client_a.get(url)
    assert first.context["page"].paginator.count == 28
    assert len(first.context["page"].object_list) == 25
    second = client_a.get(url + "?page=2")
    assert len(second.context["page"].object_list) == 3
    names = lambda r: [p.full_name for p in r.context["page"].object_list]  # noqa: E731
    assert names(client_a.get(url + "?category=former_prisoner")) == ["Ayu Lestari"]
    assert names(client_a.get(url + f"?batch={world_a.batch.pk}")) == ["Ayu Lestari"]
    assert names(client_a.get(url + "?q=lestari")) == ["Ayu Lestari"]
    assert names(client_a.get(url + "?status=withdrawn")) == []


def test_the_participant_list_filters_by_placement_phase_and_province(client_a, world_a):
    ayu = world_a.participant(full_name="Ayu Lestari")
    world_a.participant(full_name="Made Wirawan", province_id="35", regency_id=None)
    factories.PlacementFactory(participant=ayu, phase="medical_cleared")
    url = reverse("partner:participants")
    names = lambda r: [p.full_name for p in r.context["page"].object_list]  # noqa: E731
    assert names(client_a.get(url + "?phase=medical_cleared")) == ["Ayu Lestari"]
    assert names(client_a.get(url + "?province=35")) == ["Made Wirawan"]


def test_the_participant_list_answers_404_for_another_organisations_batch_filter(
    client_a, world_a, world_b
):
    url = reverse("partner:participants") + f"?batch={world_b.batch.pk}"
    assert client_a.get(url).status_code == 404
    url = reverse("partner:participants_download") + f"?batch={world_b.batch.pk}"
    assert client_a.get(url).status_code == 404


def test_the_batch_list_filters_by_status_and_searches(client_a, world_a):
    factories.BatchFactory(
        provider=world_a.organisation,
        programme=world_a.programme,
        name="Bahasa Jepang",
        status="planned",
    )
    url = reverse("partner:batches")
    names = lambda r: [b.name for b in r.context["page"].object_list]  # noqa: E731
    assert names(client_a.get(url + "?status=planned")) == ["Bahasa Jepang"]
    assert names(client_a.get(url + "?q=bali")) == ["Las Bali A"]


# --- Downloads -------------------------------------------------------------------------------


def test_the_participant_download_holds_the_page_rows_with_its_filters(client_a, world_a, world_b):
    world_a.participant(full_name="Ayu Lestari", is_former_prisoner=True)
    world_a.participant(full_name="Sari Dewi")
    world_b.participant(full_name="Budi Santoso", is_former_prisoner=True)
    response = client_a.get(reverse("partner:participants_download"))
    assert response.status_code == 200
    rows = _csv(response)
    names = sorted(row[1] for row in rows[1:])
    assert names == ["Ayu Lestari", "Sari Dewi"]
    assert all("*" in row[0] for row in rows[1:])  # NIKs masked
    filtered = _csv(
        client_a.get(reverse("partner:participants_download") + "?category=former_prisoner")
    )
    assert [row[1] for row in filtered[1:]] == ["Ayu Lestari"]
    run = ExportRun.objects.latest("pk")
    assert run.filters == {"category": "former_prisoner"}
    assert run.status == ExportRun.Status.DONE


def test_the_downloads_apply_the_pages_name_search(client_a, world_a, world_b):
    world_a.participant(full_name="Ayu Lestari")
    world_a.participant(full_name="Sari Dewi")
    world_b.participant(full_name="Ayu Wulandari")
    rows = _csv(client_a.get(reverse("partner:participants_download") + "?q=ayu"))
    assert [row[1] for row in rows[1:]] == ["Ayu Lestari"]
    assert ExportRun.objects.latest("pk").filters == {"q": "ayu"}
    rows = _csv(client_a.get(reverse("partner:batches_download") + "?q=bali"))
    assert [row[1] for row in rows[1:]] == ["Las Bali A"]
    assert _csv(client_a.get(reverse("partner:batches_download") + "?q=jepang"))[1:] == []


def test_the_batch_and_agreement_downloads_hold_only_the_organisations_rows(
    client_a, world_a, world_b
):
    rows = _csv(client_a.get(reverse("partner:batches_download")))
    assert [row[1] for row in rows[1:]] == ["Las Bali A"]
    rows = _csv(client_a.get(reverse("partner:agreements_download")))
    assert [row[0] for row in rows[1:]] == [world_a.agreement.number]


# --- Agreements ------------------------------------------------------------------------------


def test_the_agreement_page_shows_scope_and_commitments_achieved(client_a, world_a):
    scope = ScopeItem.objects.create(code="pelatihan", name="Pelatihan vokasi")
    world_a.agreement.scope_items.add(scope)
    Commitment.objects.create(
        agreement=world_a.agreement, kind="quota", programme=world_a.programme, target=100
    )
    for i in range(3):
        world_a.participant(full_name=f"Peserta {i}")
    response = client_a.get(reverse("partner:agreement", args=[world_a.agreement.pk]))
    assert "Pelatihan vokasi" in response.text
    commitment = response.context["commitments"][0]
    assert (commitment.achieved_now, commitment.target) == (3, 100)
    listing = client_a.get(reverse("partner:agreements"))
    assert "3 of 100" in listing.text


# --- Query counts (5 rows and 50 rows give the same count) --------------------------------


def _grow(world, n, *, with_sessions=False):
    for i in range(n):
        participant = world.participant(full_name=f"Peserta {world.batch.pk}-{i}")
        factories.PlacementFactory(participant=participant, phase="selected")
    if with_sessions:
        world.past_sessions(n)


def _count(client, url, django_assert_max_num_queries, limit):
    """The number of queries of one page view (at most `limit`)."""
    with django_assert_max_num_queries(limit) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "name,limit",
    [
        ("partner:batches", 10),
        ("partner:participants", 14),
        ("partner:agreements", 12),
    ],
)
def test_list_pages_make_as_many_queries_for_50_rows_as_for_5(
    client_a, organisation_a, django_assert_max_num_queries, name, limit
):
    for _i in range(5):
        _grow(world_for(organisation_a), 1)
    few = _count(client_a, reverse(name), django_assert_max_num_queries, limit)
    for _i in range(45):
        _grow(world_for(organisation_a), 1)
    assert _count(client_a, reverse(name), django_assert_max_num_queries, limit) == few


def test_the_batch_and_session_pages_make_as_many_queries_for_50_as_for_5(
    client_a, world_a, django_assert_max_num_queries
):
    _grow(world_a, 5, with_sessions=True)
    session = world_a.batch.sessions.first()
    batch_url = reverse("partner:batch", args=[world_a.batch.pk])
    session_url = reverse("partner:session", args=[world_a.batch.pk, session.pk])
    few = [
        _count(client_a, batch_url, django_assert_max_num_queries, 12),
        _count(client_a, session_url, django_assert_max_num_queries, 12),
    ]
    _grow(world_a, 45, with_sessions=True)
    assert [
        _count(client_a, batch_url, django_assert_max_num_queries, 12),
        _count(client_a, session_url, django_assert_max_num_queries, 12),
    ] == few


def test_the_participant_and_agreement_pages_make_as_many_queries_for_50_as_for_5(
    client_a, organisation_a, django_assert_max_num_queries
):
    worlds = [world_for(organisation_a) for _i in range(5)]
    ayu = worlds[0].participant(full_name="Ayu Lestari")
    factories.PlacementFactory(participant=ayu, phase="selected")

    def add(worlds):
        for world in worlds:
            factories.EnrolmentFactory(participant=ayu, batch=world.batch, status="active")
            Commitment.objects.create(agreement=worlds[0].agreement, kind="quota", target=5)

    add(worlds[1:])
    person_url = reverse("partner:participant", args=[ayu.pk])
    agreement_url = reverse("partner:agreement", args=[worlds[0].agreement.pk])
    few = [
        _count(client_a, person_url, django_assert_max_num_queries, 14),
        _count(client_a, agreement_url, django_assert_max_num_queries, 12),
    ]
    add([world_for(organisation_a) for _i in range(45)])
    assert Enrolment.objects.filter(participant=ayu).count() == 50
    assert Participant.objects.count() == 1
    assert [
        _count(client_a, person_url, django_assert_max_num_queries, 14),
        _count(client_a, agreement_url, django_assert_max_num_queries, 12),
    ] == few


@pytest.mark.parametrize(
    "name",
    [
        "partner:batches",
        "partner:batches_download",
        "partner:participants",
        "partner:participants_download",
        "partner:agreements",
        "partner:agreements_download",
    ],
)
def test_lists_and_downloads_answer_405_to_post(client_a, name):
    assert client_a.post(reverse(name)).status_code == 405


def test_ministry_staff_looking_as_a_partner_see_its_participants_only(
    client, ministry_admin, world_a, world_b
):
    world_a.participant(full_name="Ayu Lestari")
    world_b.participant(full_name="Budi Santoso")
    client.force_login(ministry_admin)
    response = client.get(reverse("partner:participants") + f"?org={world_a.organisation.slug}")
    assert "Ayu Lestari" in response.text
    assert "Budi Santoso" not in response.text
    # The choice is remembered for the next page.
    response = client.get(reverse("partner:batches"))
    assert "Las Bali A" in response.text and "Las Jawa B" not in response.text
