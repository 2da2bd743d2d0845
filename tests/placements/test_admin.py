"""Placements in the ministry admin: actions and pages through the services, scoping, restricted
values, the matching page, and constant-cost lists."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import ERROR, SUCCESS, WARNING, get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import Consent, FormerPrisonerProfile, PersonalDocument
from placements import services
from placements.models import (
    CheckIn,
    JobOrder,
    PhaseChange,
    Placement,
    Referral,
)
from portal.audit.services import entries_for, readers_of
from portal.regions.models import Country
from tests import factories
from training.models import Certificate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def bali_officer(db):
    officer = factories.UserFactory(username="officer_bali", role="ministry_officer")
    officer.provinces.add("51")
    return officer


def narrow_officers(*codenames, app="placements"):
    """Take permissions away from the officer role for this test only (the role table grants
    them to every officer)."""
    Group.objects.get(name="ministry_officer").permissions.remove(
        *Permission.objects.filter(content_type__app_label=app, codename__in=codenames)
    )


def sent(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def url(name, *args):
    return reverse(f"admin:placements_{name}", args=args)


def ready_for_selection(placement, actor):
    """The documents and the milestone the p2p selection step asks for."""
    for kind in ("ktp", "kk", "skck"):
        PersonalDocument.objects.create(
            participant=placement.participant, kind=kind, issued_on=TODAY - dt.timedelta(days=10)
        )
    services.milestone_record(
        placement=placement, step="selected", achieved_on=TODAY, actor=actor, advance=False
    )


def parolee(**fields):
    participant = factories.ParticipantFactory(is_former_prisoner=True, **fields)
    FormerPrisonerProfile.objects.create(
        participant=participant,
        supervision_end_date=TODAY + dt.timedelta(days=200),
        sentence_months=6,
        offence_category="other",
    )
    return participant


# --- The advance action -----------------------------------------------------------------------


def test_it_advances_the_ready_placements_and_reports_each_refusal_with_its_reason(
    client, ministry_officer
):
    missing = factories.PlacementFactory(participant__full_name="Wayan Kurang")
    ready = factories.PlacementFactory(participant__full_name="Nyoman Siap")
    ready_for_selection(ready, ministry_officer)
    client.force_login(ministry_officer)

    response = client.post(
        url("placement_changelist"),
        {"action": "advance", "_selected_action": [missing.pk, ready.pk]},
    )

    assert response.status_code == 302
    ready.refresh_from_db()
    missing.refresh_from_db()
    assert (ready.phase, missing.phase) == ("selected", "registered")
    errors = [text for level, text in sent(response) if level == ERROR]
    assert len(errors) == 1
    assert "Wayan Kurang" in errors[0]
    assert "Identity card (KTP) missing" in errors[0]
    assert "Family card (KK) missing" in errors[0]
    assert (SUCCESS, "Advanced 1 placement.") in sent(response)


# --- The move-phase page ----------------------------------------------------------------------


def test_it_shows_no_override_field_to_an_officer_and_lists_the_refusals(client, ministry_officer):
    placement = factories.PlacementFactory()
    client.force_login(ministry_officer)

    page = client.get(url("placement_move", placement.pk))
    assert page.status_code == 200
    assert 'name="override_reason"' not in page.text

    response = client.post(
        url("placement_move", placement.pk),
        {"to_phase": "selected", "override_reason": "I say so"},
    )

    assert response.status_code == 200
    assert "Identity card (KTP) missing" in response.text
    assert "The step Selected is not recorded yet." in response.text
    assert "Only a ministry admin may override" in response.text
    placement.refresh_from_db()
    assert placement.phase == "registered"
    assert not PhaseChange.objects.filter(placement=placement).exists()


def test_it_lets_a_ministry_admin_override_with_a_written_reason(client, ministry_admin):
    placement = factories.PlacementFactory()
    client.force_login(ministry_admin)

    first = client.post(url("placement_move", placement.pk), {"to_phase": "selected"})
    assert first.status_code == 200
    assert 'name="override_reason"' in first.text
    assert "you may override these refusals" in first.text

    response = client.post(
        url("placement_move", placement.pk),
        {"to_phase": "selected", "override_reason": "KTP seen at the BP3MI desk"},
    )

    assert response.status_code == 302
    assert response.url == url("placement_change", placement.pk)
    placement.refresh_from_db()
    assert placement.phase == "selected"
    change = PhaseChange.objects.get(placement=placement, to_phase="selected")
    assert change.override_reason == "KTP seen at the BP3MI desk"
    assert "Identity card (KTP) missing" in {r["message"] for r in change.overridden}
    entry = entries_for(placement).get(additional_data__event="override")
    assert entry.actor == ministry_admin
    assert entry.additional_data["reason"] == "KTP seen at the BP3MI desk"


def test_it_refuses_to_override_the_departure_of_a_parolee_even_for_an_admin(
    client, ministry_admin
):
    placement = factories.PlacementFactory(participant=parolee(), phase="oriented")
    client.force_login(ministry_admin)

    response = client.post(
        url("placement_move", placement.pk),
        {"to_phase": "departed", "override_reason": "The employer is waiting"},
    )

    assert response.status_code == 200
    assert "No departure before" in response.text
    assert "cannot be overridden" in response.text
    placement.refresh_from_db()
    assert placement.phase == "oriented"


def test_it_refuses_to_override_the_departure_of_a_minor(client, ministry_admin):
    minor = factories.ParticipantFactory(birth_date=TODAY - dt.timedelta(days=17 * 365))
    placement = factories.PlacementFactory(participant=minor, phase="oriented")
    client.force_login(ministry_admin)

    response = client.post(
        url("placement_move", placement.pk),
        {"to_phase": "departed", "override_reason": "Almost eighteen"},
    )

    assert "turns 18" in response.text
    placement.refresh_from_db()
    assert placement.phase == "oriented"


def test_it_asks_for_the_reason_of_a_withdrawal(client, ministry_officer):
    placement = factories.PlacementFactory()
    client.force_login(ministry_officer)

    refused = client.post(url("placement_move", placement.pk), {"to_phase": "withdrawn"})
    assert "Say why the placement moves to Withdrawn." in refused.text

    done = client.post(
        url("placement_move", placement.pk),
        {"to_phase": "withdrawn", "reason": "Chose to stay home"},
    )
    assert done.status_code == 302
    placement.refresh_from_db()
    assert placement.phase == "withdrawn"


def test_the_change_page_links_the_placement_pages(client, ministry_officer):
    placement = factories.PlacementFactory()
    client.force_login(ministry_officer)

    response = client.get(url("placement_change", placement.pk))

    assert response.status_code == 200
    for name in ("placement_move", "placement_milestone", "placement_phases"):
        assert url(name, placement.pk) in response.text


# --- Milestones and phase history ---------------------------------------------------------------


def test_recording_a_milestone_reports_the_phases_advanced_through(client, ministry_officer):
    placement = factories.PlacementFactory()
    for kind in ("ktp", "kk", "skck"):
        PersonalDocument.objects.create(
            participant=placement.participant, kind=kind, issued_on=TODAY
        )
    client.force_login(ministry_officer)

    response = client.post(
        url("placement_milestone", placement.pk),
        {"step": "selected", "achieved_on": TODAY.isoformat(), "reference": "SEL-1"},
    )

    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.phase == "selected"
    assert (
        SUCCESS,
        "Milestone Selected recorded. The placement advanced through: Selected.",
    ) in sent(response)


def test_recording_a_milestone_that_does_not_advance_says_what_is_missing(client, ministry_officer):
    placement = factories.PlacementFactory()
    client.force_login(ministry_officer)

    response = client.post(
        url("placement_milestone", placement.pk),
        {"step": "selected", "achieved_on": TODAY.isoformat()},
    )

    assert response.status_code == 302
    messages = sent(response)
    assert (
        SUCCESS,
        "Milestone Selected recorded. The placement stays in Registered.",
    ) in messages
    assert any(level == WARNING and "KTP" in text for level, text in messages)


def test_the_phase_history_lists_each_change_with_the_override(client, ministry_admin):
    participant = factories.ParticipantFactory()
    placement = services.placement_create(
        participant=participant,
        country=Country.objects.get(code="JP"),
        scheme="p2p",
        sector="shipbuilding",
        occupation="Welder",
        actor=ministry_admin,
    )
    services.placement_advance(
        placement=placement, actor=ministry_admin, override_reason="Documents seen in person"
    )
    client.force_login(ministry_admin)

    response = client.get(url("placement_phases", placement.pk))

    assert response.status_code == 200
    assert [c.to_phase for c in response.context["changes"]] == ["registered", "selected"]
    assert "Documents seen in person" in response.text
    assert "Identity card (KTP) missing" in response.text
    assert "m_admin" in response.text


def test_the_placement_pages_are_out_of_reach_for_an_officer_of_another_province(
    client, bali_officer
):
    java = factories.PlacementFactory(participant__province_id="35", participant__regency_id=None)
    client.force_login(bali_officer)

    for name in ("placement_move", "placement_milestone", "placement_phases", "placement_change"):
        assert client.get(url(name, java.pk)).status_code == 302


# --- Adding through the services -------------------------------------------------------------


def test_adding_a_placement_goes_through_the_service_and_takes_the_job_order(
    client, ministry_officer
):
    participant = factories.ParticipantFactory()
    order = factories.JobOrderFactory()
    client.force_login(ministry_officer)

    response = client.post(
        url("placement_add"), {"participant": participant.pk, "job_order": order.pk}
    )

    assert response.status_code == 302
    placement = Placement.objects.get(participant=participant)
    assert (placement.country_id, placement.scheme, placement.sector) == (
        "JP",
        "p2p",
        "shipbuilding",
    )
    assert placement.phase_changes.get().to_phase == "registered"


def test_adding_a_second_open_placement_is_refused_with_a_message(client, ministry_officer):
    existing = factories.PlacementFactory()
    client.force_login(ministry_officer)

    response = client.post(
        url("placement_add"),
        {
            "participant": existing.participant.pk,
            "country": "JP",
            "scheme": "p2p",
            "sector": "manufacturing",
            "occupation": "Operator",
        },
    )

    assert response.status_code == 302
    assert any(
        level == ERROR and "already has an open placement" in text for level, text in sent(response)
    )
    assert Placement.objects.filter(participant=existing.participant).count() == 1


def test_a_job_order_in_a_closed_sector_is_refused(client, ministry_officer):
    client.force_login(ministry_officer)
    data = {
        "reference": "JO-SA-1",
        "title": "Housemaid",
        "country": "SA",
        "scheme": "p2p",
        "employer": "A family",
        "occupation": "Housemaid",
        "sector": "household",
        "positions": 1,
        "min_age": 21,
        "contract_months": 24,
        "salary": "400",
        "salary_currency": "USD",
        "status": "open",
    }

    response = client.post(url("joborder_add"), data)

    assert response.status_code == 302
    assert any("Kepmenaker 260/2015" in text for _level, text in sent(response))
    assert not JobOrder.objects.filter(reference="JO-SA-1").exists()


# --- Check-ins and restricted values ------------------------------------------------------------

SECRET = "Majikan menahan paspor dan memukul"


@pytest.fixture
def checkin(ministry_admin):
    placement = factories.PlacementFactory(phase="working")
    return services.checkin_record(
        placement=placement,
        on=TODAY,
        channel="whatsapp",
        wellbeing="at_risk",
        issues=SECRET,
        actor=ministry_admin,
    )


def test_restricted_check_in_values_stay_off_the_list(client, ministry_admin, checkin):
    client.force_login(ministry_admin)
    response = client.get(url("checkin_changelist"))
    assert response.status_code == 200
    assert SECRET not in response.text


def test_staff_with_the_permission_see_restricted_values_and_the_read_is_audited(
    client, ministry_officer, checkin
):
    client.force_login(ministry_officer)

    for page in (url("checkin_change", checkin.pk), url("placement_change", checkin.placement_id)):
        assert SECRET in client.get(page).text

    reads = readers_of(checkin.placement.participant).filter(
        additional_data__event="view_restricted"
    )
    assert reads.count() == 2
    assert reads.first().additional_data["fields"] == [f"checkin.{checkin.pk}.issues"]


def test_staff_without_the_permission_see_only_that_a_value_is_recorded(client, checkin):
    narrow_officers("view_restricted", app="participants")
    officer = factories.UserFactory(username="officer_plain", role="ministry_officer")
    client.force_login(officer)

    response = client.get(url("checkin_change", checkin.pk))

    assert response.status_code == 200
    assert SECRET not in response.text
    assert "recorded" in response.text
    assert not readers_of(checkin.placement.participant).exists()


def test_a_check_in_before_departure_is_refused(client, ministry_officer):
    placement = factories.PlacementFactory()
    client.force_login(ministry_officer)

    response = client.post(
        url("checkin_add"),
        {
            "placement": placement.pk,
            "on": TODAY.isoformat(),
            "channel": "phone",
            "wellbeing": "good",
        },
    )

    assert any("while the worker is abroad" in text for _level, text in sent(response))
    assert not CheckIn.objects.exists()


# --- Cases and referrals ----------------------------------------------------------------------


def test_the_cases_admin_is_closed_to_staff_without_the_case_permission(client):
    narrow_officers("view_case", "add_case", "change_case")
    officer = factories.UserFactory(username="officer_nocase", role="ministry_officer")
    factories.CaseFactory()
    client.force_login(officer)

    assert client.get(url("case_changelist")).status_code == 403
    assert client.get(url("referral_changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert url("case_changelist") not in index.text
    assert url("referral_changelist") not in index.text


def test_an_officer_limited_to_bali_sees_only_bali_cases(client, bali_officer):
    bali = factories.CaseFactory(participant__full_name="Made Bali")
    factories.CaseFactory(
        participant__full_name="Siti Jatim",
        participant__province_id="35",
        participant__regency_id=None,
    )
    client.force_login(bali_officer)

    response = client.get(url("case_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [bali]


def test_the_case_page_shows_the_log_the_referrals_and_the_services(client, ministry_admin):
    participant = factories.ParticipantFactory()
    Consent.objects.create(participant=participant, purpose="referral", given_by="participant")
    case = services.case_open(
        participant=participant,
        type="abuse",
        severity="high",
        summary="Dipukul",
        actor=ministry_admin,
    )
    services.case_note_add(case=case, note="Called the family", actor=ministry_admin)
    centre = factories.OrganisationFactory(name="Rumah Perlindungan Bali")
    services.referral_create(
        case=case,
        to_organisation=centre,
        reason="Trauma",
        services_requested=["counselling"],
        actor=ministry_admin,
    )
    services.service_deliver(case=case, kind="legal_aid", delivered_on=TODAY, actor=ministry_admin)
    client.force_login(ministry_admin)

    response = client.get(url("case_change", case.pk))

    assert response.status_code == 200
    assert "Called the family" in response.text
    assert "Rumah Perlindungan Bali" in response.text
    assert "Legal aid" in response.text
    assert f"{url('referral_add')}?case={case.pk}" in response.text
    assert readers_of(participant).filter(additional_data__event="view_restricted").exists()


def test_moving_case_status_asks_for_a_note_to_close_and_reports_each_refusal(
    client, ministry_officer
):
    case = factories.CaseFactory(status="monitoring")
    other = factories.CaseFactory(status="open")
    client.force_login(ministry_officer)
    selected = {"action": "move_status", "_selected_action": [case.pk, other.pk]}

    page = client.post(url("case_changelist"), selected)
    assert page.status_code == 200
    assert 'name="note"' in page.text

    refused = client.post(url("case_changelist"), {**selected, "apply": "1", "to_status": "closed"})
    assert len([m for m in sent(refused) if m[0] == ERROR]) == 2

    done = client.post(
        url("case_changelist"),
        {**selected, "apply": "1", "to_status": "closed", "note": "Wages paid"},
    )
    case.refresh_from_db()
    other.refresh_from_db()
    assert (case.status, other.status) == ("closed", "closed")
    assert case.closed_on == TODAY
    assert (SUCCESS, "Moved 2 cases.") in sent(done)


def test_a_referral_without_consent_is_refused_clearly(client, ministry_officer):
    case = factories.CaseFactory(participant__full_name="Ketut Tanpa")
    centre = factories.OrganisationFactory()
    client.force_login(ministry_officer)
    data = {
        "case": case.pk,
        "to_organisation": centre.pk,
        "reason": "Needs counselling",
        "services_requested": ["counselling"],
    }

    refused = client.post(url("referral_add"), data)

    assert (
        ERROR,
        "Ketut Tanpa has not consented to referral: record the consent first.",
    ) in sent(refused)
    assert not Referral.objects.exists()

    Consent.objects.create(participant=case.participant, purpose="referral", given_by="participant")
    made = client.post(url("referral_add"), data)

    assert made.status_code == 302
    referral = Referral.objects.get()
    assert referral.referred_by == ministry_officer
    assert referral.services_requested == ["counselling"]


# --- Matching ---------------------------------------------------------------------------------


def certified_welder(**fields):
    participant = factories.ParticipantFactory(**fields)
    enrolment = factories.EnrolmentFactory(
        participant=participant, batch__track__kind="welding", status="completed"
    )
    Certificate.objects.create(
        enrolment=enrolment,
        number=f"C-{participant.pk}",
        issuer="LSP Las Bali",
        issued_on=TODAY - dt.timedelta(days=30),
    )
    return participant


def test_the_matching_page_shows_who_qualifies_and_why_the_others_do_not(client, ministry_admin):
    order = factories.JobOrderFactory(required_track_kind="welding")
    certified_welder(full_name="Gede Las", birth_date=dt.date(1995, 1, 1))
    uncertified = factories.ParticipantFactory(
        full_name="Putu Belum", birth_date=dt.date(1996, 1, 1)
    )
    drug = certified_welder(
        full_name="Komang Narkoba", birth_date=dt.date(1994, 1, 1), is_former_prisoner=True
    )
    FormerPrisonerProfile.objects.create(
        participant=drug, sentence_months=6, offence_category="drug"
    )
    client.force_login(ministry_admin)

    response = client.get(url("joborder_matching", order.pk))

    assert response.status_code == 200
    rows = {row["person"].full_name: row for row in response.context["rows"]}
    assert rows["Gede Las"]["person"].qualifies
    assert rows["Gede Las"]["reasons"] == []
    assert [r.code for r in rows["Putu Belum"]["reasons"]] == ["certificate"]
    assert "no valid Welding certificate" in response.text
    drug_reasons = [r.text for r in rows["Komang Narkoba"]["reasons"]]
    assert any("No drug offence" in text for text in drug_reasons)
    assert response.context["qualifying"] == 1
    assert response.context["total"] == 3
    summary = dict(response.context["summary"])
    assert summary[next(k for k in summary if "certificate" in k)] == 1
    assert summary[next(k for k in summary if "No drug offence" in k)] == 1
    assert uncertified.nik in response.text  # the admin holds participants.view_nik


def test_the_matching_page_filters_qualifying_people_and_provinces(client, ministry_admin):
    order = factories.JobOrderFactory()
    factories.ParticipantFactory(full_name="Bali Muda", birth_date=dt.date(1995, 1, 1))
    factories.ParticipantFactory(
        full_name="Jatim Muda", birth_date=dt.date(1995, 1, 1), province_id="35", regency_id=None
    )
    factories.ParticipantFactory(full_name="Bali Tua", birth_date=dt.date(1950, 1, 1))
    client.force_login(ministry_admin)

    def names(**params):
        response = client.get(url("joborder_matching", order.pk), params)
        return {row["person"].full_name for row in response.context["rows"]}

    assert names() == {"Bali Muda", "Jatim Muda", "Bali Tua"}
    assert names(qualifies="1") == {"Bali Muda", "Jatim Muda"}
    assert names(qualifies="1", province="51") == {"Bali Muda"}


def test_the_matching_page_masks_the_nik_without_view_nik(client, ministry_admin):
    narrow_officers("view_nik", app="participants")
    officer = factories.UserFactory(username="officer_nonik", role="ministry_officer")
    order = factories.JobOrderFactory()
    person = factories.ParticipantFactory(birth_date=dt.date(1995, 1, 1))
    client.force_login(officer)

    response = client.get(url("joborder_matching", order.pk))

    assert person.nik not in response.text
    assert f"{person.nik[:4]}********{person.nik[12:]}" in response.text


def test_the_job_order_list_and_page_link_the_matching(client, ministry_officer):
    order = factories.JobOrderFactory()
    client.force_login(ministry_officer)
    matching = url("joborder_matching", order.pk)

    assert matching in client.get(url("joborder_changelist")).text
    assert matching in client.get(url("joborder_change", order.pk)).text


# --- Query counts -----------------------------------------------------------------------------


def build_rows(count, actor):
    """`count` rows of every placements model (the checklist and destination rules are loaded
    for every test database)."""
    for _n in range(count):
        participant = factories.ParticipantFactory()
        Consent.objects.create(participant=participant, purpose="referral", given_by="participant")
        order = factories.JobOrderFactory()
        placement = factories.PlacementFactory(participant=participant, job_order=order)
        PhaseChange.objects.create(placement=placement, to_phase="registered", on=TODAY)
        Placement.objects.filter(pk=placement.pk).update(phase="working")
        placement.refresh_from_db()
        services.checkin_record(
            placement=placement, on=TODAY, channel="phone", wellbeing="good", actor=actor
        )
        case = services.case_open(
            participant=participant,
            placement=placement,
            type="health",
            severity="low",
            summary="Sakit",
            actor=actor,
        )
        services.referral_create(
            case=case,
            to_organisation=order.agency,
            reason="Care",
            services_requested=["health"],
            actor=actor,
        )


# Session, user, groups, user and group permissions, the count, the page, and the choices of
# the related-field filters (country, province): 7 to 9 on SQLite at 5 and 15 rows alike. On
# PostgreSQL the estimated-count paginator first asks the planner (EXPLAIN): one more.
MAX_QUERIES = 9 + (connection.vendor == "postgresql")


@pytest.mark.parametrize("rows", [5, 15])
@pytest.mark.parametrize(
    "model",
    [
        "joborder",
        "destinationrule",
        "checklistitem",
        "placement",
        "phasechange",
        "checkin",
        "case",
        "referral",
    ],
)
def test_the_changelist_costs_a_constant_number_of_queries(
    client, ministry_admin, django_assert_max_num_queries, rows, model
):
    build_rows(rows, ministry_admin)
    client.force_login(ministry_admin)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url(f"{model}_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 5


# Session, user, groups, permissions (2), the job order, the rules, the provinces, the summary,
# the count and the page of candidates (with the province joined): 11 at 10 and 30 people.
MATCHING_QUERIES = 11


@pytest.mark.parametrize("rows", [5, 15])
def test_the_matching_page_costs_a_constant_number_of_queries(
    client, ministry_admin, django_assert_max_num_queries, rows
):
    order = factories.JobOrderFactory(required_track_kind="welding")
    for _n in range(rows):
        certified_welder(birth_date=dt.date(1995, 1, 1))
        factories.ParticipantFactory(birth_date=dt.date(1995, 1, 1), is_former_prisoner=True)
    client.force_login(ministry_admin)

    with django_assert_max_num_queries(MATCHING_QUERIES):
        response = client.get(url("joborder_matching", order.pk))

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2 * rows
