"""Registry services: registration, warnings, derived values, consent, pending changes."""

import datetime as dt

import pytest
from django.utils import timezone

from participants import services
from participants.models import (
    Consent,
    DataWarning,
    DecileRecord,
    FormerPrisonerProfile,
    Participant,
    PendingChange,
    ReviewState,
)
from portal.regions.models import Regency
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 23)


def create(actor, nik="5171011705900001", **data):
    data.setdefault("full_name", "Made Wirawan")
    data["regency"] = Regency.objects.get(code=data.pop("regency_id", "51.71"))
    data.setdefault("phone", "+6281234567890")
    return services.participant_create(nik=nik, actor=actor, as_of=AS_OF, **data)


def codes(participant):
    return sorted(participant.warnings.open().values_list("code", flat=True))


# --- participant_create ------------------------------------------------------------------------


def test_it_registers_a_participant_with_a_valid_nik(ministry_admin):
    participant = create(ministry_admin, nik="5171 0117 0590 0001", birth_date=dt.date(1990, 5, 17))
    assert participant.nik == "5171011705900001"
    assert participant.province_id == "51"  # derived from the regency
    assert codes(participant) == []


def test_it_refuses_a_second_participant_with_the_same_nik(ministry_admin):
    create(ministry_admin)
    with pytest.raises(services.RegistryError):
        create(ministry_admin, nik="5171-0117-0590-0001", full_name="Someone Else")
    assert Participant.objects.count() == 1


def test_it_refuses_an_invalid_nik_and_says_why(ministry_admin):
    with pytest.raises(services.RegistryError) as error:
        create(ministry_admin, nik="517101170590000")  # fifteen digits
    assert "15" in str(error.value)
    assert not Participant.objects.exists()


# --- warnings ----------------------------------------------------------------------------------


def test_a_birth_date_unlike_the_nik_is_flagged_not_corrected(ministry_admin):
    participant = create(ministry_admin, birth_date=dt.date(1990, 5, 18))
    assert "DOB_MISMATCH_NIK" in codes(participant)
    assert participant.birth_date == dt.date(1990, 5, 18)


def test_a_sex_unlike_the_nik_is_flagged(ministry_admin):
    assert "SEX_MISMATCH_NIK" in codes(create(ministry_admin, sex="F"))


def test_a_nik_from_before_the_papua_split_is_a_legacy_warning(ministry_admin):
    # 91.09 (Mimika in Papua) is 94.04 in Papua Tengah since 2022.
    participant = create(ministry_admin, nik="9109011705900001", regency_id="94.04")
    assert codes(participant) == ["NIK_REGION_LEGACY"]
    assert "= domicile" in participant.warnings.get().detail


def test_an_unknown_regency_code_in_the_nik_is_a_warning(ministry_admin):
    participant = create(ministry_admin, nik="5199011705900001")
    assert codes(participant) == ["NIK_REGION_UNKNOWN"]


def test_a_nik_region_unlike_the_domicile_is_a_warning(ministry_admin):
    participant = create(ministry_admin, nik="3216011705900001", regency_id="33.74")
    assert codes(participant) == ["NIK_REGION_DIFFERS_DOMICILE"]


def test_a_kk_equal_to_the_nik_is_flagged(ministry_admin):
    participant = create(ministry_admin, kk_number="5171011705900001")
    assert codes(participant) == ["KK_EQUALS_NIK"]


def test_a_landline_alone_is_flagged(ministry_admin):
    participant = create(ministry_admin, phone="+62361234567")
    assert codes(participant) == ["PHONE_LANDLINE_ONLY"]


def test_warnings_are_not_duplicated_by_a_second_update(ministry_admin):
    participant = create(ministry_admin, phone="+62361234567")
    services.participant_update(participant=participant, data={"email": "a@b.id"}, actor=None)
    services.participant_update(participant=participant, data={"email": "c@b.id"}, actor=None)
    assert DataWarning.objects.filter(participant=participant).count() == 1


def test_data_warnings_for_reports_without_storing(ministry_admin):
    participant = create(ministry_admin)
    participant.kk_number = participant.nik
    found = services.data_warnings_for(participant=participant, as_of=AS_OF)
    assert [w.code for w in found] == ["KK_EQUALS_NIK"]
    assert codes(participant) == []


