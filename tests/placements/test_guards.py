"""Each guard on a placement's phase, each refusal, and who may override what."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from participants.models import Participant
from participants.services import participant_create, profile_save
from placements.models import ChecklistItem, DestinationRule, Phase, PhaseChange, Placement
from placements.services import (
    PlacementError,
    PlacementRefused,
    checkin_record,
    job_order_create,
    milestone_record,
    placement_advance,
    placement_refusals,
)
from portal.audit.services import entries_for
from portal.regions.models import Regency
from tests.factories import JobOrderFactory, PlacementFactory, make_nik

from .helpers import TODAY, former_prisoner, give_documents

pytestmark = pytest.mark.django_db

STEPS = [
    "selected",
    "medical_cleared",
    "certified",
    "agreement_signed",
    "passport_issued",
    "visa_issued",
    "insured",
    "oriented",
]


def ready_to_depart(participant, actor, *, country="JP", scheme="p2p", sector="shipbuilding"):
    """A placement at `oriented` with every document and milestone in place."""
    placement = register(
        participant=participant,
        country_id=country,
        scheme=scheme,
        sector=sector,
        occupation="Welder",
        actor=actor,
    )
    give_documents(participant, actor)
    for step in STEPS:
        milestone_record(placement=placement, step=step, achieved_on=TODAY, actor=actor)
    placement.refresh_from_db()
    assert placement.phase == Phase.ORIENTED
    return placement


def codes(error):
    return [refusal.code for refusal in error.value.refusals]


def register(**kwargs):
    """The service, with the country given as a code; by default a welder for a Japanese
    shipyard through an agency."""
    from placements.services import placement_create as create
    from portal.regions.models import Country

    kwargs = {"country_id": "JP", "scheme": "p2p", "sector": "shipbuilding"} | kwargs
    kwargs.setdefault("occupation", "Welder")
    kwargs["country"] = Country.objects.get(code=kwargs.pop("country_id"))
    return create(**kwargs)


# --- The transition table --------------------------------------------------------------------


def test_it_refuses_a_jump_the_transitions_do_not_allow_even_for_an_admin(ministry_admin):
    placement = PlacementFactory()

    with pytest.raises(PlacementRefused) as error:
        placement_advance(
            placement=placement,
            to_phase=Phase.DEPARTED,
            actor=ministry_admin,
            override_reason="Urgent",
        )

    assert codes(error) == ["transition"]
    assert not error.value.overridable
    placement.refresh_from_db()
    assert placement.phase == Phase.REGISTERED


def test_it_refuses_to_withdraw_after_departure(ministry_admin):
    placement = PlacementFactory(phase=Phase.WORKING)

    with pytest.raises(PlacementRefused) as error:
        placement_advance(
            placement=placement, to_phase=Phase.WITHDRAWN, reason="Batal", actor=ministry_admin
        )

    assert codes(error) == ["transition"]


def test_it_withdraws_before_departure_only_with_a_reason(ministry_officer):
    placement = PlacementFactory(phase=Phase.PASSPORT_ISSUED)

    with pytest.raises(PlacementRefused) as error:
        placement_advance(placement=placement, to_phase=Phase.WITHDRAWN, actor=ministry_officer)
    assert codes(error) == ["reason_required"]

    placement_advance(
        placement=placement,
        to_phase=Phase.WITHDRAWN,
        reason="Peserta memilih bekerja di dalam negeri",
        actor=ministry_officer,
    )
    change = placement.phase_changes.get()
    assert (change.from_phase, change.to_phase, change.changed_by) == (
        "passport_issued",
        "withdrawn",
        ministry_officer,
    )
    assert change.reason == "Peserta memilih bekerja di dalam negeri"


def test_every_step_before_departure_may_move_to_withdrawn_and_nothing_leaves_a_final_phase():
    for phase in Phase.values[: Phase.values.index("departed")]:
        assert Phase.WITHDRAWN in Placement.TRANSITIONS[phase]
    for phase in ("departed", "working", "contract_ended", "returned"):
        assert Phase.WITHDRAWN not in Placement.TRANSITIONS[phase]
    assert Placement.TRANSITIONS["closed"] == Placement.TRANSITIONS["withdrawn"] == set()


# --- Milestones and the checklist ------------------------------------------------------------


def test_it_refuses_selection_without_the_identity_documents(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )

    with pytest.raises(PlacementRefused) as error:
        placement_advance(placement=placement, actor=ministry_officer)

    messages = [str(r.message) for r in error.value.refusals]
    assert codes(error) == ["milestone", "document", "document", "document"]
    assert any("KTP" in m for m in messages)
    assert any("SKCK" in m for m in messages)


def test_a_milestone_recorded_early_waits_for_the_steps_before_it(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer)

    moved = milestone_record(
        placement=placement, step="passport_issued", achieved_on=TODAY, actor=ministry_officer
    )
    assert moved == []
    moved = milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    )
    assert moved == ["selected"]
    for step in ("medical_cleared", "certified"):
        milestone_record(placement=placement, step=step, achieved_on=TODAY, actor=ministry_officer)
    moved = milestone_record(
        placement=placement, step="agreement_signed", achieved_on=TODAY, actor=ministry_officer
    )

    assert moved == ["agreement_signed", "passport_issued"]
    placement.refresh_from_db()
    assert placement.phase == Phase.PASSPORT_ISSUED


def test_it_refuses_departure_with_a_medical_check_older_than_90_days(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = ready_to_depart(person, ministry_officer)
    person.documents.filter(kind="medical").update(issued_on=TODAY - dt.timedelta(days=91))

    with pytest.raises(PlacementRefused) as error:
        placement_advance(placement=placement, to_phase=Phase.DEPARTED, actor=ministry_officer)

    assert codes(error) == ["document"]
    assert "90" in str(error.value)


def test_it_refuses_departure_on_a_passport_that_expires_within_six_months(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = ready_to_depart(person, ministry_officer)
    person.documents.filter(kind="passport").update(expires_on=TODAY + dt.timedelta(days=100))

    refusals = placement_refusals(placement=placement, to_phase=Phase.DEPARTED)

    assert [r.code for r in refusals] == ["document"]
    assert (TODAY + dt.timedelta(days=100)).isoformat() in str(refusals[0].message)


def test_it_refuses_departure_with_an_expired_visa(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = ready_to_depart(person, ministry_officer)
    person.documents.filter(kind="visa").update(expires_on=TODAY - dt.timedelta(days=1))

    refusals = placement_refusals(placement=placement, to_phase=Phase.DEPARTED)

    assert "expired" in str(refusals[0].message) or "kedaluwarsa" in str(refusals[0].message)


def test_a_checklist_item_for_one_destination_binds_only_that_destination(ministry_officer):
    ChecklistItem.objects.create(
        phase="visa_issued", document_kind="birth_certificate", country_id="KR"
    )
    to_japan = ready_to_depart(former_prisoner(ministry_officer), ministry_officer)
    assert to_japan.phase == Phase.ORIENTED

    person = former_prisoner(ministry_officer, name="Ketut Arsana", birth=dt.date(1992, 1, 9))
    to_korea = register(
        participant=person,
        country_id="KR",
        scheme="p2p",
        sector="manufacturing",
        occupation="Operator",
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer)
    for step in STEPS:
        milestone_record(placement=to_korea, step=step, achieved_on=TODAY, actor=ministry_officer)
    to_korea.refresh_from_db()

    assert to_korea.phase == Phase.PASSPORT_ISSUED
    refusals = placement_refusals(placement=to_korea, to_phase=Phase.VISA_ISSUED)
    assert [r.code for r in refusals] == ["document"]


def test_a_deactivated_checklist_item_no_longer_binds(ministry_officer):
    ChecklistItem.objects.filter(phase="selected", document_kind="skck").update(active=False)
    person = former_prisoner(ministry_officer)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer, kinds={"ktp", "kk"})

    assert milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    ) == ["selected"]


# --- Placement not before (minors, parole) ---------------------------------------------------


def test_it_refuses_departure_during_parole_and_no_one_can_override_it(ministry_admin):
    person = former_prisoner(
        ministry_admin, release_type="parole", supervision_end_date=TODAY + dt.timedelta(days=200)
    )
    placement = ready_to_depart(person, ministry_admin)

    with pytest.raises(PlacementRefused) as error:
        placement_advance(
            placement=placement,
            to_phase=Phase.DEPARTED,
            actor=ministry_admin,
            override_reason="Bapas setuju lisan",
        )

    assert codes(error) == ["not_before"]
    assert (TODAY + dt.timedelta(days=200)).isoformat() in str(error.value)
    placement.refresh_from_db()
    assert placement.phase == Phase.ORIENTED


def test_it_refuses_departure_of_a_minor_until_the_eighteenth_birthday(ministry_admin):
    birth = dt.date(TODAY.year - 17, 1, 15)
    minor = participant_create(
        nik=make_nik(region="3573", birth=birth),
        full_name="Siti Aminah",
        actor=ministry_admin,
        sex="F",
        birth_date=birth,
        regency=Regency.objects.get(code="35.73"),
    )
    placement = ready_to_depart(minor, ministry_admin, country="DE", scheme="g2g", sector="care")

    refusals = placement_refusals(placement=placement, to_phase=Phase.DEPARTED)

    assert [(r.code, r.overridable) for r in refusals] == [("not_before", False)]
    assert dt.date(TODAY.year + 1, 1, 15).isoformat() in str(refusals[0].message)


# --- Destination rules -----------------------------------------------------------------------


def test_korea_eps_refuses_anyone_ever_sentenced_to_prison(ministry_officer):
    person = former_prisoner(ministry_officer, sentence_months=3)
    placement = register(
        participant=person,
        country_id="KR",
        scheme="g2g",
        sector="manufacturing",
        occupation="Operator",
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer, kinds={"ktp", "kk"})

    refusals = placement_refusals(placement=placement, to_phase=Phase.SELECTED)

    assert [r.code for r in refusals] == ["milestone", "destination_bar"]
    assert "EPS" in str(refusals[1].message)


def test_korea_p_to_p_is_not_barred_by_the_eps_rule(ministry_officer):
    person = former_prisoner(ministry_officer, sentence_months=3)
    placement = register(
        participant=person,
        country_id="KR",
        scheme="p2p",
        sector="manufacturing",
        occupation="Operator",
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer)

    assert milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    ) == ["selected"]


@pytest.mark.parametrize(
    ("profile", "barred"),
    [
        ({"sentence_months": 11, "offence_category": "other"}, False),
        ({"sentence_months": 12, "offence_category": "other"}, True),
        ({"sentence_months": 4, "offence_category": "drug"}, True),
        ({"sentence_months": None, "offence_category": "other"}, True),
    ],
    ids=["11-months", "12-months", "drug-offence", "sentence-unknown"],
)
def test_japan_bars_a_year_in_prison_or_any_drug_offence(ministry_officer, profile, barred):
    person = former_prisoner(ministry_officer, **profile)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer)
    milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    )

    refusals = placement_refusals(placement=placement, to_phase=Phase.SELECTED)

    assert ("destination_bar" in [r.code for r in refusals]) is barred
    if barred:
        assert "Japan" in str(refusals[0].message) or "Jepang" in str(refusals[0].message)


def test_a_rule_that_has_lapsed_no_longer_bars(ministry_officer):
    DestinationRule.objects.filter(country_id="JP", kind="no_drug_offence").update(
        valid_until=TODAY - dt.timedelta(days=1)
    )
    person = former_prisoner(ministry_officer, offence_category="drug", sentence_months=4)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )

    codes_now = [r.code for r in placement_refusals(placement=placement, to_phase="selected")]

    assert "destination_bar" not in codes_now


def test_household_work_in_a_banned_middle_east_country_is_refused(ministry_officer):
    person = former_prisoner(ministry_officer)

    with pytest.raises(PlacementError, match="260/2015"):
        register(
            participant=person,
            country_id="SA",
            scheme="p2p",
            sector="household",
            occupation="Penata laksana rumah tangga",
            actor=ministry_officer,
        )
    with pytest.raises(PlacementError, match="260/2015"):
        job_order_create(
            actor=ministry_officer,
            reference="JO-SA-1",
            title="Housemaid",
            country_id="SA",
            scheme="p2p",
            employer="Keluarga",
            occupation="Housemaid",
            sector="household",
            positions=5,
            contract_months=24,
            salary=400,
        )
    welders = job_order_create(
        actor=ministry_officer,
        reference="JO-SA-2",
        title="Welder 6G",
        country_id="SA",
        scheme="p2p",
        employer="Aramco contractor",
        occupation="Pipe welder",
        sector="construction",
        positions=5,
        contract_months=24,
        salary=1400,
    )
    assert welders.pk


def test_selection_against_a_job_order_checks_its_requirements(ministry_officer):
    person = former_prisoner(ministry_officer)
    job_order = JobOrderFactory(
        required_track_kind="welding", required_language="ja", required_language_level="A2"
    )
    placement = register(
        participant=person,
        job_order=job_order,
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer, kinds={"ktp", "kk", "skck"})
    milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    )

    refusals = placement_refusals(placement=placement, to_phase=Phase.SELECTED)

    assert [r.code for r in refusals] == ["job_certificate", "job_language"]


# --- Overrides -------------------------------------------------------------------------------


def test_an_officer_cannot_override_a_guard(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer, kinds={"ktp", "kk"})
    milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    )

    with pytest.raises(PlacementRefused) as error:
        placement_advance(
            placement=placement, actor=ministry_officer, override_reason="SKCK ada di berkas"
        )

    assert codes(error) == ["document"]
    assert error.value.overridable


def test_an_admin_overrides_only_with_a_written_reason_which_is_kept_and_audited(ministry_admin):
    person = former_prisoner(ministry_admin)
    placement = register(
        participant=person,
        actor=ministry_admin,
    )
    give_documents(person, ministry_admin, kinds={"ktp", "kk"})
    milestone_record(placement=placement, step="selected", achieved_on=TODAY, actor=ministry_admin)

    with pytest.raises(PlacementRefused):
        placement_advance(placement=placement, actor=ministry_admin, override_reason="   ")
    placement_advance(
        placement=placement,
        actor=ministry_admin,
        override_reason="SKCK asli diperiksa di kantor BP3MI Bali, salinan menyusul",
    )

    placement.refresh_from_db()
    assert placement.phase == Phase.SELECTED
    change = placement.phase_changes.get(to_phase="selected")
    assert [item["code"] for item in change.overridden] == ["document"]
    assert change.override_reason.startswith("SKCK asli")
    audit = [
        e for e in entries_for(placement) if (e.additional_data or {}).get("event") == "override"
    ]
    assert len(audit) == 1
    assert audit[0].actor == ministry_admin
    assert audit[0].additional_data["to_phase"] == "selected"


def test_the_database_refuses_an_override_without_a_reason():
    placement = PlacementFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PhaseChange.objects.create(
            placement=placement,
            to_phase="selected",
            on=TODAY,
            overridden=[{"code": "document", "message": "SKCK missing"}],
        )


# --- One open placement; during and after ----------------------------------------------------


def test_a_participant_has_at_most_one_open_placement(ministry_officer):
    person = former_prisoner(ministry_officer)
    register(
        participant=person,
        actor=ministry_officer,
    )

    with translation.override("en"), pytest.raises(PlacementError, match="open placement"):
        register(
            participant=person,
            country_id="TW",
            scheme="p2p",
            sector="manufacturing",
            occupation="Operator",
            actor=ministry_officer,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PlacementFactory(participant=person)


def test_check_ins_are_refused_before_departure_and_an_escalation_must_say_what(ministry_officer):
    waiting = PlacementFactory(phase=Phase.VISA_ISSUED)
    abroad = PlacementFactory(phase=Phase.WORKING)

    with translation.override("en"), pytest.raises(PlacementError, match="abroad"):
        checkin_record(
            placement=waiting, on=TODAY, channel="phone", wellbeing="good", actor=ministry_officer
        )
    with translation.override("en"), pytest.raises(PlacementError, match="embassy"):
        checkin_record(
            placement=abroad,
            on=TODAY,
            channel="phone",
            wellbeing="at_risk",
            escalated_to_embassy=True,
            actor=ministry_officer,
        )
    assert not abroad.check_ins.exists()


def test_returning_home_makes_the_participant_a_returning_worker(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = PlacementFactory(participant=person, phase=Phase.REPATRIATED, country_id="MY")

    placement_advance(placement=placement, to_phase=Phase.RETURNED, actor=ministry_officer)

    person = Participant.objects.get(pk=person.pk)
    assert person.is_returning_worker and person.is_former_prisoner
    assert person.returning_worker_profile.last_destination_id == "MY"
    assert person.returning_worker_profile.return_date == TODAY


def test_repatriation_needs_a_reason(ministry_officer):
    placement = PlacementFactory(phase=Phase.WORKING)

    with pytest.raises(PlacementRefused) as error:
        placement_advance(placement=placement, to_phase=Phase.REPATRIATED, actor=ministry_officer)

    assert codes(error) == ["reason_required"]


def test_a_profile_without_a_sentence_is_cleared_by_recording_it(ministry_officer):
    person = former_prisoner(ministry_officer, sentence_months=None)
    placement = register(
        participant=person,
        actor=ministry_officer,
    )
    give_documents(person, ministry_officer)
    milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=ministry_officer
    )
    placement.refresh_from_db()
    assert placement.phase == Phase.REGISTERED

    profile_save(
        participant=person, category="former_prisoner", actor=ministry_officer, sentence_months=6
    )

    assert placement_refusals(placement=placement, to_phase=Phase.SELECTED) == []


def test_a_document_issued_after_the_move_does_not_count(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = PlacementFactory(participant=person, phase=Phase.AGREEMENT_SIGNED)
    give_documents(person, ministry_officer, kinds={"passport"})
    milestone_record(
        placement=placement,
        step="passport_issued",
        achieved_on=TODAY,
        actor=ministry_officer,
        advance=False,
    )

    earlier = TODAY - dt.timedelta(days=365)
    refusals = placement_refusals(placement=placement, to_phase="passport_issued", on=earlier)

    assert [r.code for r in refusals] == ["document"]
    assert placement_refusals(placement=placement, to_phase="passport_issued") == []


def test_a_milestone_reached_earlier_dates_the_phase_change_on_that_day(ministry_officer):
    person = former_prisoner(ministry_officer)
    placement = PlacementFactory(
        participant=person, phase=Phase.REGISTERED, phase_since=TODAY - dt.timedelta(days=30)
    )
    give_documents(person, ministry_officer, on=TODAY - dt.timedelta(days=10))

    milestone_record(
        placement=placement,
        step="selected",
        achieved_on=TODAY - dt.timedelta(days=10),
        actor=ministry_officer,
    )

    change = placement.phase_changes.get(to_phase="selected")
    assert change.on == TODAY - dt.timedelta(days=10)
