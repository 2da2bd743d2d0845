"""The participant registry in the ministry admin: lists, search, filters, scoping, queues."""

import datetime as dt

import pytest
from django.contrib import messages
from django.db import connection
from django.urls import reverse

from participants import services
from participants.models import (
    Consent,
    DataWarning,
    DecileRecord,
    Participant,
    PendingChange,
    PersonalDocument,
    ReviewState,
)
from portal.core.paginator import EstimatedCountPaginator
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:participants_participant_changelist"


def changelist(client, user, **params):
    client.force_login(user)
    return client.get(reverse(CHANGELIST), params)


def errors(response):
    """The error messages the admin reported (their text is translated)."""
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def names(response):
    return {p.full_name for p in response.context["cl"].result_list}


@pytest.fixture
def people():
    """A Bali participant (Denpasar) and one in Jawa Timur (Kota Surabaya 35.78)."""
    bali = factories.ParticipantFactory(
        full_name="Made Wirawan",
        nik="5171011705900001",
        birth_date=dt.date(1990, 5, 17),
        is_former_prisoner=True,
        kk_number="5171010101200001",
    )
    jatim = factories.ParticipantFactory(
        full_name="Siti Rahayu",
        nik=factories.make_nik(region="3578", birth=dt.date(1995, 3, 2), female=True),
        birth_date=dt.date(1995, 3, 2),
        female=True,
        province_id="35",
        regency_id="35.78",
        is_returning_worker=True,
        kk_number="3578010101200002",
    )
    return bali, jatim


def test_the_changelist_opens_for_the_ministry_admin(client, ministry_admin, people):
    response = changelist(client, ministry_admin)
    assert response.status_code == 200
    assert names(response) == {"Made Wirawan", "Siti Rahayu"}


@pytest.mark.parametrize("term", ["5171 0117 0590 0001", "5171.0117.0590.0001", "5171011705900001"])
def test_a_nik_search_with_or_without_separators_finds_exactly_the_person(
    client, ministry_admin, people, term
):
    response = changelist(client, ministry_admin, q=term)
    assert names(response) == {"Made Wirawan"}


def test_a_nik_search_is_an_exact_match_not_a_like(rf, ministry_admin, people):
    from django.contrib import admin

    model_admin = admin.site._registry[Participant]
    queryset, may_have_duplicates = model_admin.get_search_results(
        rf.get("/"), Participant.objects.all(), "5171-0117-0590-0001"
    )
    assert "LIKE" not in str(queryset.query).upper()
    assert not may_have_duplicates


def test_a_search_by_part_of_a_name_finds_the_person(client, ministry_admin, people):
    assert names(changelist(client, ministry_admin, q="rahay")) == {"Siti Rahayu"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "former_prisoner"}, {"Made Wirawan"}),
        ({"category": "returning_worker"}, {"Siti Rahayu"}),
        ({"province__code__exact": "35"}, {"Siti Rahayu"}),
        ({"status__exact": "inactive"}, {"Made Wirawan"}),
        ({"decile": "2"}, {"Made Wirawan"}),
        ({"decile": "unknown"}, {"Siti Rahayu"}),
        ({"open_warnings": "yes"}, {"Siti Rahayu"}),
        ({"open_warnings": "no"}, {"Made Wirawan"}),
    ],
)
def test_each_filter_keeps_only_the_matching_participants(
    client, ministry_admin, people, params, expected
):
    bali, jatim = people
    Participant.objects.filter(pk=bali.pk).update(status="inactive")
    # Bali's family was decile 5 and is now decile 2: the current record counts.
    DecileRecord.objects.create(
        kk_number=bali.kk_number, decile=5, as_of=dt.date(2025, 1, 1), source="dtsen_check"
    )
    DecileRecord.objects.create(
        kk_number=bali.kk_number, decile=2, as_of=dt.date(2025, 10, 1), source="dtsen_check"
    )
    DecileRecord.objects.create(
        kk_number=jatim.kk_number,
        decile=2,
        as_of=dt.date(2024, 1, 1),
        source="import",
    )
    DecileRecord.objects.create(
        kk_number=jatim.kk_number, raw_text="1-2", as_of=dt.date(2025, 1, 1), source="import"
    )
    DataWarning.objects.create(participant=jatim, code="KK_EQUALS_NIK", field="kk_number")
    DataWarning.objects.create(participant=bali, code="OLD", field="nik", state="dismissed")
    assert names(changelist(client, ministry_admin, **params)) == expected