def test_a_warning_cannot_be_reviewed_twice(ministry_admin, ministry_officer):
    warning = create(ministry_admin, phone="+62361234567").warnings.get()
    services.warning_review(warning=warning, state=ReviewState.CONFIRMED, actor=ministry_officer)
    with pytest.raises(services.RegistryError):
        services.warning_review(warning=warning, state=ReviewState.FIXED, actor=ministry_admin)
    warning.refresh_from_db()
    assert (warning.state, warning.reviewed_by) == ("confirmed", ministry_officer)


# --- derived values ----------------------------------------------------------------------------


def test_age_and_minority_on_fixed_dates():
    participant = Participant(birth_date=dt.date(2009, 6, 15))
    assert participant.age(dt.date(2026, 6, 14)) == 16
    assert participant.age(dt.date(2026, 6, 15)) == 17
    assert participant.is_minor(dt.date(2027, 6, 14))
    assert not participant.is_minor(dt.date(2027, 6, 15))


def test_a_minor_may_not_be_placed_before_the_eighteenth_birthday():
    participant = Participant(birth_date=dt.date(2009, 6, 15))
    day, _reason = participant.placement_not_before(dt.date(2026, 1, 1))
    assert day == dt.date(2027, 6, 15)
    assert participant.placement_not_before(dt.date(2027, 6, 15)) is None


def test_a_parolee_may_not_be_placed_before_supervision_ends():
    participant = factories.ParticipantFactory(birth_date=dt.date(1990, 1, 1))
    FormerPrisonerProfile.objects.create(
        participant=participant, release_type="parole", supervision_end_date=dt.date(2027, 3, 1)
    )
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.placement_not_before(dt.date(2026, 11, 1))[0] == dt.date(2027, 3, 1)


def test_the_later_of_eighteenth_birthday_and_supervision_end_blocks_departure():
    participant = factories.ParticipantFactory(birth_date=dt.date(2009, 6, 15))
    profile = FormerPrisonerProfile.objects.create(
        participant=participant, supervision_end_date=dt.date(2027, 3, 1)
    )
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.placement_not_before(dt.date(2026, 11, 1))[0] == dt.date(2027, 6, 15)
    profile.supervision_end_date = dt.date(2028, 1, 1)
    profile.save()
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.placement_not_before(dt.date(2026, 11, 1))[0] == dt.date(2028, 1, 1)


@pytest.mark.parametrize(
    ("decile", "bansos", "sr"),
    [(1, True, "yes"), (2, True, "yes"), (3, True, "exception"), (4, True, "no"), (5, False, "no")],
)
def test_the_decile_decides_bansos_and_sekolah_rakyat(decile, bansos, sr):
    record = DecileRecord(decile=decile)
    assert (record.bansos_candidate, record.sr_eligible) == (bansos, sr)


def test_an_ambiguous_decile_is_unknown():
    record = DecileRecord(decile=None, raw_text="1-2")
    assert (record.bansos_candidate, record.sr_eligible) == (False, "unknown")


def test_the_current_decile_is_the_newest_record_of_each_family():
    kk = "5171010101200001"
    DecileRecord.objects.create(kk_number=kk, decile=5, as_of=dt.date(2025, 1, 1), source="import")
    newest = DecileRecord.objects.create(
        kk_number=kk, decile=2, as_of=dt.date(2025, 10, 1), source="dtsen_check"
    )
    other = DecileRecord.objects.create(
        kk_number="3578010101200002", decile=7, as_of=dt.date(2024, 1, 1), source="import"
    )
    assert set(DecileRecord.objects.current()) == {newest, other}
    participant = factories.ParticipantFactory(kk_number=kk)
    assert services.current_decile(participant=participant) == newest


# --- consent and partner visibility -------------------------------------------------------------


