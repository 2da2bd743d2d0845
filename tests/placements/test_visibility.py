"""Who sees which placements, check-ins, job orders, cases and referrals."""

import pytest

from participants.services import consent_give
from placements.models import Case, CheckIn, JobOrder, Placement, Referral
from placements.services import checkin_record, referral_create
from tests.factories import (
    CaseFactory,
    JobOrderFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnerStaffFactory,
    PlacementFactory,
    UserFactory,
    share_with,
)

from .helpers import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(organisation_a):
    """A participant shared with organisation A, working abroad, with a case."""
    person = ParticipantFactory(full_name="Peserta Kami")
    share_with(person, organisation_a)
    placement = PlacementFactory(participant=person, phase="working")
    CaseFactory(participant=person, placement=placement)
    return placement


@pytest.fixture
def theirs(organisation_b):
    person = ParticipantFactory(full_name="Peserta Lain", province_id="35", regency_id="35.73")
    share_with(person, organisation_b)
    placement = PlacementFactory(participant=person, phase="working")
    CaseFactory(participant=person, placement=placement)
    return placement


def test_partner_staff_see_the_placements_of_their_participants_only(partner_user, ours, theirs):
    assert list(Placement.objects.visible_to(partner_user)) == [ours]


def test_partner_staff_lose_a_placement_when_the_consent_is_withdrawn(partner_user, ours):
    consent = ours.participant.consents.get()
    consent.withdrawn_at = consent.given_at
    consent.save()

    assert not Placement.objects.visible_to(partner_user).exists()


def test_partner_staff_never_see_cases_not_even_of_their_own_participants(
    partner_user, other_partner_user, ours, theirs
):
    assert ours.participant.cases.exists()
    assert not Case.objects.visible_to(partner_user).exists()
    assert not Case.objects.visible_to(other_partner_user).exists()


def test_check_ins_follow_the_placements(partner_user, ministry_officer, ours, theirs):
    for placement in (ours, theirs):
        checkin_record(
            placement=placement, on=TODAY, channel="phone", wellbeing="good", actor=ministry_officer
        )

    assert [c.placement for c in CheckIn.objects.visible_to(partner_user)] == [ours]


def test_a_province_limited_officer_sees_placements_and_cases_in_the_province_only(ours, theirs):
    officer = UserFactory(username="officer_bali", role="ministry_officer")
    officer.provinces.add("51")

    assert list(Placement.objects.visible_to(officer)) == [ours]
    assert [c.participant for c in Case.objects.visible_to(officer)] == [ours.participant]


def test_ministry_staff_without_the_case_permission_see_no_cases(ours):
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="ministry_officer").permissions.remove(
        Permission.objects.get(codename="view_case", content_type__app_label="placements")
    )
    officer = UserFactory(username="officer_nocase", role="ministry_officer")

    assert Placement.objects.visible_to(officer).exists()
    assert not Case.objects.visible_to(officer).exists()


def test_analysts_and_participants_see_no_cases(analyst_user, participant_account, ours):
    ours.participant.user = participant_account
    ours.participant.save()

    assert not Case.objects.visible_to(analyst_user).exists()
    assert not Case.objects.visible_to(participant_account).exists()


def test_a_participant_sees_their_own_placement_only(participant_account, ours, theirs):
    ours.participant.user = participant_account
    ours.participant.save()

    assert list(Placement.objects.visible_to(participant_account)) == [ours]


def test_the_receiving_organisation_sees_only_the_referrals_addressed_to_it(
    ministry_officer, ours, theirs
):
    centre = OrganisationFactory(name="Sentra Mulya Jaya", kind="rehabilitation_centre")
    other_centre = OrganisationFactory(name="Sentra Lain", kind="rehabilitation_centre")
    centre_staff = PartnerStaffFactory(organisation=centre)
    for placement, to in ((ours, centre), (theirs, other_centre)):
        consent_give(participant=placement.participant, purpose="referral", actor=ministry_officer)
        referral_create(
            case=placement.cases.get(),
            to_organisation=to,
            reason="Rehabilitasi sosial",
            services_requested=["rehabilitation"],
            actor=ministry_officer,
        )

    seen = list(Referral.objects.visible_to(centre_staff))

    assert [r.to_organisation for r in seen] == [centre]
    assert not Case.objects.visible_to(centre_staff).exists()
    assert Referral.objects.visible_to(ministry_officer).count() == 2


def test_partner_staff_see_open_job_orders_and_their_agencys_own(partner_user, organisation_a):
    open_order = JobOrderFactory(status="open")
    own_draft = JobOrderFactory(status="draft", agency=organisation_a)
    JobOrderFactory(status="draft")

    assert set(JobOrder.objects.visible_to(partner_user)) == {open_order, own_draft}


def test_participants_and_anonymous_users_see_no_job_orders(participant_account):
    from django.contrib.auth.models import AnonymousUser

    JobOrderFactory()

    assert not JobOrder.objects.visible_to(participant_account).exists()
    assert not JobOrder.objects.visible_to(AnonymousUser()).exists()
