"""The receiving organisation's referral pages: its referrals only, never the case file."""

import pytest
from django.urls import reverse

from participants.services import consent_give
from placements.services import referral_answer, referral_create
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnerStaffFactory,
)

pytestmark = pytest.mark.django_db

CASE_SUMMARY = "KANARI-ringkasan-kasus-rahasia"


@pytest.fixture
def centre():
    return OrganisationFactory(name="Sentra Mulya Jaya", kind="rehabilitation_centre")


@pytest.fixture
def centre_staff(centre):
    return PartnerStaffFactory(username="sentra_staff", organisation=centre)


def referral_to(organisation, actor, name="Wayan Sudarma"):
    case = CaseFactory(
        participant=ParticipantFactory(full_name=name),
        type="trafficking",
        summary=CASE_SUMMARY,
        assessment="KANARI-asesmen",
    )
    consent_give(participant=case.participant, purpose="referral", actor=actor)
    return referral_create(
        case=case,
        to_organisation=organisation,
        reason="Pemulihan setelah dipulangkan",
        services_requested=["rehabilitation", "counselling"],
        actor=actor,
    )


def login(client, user):
    client.force_login(user)
    return client


def test_staff_see_the_person_reason_and_services_but_not_the_case_file(
    client, centre, centre_staff, ministry_officer
):
    referral = referral_to(centre, ministry_officer)

    response = login(client, centre_staff).get(
        reverse("placements:referral_detail", args=[referral.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Wayan Sudarma" in page
    assert "Pemulihan setelah dipulangkan" in page
    assert "KANARI" not in page
    assert "trafficking" not in page.lower() and "TPPO" not in page


def test_the_list_shows_only_this_organisations_referrals(
    client, centre, centre_staff, ministry_officer
):
    referral_to(centre, ministry_officer, name="Orang Kami")
    referral_to(OrganisationFactory(kind="rehabilitation_centre"), ministry_officer, "Orang Lain")

    page = login(client, centre_staff).get(reverse("placements:referral_list")).content.decode()

    assert "Orang Kami" in page
    assert "Orang Lain" not in page


def test_another_organisations_referral_is_a_404(
    client, centre, other_partner_user, ministry_officer
):
    referral = referral_to(centre, ministry_officer)

    response = login(client, other_partner_user).get(
        reverse("placements:referral_detail", args=[referral.pk])
    )

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["participant_account", "analyst_user"])
def test_people_who_receive_no_referrals_are_refused(client, request, persona):
    user = request.getfixturevalue(persona)

    assert login(client, user).get(reverse("placements:referral_list")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("placements:referral_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_accept_then_report_the_services_given(
    client, centre, centre_staff, ministry_officer
):
    referral = referral_to(centre, ministry_officer)
    url = reverse("placements:referral_detail", args=[referral.pk])
    login(client, centre_staff)

    client.post(url, {"answer-decision": "accept", "answer-answer": ""})
    client.post(
        url,
        {"complete-delivered_on": "2026-11-20", "complete-services_given": "Konseling 4 sesi"},
    )

    referral.refresh_from_db()
    assert (referral.status, referral.answered_by) == ("done", centre_staff)
    assert referral.services_given == "Konseling 4 sesi"
    assert sorted(referral.services.values_list("kind", flat=True)) == [
        "counselling",
        "rehabilitation",
    ]


def test_a_rejection_without_a_reason_is_refused_with_a_message(
    client, centre, centre_staff, ministry_officer
):
    referral = referral_to(centre, ministry_officer)
    url = reverse("placements:referral_detail", args=[referral.pk])

    response = login(client, centre_staff).post(
        url, {"answer-decision": "reject", "answer-answer": ""}, follow=True
    )

    referral.refresh_from_db()
    assert referral.status == "pending"
    assert "Sebutkan alasan rujukan ditolak." in response.content.decode()


def test_a_second_answer_is_refused(client, centre, centre_staff, ministry_officer):
    referral = referral_to(centre, ministry_officer)
    referral_answer(referral=referral, accept=True, actor=centre_staff)

    login(client, centre_staff).post(
        reverse("placements:referral_detail", args=[referral.pk]),
        {"answer-decision": "reject", "answer-answer": "Berubah pikiran"},
    )

    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_the_list_costs_the_same_queries_for_five_or_fifteen_referrals(
    client, centre, centre_staff, ministry_officer, django_assert_max_num_queries
):
    login(client, centre_staff)
    url = reverse("placements:referral_list")
    for n in range(5):
        referral_to(centre, ministry_officer, name=f"Orang {n}")
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    for n in range(5, 15):
        referral_to(centre, ministry_officer, name=f"Orang {n}")
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
