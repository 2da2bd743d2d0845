"""Restricted (specific personal) data in the admin: who sees it, what is logged, masking."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from participants import services
from participants.models import FormerPrisonerProfile, Participant
from portal.audit.masking import RESTRICTED_MASK
from portal.audit.services import entries_for
from tests import factories

pytestmark = pytest.mark.django_db

NOTES = "Pernah dirawat karena depresi"


@pytest.fixture
def former_prisoner():
    participant = factories.ParticipantFactory(
        full_name="Komang Ardana",
        nik="5171011705900001",
        birth_date=dt.date(1990, 5, 17),
        is_former_prisoner=True,
        restricted_notes=NOTES,
    )
    FormerPrisonerProfile.objects.create(
        participant=participant,
        release_type="parole",
        sentence_months=14,
        offence_category="drug",
        supervision_end_date=dt.date(2027, 3, 1),
        notes="Kerobokan block C",
    )
    return participant


def change_page(client, user, participant):
    client.force_login(user)
    return client.get(reverse("admin:participants_participant_change", args=[participant.pk]))


def restricted_reads(participant):
    return entries_for(participant).filter(
        action=LogEntry.Action.ACCESS, additional_data__event="view_restricted"
    )


@pytest.mark.parametrize("persona", ["ministry_admin", "ministry_officer"])
def test_staff_with_the_permission_see_restricted_values_and_the_view_is_audited(
    client, request, former_prisoner, persona
):
    user = request.getfixturevalue(persona)
    response = change_page(client, user, former_prisoner)
    assert response.status_code == 200
    assert NOTES in response.text
    assert "Kerobokan block C" in response.text
    entry = restricted_reads(former_prisoner).get()
    assert entry.actor == user
    assert "restricted_notes" in entry.additional_data["fields"]
    assert "former_prisoner_profile.sentence_months" in entry.additional_data["fields"]


def test_each_view_of_the_change_page_records_one_entry(client, ministry_admin, former_prisoner):
    change_page(client, ministry_admin, former_prisoner)
    change_page(client, ministry_admin, former_prisoner)
    assert restricted_reads(former_prisoner).count() == 2


@pytest.fixture
def staff_without_restricted(db, monkeypatch):
    """Ministry staff lacking view_restricted and view_nik (the role table grants both to
    officers, so the officer group is narrowed for this test only)."""
    group = Group.objects.get(name="ministry_officer")
    group.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="participants", codename__in=["view_restricted", "view_nik"]
        )
    )
    return factories.UserFactory(username="officer_plain", role="ministry_officer")


def test_staff_without_the_permission_see_only_that_a_value_is_recorded(
    client, staff_without_restricted, former_prisoner
):
    user = staff_without_restricted
    assert not user.has_perm("participants.view_restricted")
    response = change_page(client, user, former_prisoner)
    assert response.status_code == 200
    assert NOTES not in response.text
    assert "Kerobokan block C" not in response.text
    form = response.context["adminform"].form
    assert "restricted_notes" not in form.fields
    assert "recorded" in response.text or "tercatat" in response.text
    assert not restricted_reads(former_prisoner).exists()


def test_staff_without_the_permission_cannot_change_a_restricted_value(
    client, staff_without_restricted, former_prisoner
):
    client.force_login(staff_without_restricted)
    url = reverse("admin:participants_participant_change", args=[former_prisoner.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"regency": "51.71", "province": "51", "officer": "", "user": ""})
    data["restricted_notes"] = "overwritten"
    for prefix in ("former_prisoner_profile", "student_profile", "returning_worker_profile"):
        initial = "1" if prefix == "former_prisoner_profile" else "0"
        data.update({f"{prefix}-TOTAL_FORMS": initial, f"{prefix}-INITIAL_FORMS": initial})
    data["former_prisoner_profile-0-id"] = former_prisoner.former_prisoner_profile.pk
    data["former_prisoner_profile-0-participant"] = former_prisoner.pk
    data["former_prisoner_profile-0-sentence_months"] = "1"
    for prefix in ("documents", "consents", "warnings", "pending_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302
    former_prisoner.refresh_from_db()
    assert former_prisoner.restricted_notes == NOTES
    assert former_prisoner.former_prisoner_profile.sentence_months == 14


def test_restricted_fields_never_appear_in_the_list(client, ministry_admin, former_prisoner):
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_participant_changelist"))
    assert NOTES not in response.text
    assert "restricted_notes" not in response.context["cl"].list_display


def test_the_audit_log_of_a_restricted_update_holds_the_mask_not_the_value(
    ministry_admin, former_prisoner
):
    services.participant_update(
        participant=former_prisoner,
        data={"restricted_notes": "Riwayat rawat inap 2024"},
        actor=ministry_admin,
    )
    update = entries_for(former_prisoner).filter(action=LogEntry.Action.UPDATE).latest("pk")
    old, new = update.changes_dict["restricted_notes"]
    assert new == RESTRICTED_MASK
    assert "Riwayat" not in str(update.changes)
    assert NOTES not in str(update.changes)


def test_the_nik_is_masked_in_the_list_for_staff_without_view_nik(
    client, staff_without_restricted, former_prisoner
):
    client.force_login(staff_without_restricted)
    response = client.get(reverse("admin:participants_participant_changelist"))
    assert "5171********0001" in response.text
    assert former_prisoner.nik not in response.text


def test_the_nik_is_shown_in_the_list_to_staff_with_view_nik(
    client, ministry_officer, former_prisoner
):
    client.force_login(ministry_officer)
    response = client.get(reverse("admin:participants_participant_changelist"))
    assert former_prisoner.nik in response.text


def test_restricted_values_stay_off_participant_search(client, ministry_admin, former_prisoner):
    client.force_login(ministry_admin)
    response = client.get(reverse("admin:participants_participant_changelist"), {"q": "depresi"})
    assert list(response.context["cl"].result_list) == []
    assert Participant.objects.filter(restricted_notes__icontains="depresi").exists()