def test_a_minors_consent_needs_a_named_guardian(ministry_officer):
    child = factories.ParticipantFactory(birth_date=timezone.localdate().replace(year=2012))
    with pytest.raises(services.RegistryError):
        services.consent_give(participant=child, purpose="referral", actor=ministry_officer)
    with pytest.raises(services.RegistryError):
        services.consent_give(
            participant=child, purpose="referral", given_by="guardian", actor=ministry_officer
        )
    consent = services.consent_give(
        participant=child,
        purpose="referral",
        given_by="guardian",
        guardian_name="Ketut Suarni",
        actor=ministry_officer,
    )
    assert consent.given_by == Consent.GivenBy.GUARDIAN


def test_a_consent_cannot_be_withdrawn_twice(ministry_officer):
    consent = services.consent_give(
        participant=factories.ParticipantFactory(), purpose="referral", actor=ministry_officer
    )
    services.consent_withdraw(consent=consent, actor=ministry_officer)
    with pytest.raises(services.RegistryError):
        services.consent_withdraw(consent=consent, actor=ministry_officer)


def test_withdrawing_consent_ends_partner_visibility(
    ministry_officer, partner_user, organisation_a
):
    participant = factories.ParticipantFactory()
    factories.share_with(participant, organisation_a)
    assert participant in Participant.objects.visible_to(partner_user)
    consent = participant.consents.get(purpose="partner_sharing")
    services.consent_withdraw(consent=consent, actor=ministry_officer)
    assert participant not in Participant.objects.visible_to(partner_user)


def test_an_expired_agreement_ends_partner_visibility(partner_user, organisation_a):
    participant = factories.ParticipantFactory()
    expired = factories.AgreementFactory(
        parties=[organisation_a],
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 12, 31),
        signed_on=dt.date(2020, 1, 1),
    )
    factories.share_with(
        participant, organisation_a, programme=factories.ProgrammeFactory(agreements=[expired])
    )
    assert participant not in Participant.objects.visible_to(partner_user)


def test_the_other_organisation_never_sees_the_participant(
    partner_user, other_partner_user, organisation_a
):
    participant = factories.ParticipantFactory()
    factories.share_with(participant, organisation_a)
    assert participant in Participant.objects.visible_to(partner_user)
    assert participant not in Participant.objects.visible_to(other_partner_user)


def test_an_officer_limited_to_bali_sees_bali_and_not_jawa_timur():
    officer = factories.UserFactory(username="officer_bali", role="ministry_officer")
    officer.provinces.add("51")
    bali = factories.ParticipantFactory()
    jatim = factories.ParticipantFactory(province_id="35", regency_id="35.78")
    assert set(Participant.objects.visible_to(officer)) == {bali}
    assert jatim not in Participant.objects.visible_to(officer)


# --- pending changes ---------------------------------------------------------------------------


def test_an_accepted_pending_change_is_applied(ministry_officer):
    participant = factories.ParticipantFactory(full_name="Made Wirawan")
    change = services.pending_change_propose(
        participant=participant, field="full_name", proposed_value="I Made Wirawan", source="x"
    )
    assert change.current_value == "Made Wirawan"
    services.pending_change_decide(change=change, accept=True, actor=ministry_officer)
    participant.refresh_from_db()
    assert participant.full_name == "I Made Wirawan"
    change.refresh_from_db()
    assert (change.state, change.decided_by) == (PendingChange.State.ACCEPTED, ministry_officer)


def test_an_accepted_regency_change_moves_the_participant(ministry_officer):
    participant = factories.ParticipantFactory()
    change = services.pending_change_propose(
        participant=participant, field="regency", proposed_value="51.03", source="x"
    )
    assert change.current_value == "51.71"
    services.pending_change_decide(change=change, accept=True, actor=ministry_officer)
    participant.refresh_from_db()
    assert participant.regency_id == "51.03"


def test_a_rejected_pending_change_leaves_the_value(ministry_officer):
    participant = factories.ParticipantFactory(full_name="Made Wirawan")
    change = services.pending_change_propose(
        participant=participant, field="full_name", proposed_value="Made W.", source="x"
    )
    services.pending_change_decide(change=change, accept=False, actor=ministry_officer)
    participant.refresh_from_db()
    assert participant.full_name == "Made Wirawan"
    with pytest.raises(services.RegistryError):
        services.pending_change_decide(change=change, accept=True, actor=ministry_officer)
