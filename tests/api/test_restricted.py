"""NIKs masked without `participants.view_nik`; restricted fields only with
`participants.view_restricted` (or to the person themself), and every such read audited."""

import pytest
from auditlog.models import LogEntry

from tests import factories
from tests.api.factories import build_side

pytestmark = pytest.mark.django_db


@pytest.fixture
def side_a(organisation_a, participant_account):
    side = build_side(
        organisation_a, province_id="51", regency_id="51.71", suffix="A", user=participant_account
    )
    return side


def _restricted_reads(participant):
    return LogEntry.objects.filter(
        object_pk=str(participant.pk),
        action=LogEntry.Action.ACCESS,
        additional_data__event="view_restricted",
    )


def test_a_ministry_officer_sees_the_full_nik_and_restricted_notes_and_is_audited(
    api, side_a, ministry_officer
):
    person = side_a["participants"]
    row = api.as_user(ministry_officer).get(f"/api/v1/participants/{person.pk}/").json()
    assert row["nik"] == person.nik
    assert row["restricted_shown"] is True
    assert row["restricted_notes"] == "catatan rahasia A"
    entry = _restricted_reads(person).get()
    assert entry.actor == ministry_officer
    assert entry.additional_data["fields"] == ["restricted_notes"]


def test_a_list_audits_every_person_shown_with_restricted_values(api, side_a, ministry_officer):
    others = factories.ParticipantFactory.create_batch(3)
    api.as_user(ministry_officer).get("/api/v1/participants/")
    for person in [side_a["participants"], *others]:
        assert _restricted_reads(person).count() == 1


def test_partner_staff_get_a_masked_nik_and_no_restricted_values(api, side_a, partner_user):
    person = side_a["participants"]
    row = api.as_user(partner_user).get(f"/api/v1/participants/{person.pk}/").json()
    assert row["nik"] == f"{person.nik[:4]}********{person.nik[12:]}"
    assert row["restricted_shown"] is False
    assert row["restricted_notes"] is None
    assert not _restricted_reads(person).exists()


def test_an_analyst_gets_a_masked_nik_and_no_restricted_values(api, side_a, analyst_user):
    person = side_a["participants"]
    row = api.as_user(analyst_user).get(f"/api/v1/participants/{person.pk}/").json()
    assert "*" in row["nik"]
    assert row["restricted_notes"] is None


def test_a_participant_sees_their_own_nik_and_notes(api, side_a, participant_account):
    person = side_a["participants"]
    row = api.as_user(participant_account).get(f"/api/v1/participants/{person.pk}/").json()
    assert row["nik"] == person.nik
    assert row["restricted_notes"] == "catatan rahasia A"


def test_the_former_prisoner_profile_is_withheld_from_partners(
    api, side_a, partner_user, ministry_officer
):
    from participants.models import FormerPrisonerProfile

    person = side_a["participants"]
    person.is_former_prisoner = True
    person.save()
    FormerPrisonerProfile.objects.create(
        participant=person, sentence_months=30, offence_category="drug"
    )
    partner_row = api.as_user(partner_user).get(f"/api/v1/participants/{person.pk}/").json()
    assert partner_row["former_prisoner_profile"]["sentence_months"] is None
    assert partner_row["former_prisoner_profile"]["offence_category"] is None
    ministry_row = api.as_user(ministry_officer).get(f"/api/v1/participants/{person.pk}/").json()
    assert ministry_row["former_prisoner_profile"]["sentence_months"] == 30


def test_check_in_issues_are_withheld_from_partner_staff(api, side_a, partner_user):
    check_in = side_a["check-ins"]
    row = api.as_user(partner_user).get(f"/api/v1/check-ins/{check_in.pk}/").json()
    assert row["wellbeing"] == "good"
    assert row["issues"] is None


def test_sessions_are_in_utc_with_the_venue_time_zone(api, side_a, ministry_admin):
    session = side_a["sessions"]
    row = api.as_user(ministry_admin).get(f"/api/v1/sessions/{session.pk}/").json()
    assert row["starts_at"].endswith("Z")
    assert row["starts_at"] == session.starts_at.isoformat().replace("+00:00", "Z")
    assert row["timezone"] == "Asia/Makassar"


def test_enrolments_carry_their_progress(api, side_a, ministry_admin):
    enrolment = side_a["enrolments"]
    row = api.as_user(ministry_admin).get(f"/api/v1/enrolments/{enrolment.pk}/").json()
    assert row["sessions_attended"] == 1
    assert row["hours_attended"] == 3.0
    assert row["latest_score"] == "80.00"


def test_placements_carry_their_phase_history(api, side_a, ministry_admin):
    placement = side_a["placements"]
    row = api.as_user(ministry_admin).get(f"/api/v1/placements/{placement.pk}/").json()
    assert [(c["from_phase"], c["to_phase"]) for c in row["phase_changes"]] == [
        ("registered", "selected")
    ]


def test_agreements_carry_their_commitments(api, side_a, ministry_admin):
    from partners.models import Commitment

    agreement = side_a["agreements"]
    Commitment.objects.create(agreement=agreement, kind="quota", target=40)
    row = api.as_user(ministry_admin).get(f"/api/v1/agreements/{agreement.pk}/").json()
    assert [(c["kind"], c["target"]) for c in row["commitments"]] == [("quota", "40")]
    assert row["status"] == "active"