def test_the_province_filter_by_the_decile_of_a_former_record_finds_nobody(
    client, ministry_admin, people
):
    bali, _jatim = people
    DecileRecord.objects.create(
        kk_number=bali.kk_number, decile=5, as_of=dt.date(2025, 1, 1), source="dtsen_check"
    )
    DecileRecord.objects.create(
        kk_number=bali.kk_number, decile=2, as_of=dt.date(2025, 10, 1), source="dtsen_check"
    )
    assert names(changelist(client, ministry_admin, decile="5")) == set()


@pytest.fixture
def bali_officer(db):
    officer = factories.UserFactory(username="officer_bali", role="ministry_officer")
    officer.provinces.add("51")
    return officer


def test_an_officer_limited_to_bali_sees_only_bali_rows(client, bali_officer, people):
    assert names(changelist(client, bali_officer)) == {"Made Wirawan"}


def test_an_officer_limited_to_bali_gets_no_change_page_for_jawa_timur(
    client, bali_officer, people
):
    _bali, jatim = people
    client.force_login(bali_officer)
    response = client.get(reverse("admin:participants_participant_change", args=[jatim.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect to the index


@pytest.mark.parametrize("persona", ["partner_user", "analyst_user", "participant_account"])
def test_users_outside_the_ministry_get_no_admin(client, request, people, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(CHANGELIST))
    assert response.status_code in {302, 403}
    assert "cl" not in (response.context or {})


def test_anonymous_visitors_are_sent_to_log_in(client, people):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302


def test_the_change_page_links_history_and_readers(client, ministry_admin, people):
    bali, _jatim = people
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_participant_change", args=[bali.pk]))
    assert response.status_code == 200
    assert reverse("admin:participants_participant_history", args=[bali.pk]) in response.text
    assert reverse("admin:participants_participant_readers", args=[bali.pk]) in response.text


def test_the_history_page_lists_the_audit_log_entries(client, ministry_admin, people):
    bali, _jatim = people
    services.participant_update(
        participant=bali, data={"full_name": "Made Wirawan Putra"}, actor=ministry_admin
    )
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_participant_history", args=[bali.pk]))
    assert response.status_code == 200
    assert "Made Wirawan Putra" in response.text
    assert len(response.context["entries"]) >= 2  # create and update


def test_the_readers_page_lists_who_saw_restricted_values(client, ministry_admin, people):
    bali, _jatim = people
    services.restricted_values_shown(
        user=ministry_admin, participant=bali, fields=["restricted_notes"]
    )
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_participant_readers", args=[bali.pk]))
    assert response.status_code == 200
    entries = list(response.context["entries"])
    assert [e.additional_data["event"] for e in entries] == ["view_restricted"]
    assert "m_admin" in response.text


def test_the_readers_page_is_not_shown_to_an_officer_of_another_province(
    client, bali_officer, people
):
    _bali, jatim = people
    client.force_login(bali_officer)
    response = client.get(reverse("admin:participants_participant_readers", args=[jatim.pk]))
    assert response.status_code == 302


def test_an_admin_edit_goes_through_the_service_and_refreshes_the_warnings(
    client, ministry_admin, people
):
    bali, _jatim = people
    client.force_login(ministry_admin)
    url = reverse("admin:participants_participant_change", args=[bali.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "regency": "51.71",
            "province": "51",
            "kk_number": bali.nik,
            "full_name": "Made Wirawan",
            "officer": "",
            "user": "",
        }
    )
    for prefix in ("former_prisoner_profile", "student_profile", "returning_worker_profile"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    for prefix in ("documents", "consents", "warnings", "pending_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert bali.warnings.open().filter(code="KK_EQUALS_NIK").exists()


def test_adding_a_participant_in_the_admin_goes_through_the_service(client, ministry_admin):
    client.force_login(ministry_admin)
    url = reverse("admin:participants_participant_add")
    data = {
        "nik": "5171 0117 0590 0001",
        "full_name": "Made Wirawan",
        "status": "active",
        "regency": "51.71",
        "phone": "+62361234567",
    }
    for prefix in (
        "former_prisoner_profile",
        "student_profile",
        "returning_worker_profile",
        "documents",
        "consents",
        "warnings",
        "pending_changes",
    ):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = Participant.objects.get(nik="5171011705900001")
    assert participant.province_id == "51"
    assert list(participant.warnings.values_list("code", flat=True)) == ["PHONE_LANDLINE_ONLY"]


def test_the_add_form_refuses_an_invalid_nik(client, ministry_admin):
    client.force_login(ministry_admin)
    response = client.post(
        reverse("admin:participants_participant_add"),
        {"nik": "5.10803E+15", "full_name": "X", "status": "active"},
    )
    assert response.status_code == 200
    assert "nik" in response.context["adminform"].form.errors
    assert not Participant.objects.exists()


# --- Review queues ----------------------------------------------------------------------------


def test_the_warning_queue_shows_open_warnings_by_default(client, ministry_admin, people):
    bali, jatim = people
    DataWarning.objects.create(participant=bali, code="A")
    DataWarning.objects.create(participant=jatim, code="B", state="fixed")
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_datawarning_changelist"))
    assert [w.code for w in response.context["cl"].result_list] == ["A"]
    response = client.get(reverse("admin:participants_datawarning_changelist"), {"state": "all"})
    assert {w.code for w in response.context["cl"].result_list} == {"A", "B"}


def test_the_warning_queue_of_a_bali_officer_holds_only_bali_warnings(client, bali_officer, people):
    bali, jatim = people
    DataWarning.objects.create(participant=bali, code="A")
    DataWarning.objects.create(participant=jatim, code="B")
    client.force_login(bali_officer)
    response = client.get(reverse("admin:participants_datawarning_changelist"))
    assert [w.code for w in response.context["cl"].result_list] == ["A"]


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("confirm", ReviewState.CONFIRMED),
        ("mark_fixed", ReviewState.FIXED),
        ("dismiss", "dismissed"),
    ],
)
def test_the_warning_actions_review_and_report_each_failure(
    client, ministry_officer, people, action, state
):
    bali, _jatim = people
    open_warning = DataWarning.objects.create(participant=bali, code="A")
    closed = DataWarning.objects.create(participant=bali, code="B", state="fixed")
    client.force_login(ministry_officer)
    response = client.post(
        reverse("admin:participants_datawarning_changelist") + "?state=all",
        {"action": action, "_selected_action": [open_warning.pk, closed.pk]},
        follow=True,
    )
    open_warning.refresh_from_db()
    assert open_warning.state == state
    assert open_warning.reviewed_by == ministry_officer
    assert len(errors(response)) == 1 and errors(response)[0].startswith("B: ")


def test_the_pending_change_actions_accept_and_reject(client, ministry_officer, people):
    bali, _jatim = people
    accept = services.pending_change_propose(
        participant=bali, field="full_name", proposed_value="I Made Wirawan", source="sheet"
    )
    reject = services.pending_change_propose(
        participant=bali, field="birth_place", proposed_value="Tabanan", source="sheet"
    )
    client.force_login(ministry_officer)
    url = reverse("admin:participants_pendingchange_changelist")
    assert {c.pk for c in client.get(url).context["cl"].result_list} == {accept.pk, reject.pk}
    client.post(url, {"action": "accept", "_selected_action": [accept.pk]})
    client.post(url, {"action": "reject", "_selected_action": [reject.pk]})
    bali.refresh_from_db()
    assert bali.full_name == "I Made Wirawan"
    assert bali.birth_place == ""
    assert PendingChange.objects.get(pk=reject.pk).state == "rejected"
    assert list(client.get(url).context["cl"].result_list) == []  # the queue shows pending only
    response = client.post(
        url + "?state=all", {"action": "accept", "_selected_action": [reject.pk]}, follow=True
    )
    assert len(errors(response)) == 1


def test_the_pending_change_list_masks_restricted_values(client, ministry_admin, people):
    bali, _jatim = people
    services.pending_change_propose(
        participant=bali, field="restricted_notes", proposed_value="secret", source="sheet"
    )
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_pendingchange_changelist"))
    assert "secret" not in response.text


def test_the_consent_action_withdraws_and_reports_a_second_withdrawal(
    client, ministry_officer, people
):
    bali, _jatim = people
    consent = services.consent_give(participant=bali, purpose="referral", actor=ministry_officer)
    client.force_login(ministry_officer)
    url = reverse("admin:participants_consent_changelist")
    client.post(url, {"action": "withdraw", "_selected_action": [consent.pk]})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    response = client.post(
        url, {"action": "withdraw", "_selected_action": [consent.pk]}, follow=True
    )
    assert len(errors(response)) == 1


# --- Query counts -----------------------------------------------------------------------------

# 1 session, 2 user, 3 the user's role groups, 4-5 the user's and the groups' permissions,
# 6 the choices of the province (or code/field) filter, 7 the count, 8 the page of rows with
# regency, province and officer joined. On PostgreSQL the paginator first asks the planner
# (EXPLAIN): one more. The bound is the same for 5 and 50 rows.
MAX_QUERIES = 8 + (connection.vendor == "postgresql")


def _with_data(count):
    officer = factories.UserFactory(username="officer_x", role="ministry_officer")
    for _ in range(count):
        participant = factories.ParticipantFactory(officer=officer)
        Consent.objects.create(participant=participant, purpose="referral", given_by="participant")
        PersonalDocument.objects.create(participant=participant, kind="ktp")
        DataWarning.objects.create(participant=participant, code="PHONE_LANDLINE_ONLY")
        PendingChange.objects.create(participant=participant, field="full_name", proposed_value="X")


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize(
    "url_name",
    [
        CHANGELIST,
        "admin:participants_datawarning_changelist",
        "admin:participants_pendingchange_changelist",
        "admin:participants_consent_changelist",
        "admin:participants_personaldocument_changelist",
    ],
)
def test_the_changelists_take_the_same_queries_for_5_and_50_rows(
    client, ministry_admin, django_assert_max_num_queries, rows, url_name
):
    _with_data(rows)
    client.force_login(ministry_admin)
    url = reverse(url_name)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(rows, 50)


# --- The estimated-count paginator -------------------------------------------------------------


def test_the_paginator_counts_exactly_below_the_threshold(monkeypatch, people):
    monkeypatch.setattr(EstimatedCountPaginator, "estimated_count", lambda self: 500)
    paginator = EstimatedCountPaginator(Participant.objects.all(), 100)
    assert paginator.count == 2


def test_the_paginator_uses_the_estimate_above_the_threshold(monkeypatch, people):
    monkeypatch.setattr(EstimatedCountPaginator, "estimated_count", lambda self: 250_000)
    paginator = EstimatedCountPaginator(Participant.objects.all(), 100)
    assert paginator.count == 250_000
    assert paginator.num_pages == 2_500


def test_the_paginator_counts_exactly_when_there_is_no_estimate(people):
    paginator = EstimatedCountPaginator(Participant.objects.all(), 100)
    assert paginator.count == 2


def test_the_paginator_reads_the_planner_estimate_on_postgresql(require_postgres, people):
    estimate = EstimatedCountPaginator(Participant.objects.all(), 100).estimated_count()
    assert isinstance(estimate, int)
