"""The partner dashboard (/partner/) and the national overview (/ministry/)."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import Participant
from placements.models import Placement
from portal.web.partner.figures import dashboard_figures
from tests import factories

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("partner:dashboard")
OVERVIEW = reverse("ministry:overview")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def programme_of(organisation, *, quota=None):
    """An active agreement with `organisation` as party, a programme under it, a batch it runs."""
    agreement = factories.AgreementFactory(parties=[organisation])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    if quota is not None:
        agreement.commitments.create(kind="quota", target=quota, programme=programme)
    batch = factories.BatchFactory(
        programme=programme, provider=organisation, name=f"Angkatan {organisation.slug}"
    )
    return programme, batch


def people(organisation, programme, batch, n, *, province="51", phase=None, **fields):
    """`n` participants shared with the organisation and enrolled in its batch, each attending
    one session this month (and with a placement in `phase` when given)."""
    this_month = timezone.localtime().replace(day=1, hour=0, minute=30, second=0, microsecond=0)
    session = factories.SessionFactory(batch=batch, starts_at=this_month)
    made = []
    for _i in range(n):
        participant = factories.ParticipantFactory(province_id=province, regency_id=None, **fields)
        factories.share_with(participant, organisation, programme=programme)
        enrolment = factories.EnrolmentFactory(participant=participant, batch=batch)
        enrolment.attendances.create(session=session, status="present")
        if phase:
            factories.PlacementFactory(participant=participant, phase=phase)
        made.append(participant)
    return made


def dashboard(client, user):
    client.force_login(user)
    response = english(client).get(DASHBOARD)
    assert response.status_code == 200
    return response


def test_the_dashboard_figures_equal_the_database(client, partner_user, organisation_a):
    programme, batch = programme_of(organisation_a, quota=100)
    people(organisation_a, programme, batch, 6, is_former_prisoner=True, phase="working")
    people(organisation_a, programme, batch, 5, is_sr_student=True, phase="registered")

    figures = dashboard(client, partner_user).context["figures"]

    visible = Participant.objects.visible_to(partner_user)
    assert figures["headline"]["participants"] == visible.count() == 11
    assert dict(figures["by_category"].rows)["Former prisoner"] == 6
    assert dict(figures["by_category"].rows)["Sekolah Rakyat student"] == 5
    assert figures["headline"]["placements"] == Placement.objects.visible_to(partner_user).count()
    assert dict(figures["by_phase"].rows) == {"Registered": 5, "Working abroad": 6}
    assert figures["headline"]["abroad"] == 6
    assert figures["headline"]["active_batches"] == 1
    assert figures["headline"]["attended_this_month"] == 11
    assert figures["headline"]["attendance_share_this_month"] == 100
    [quota] = figures["commitments"]
    assert (quota["target"], quota["achieved"]) == (100, 11)


def test_the_page_says_the_quota_against_what_was_achieved(client, partner_user, organisation_a):
    programme, batch = programme_of(organisation_a, quota=100)
    people(organisation_a, programme, batch, 7)

    page = dashboard(client, partner_user).content.decode()

    assert "Participant quota" in page
    assert "7 enrolled" in page


def test_a_count_from_one_to_four_shows_as_less_than_five_and_the_total_is_withheld(
    client, partner_user, organisation_a
):
    programme, batch = programme_of(organisation_a)
    people(organisation_a, programme, batch, 3, phase="working")
    people(organisation_a, programme, batch, 6, phase="registered")

    response = dashboard(client, partner_user)
    figures = response.context["figures"]

    assert dict(figures["by_phase"].rows) == {"Registered": 6, "Working abroad": "<5"}
    assert figures["by_phase"].total is None
    assert figures["headline"]["placements"] is None
    assert figures["headline"]["abroad"] is None
    page = response.content.decode()
    assert "&lt;5" in page
    assert "withheld" in page
    # The chart draws no bar for a suppressed cell.
    assert figures["by_phase"].chart["values"] == [6, None]


def test_the_ministry_sees_the_same_small_counts_unsuppressed(client, ministry_admin):
    organisation = factories.OrganisationFactory(slug="kecil")
    programme, batch = programme_of(organisation)
    people(organisation, programme, batch, 3, phase="working")
    client.force_login(ministry_admin)

    response = english(client).get(OVERVIEW)

    assert dict(response.context["by_phase"].rows)["Working abroad"] == 3
    assert response.context["by_phase"].total == 3


def test_partner_staff_see_no_case_figures(client, partner_user, organisation_a):
    programme, batch = programme_of(organisation_a)
    [person, *_others] = people(organisation_a, programme, batch, 5)
    factories.CaseFactory(participant=person, type="trafficking")

    response = dashboard(client, partner_user)

    page = response.content.decode()
    assert "Trafficking" not in page
    assert "case" not in page.lower().replace("showcase", "")
    assert not any("case" in key for key in response.context["figures"])


def test_the_ministry_overview_shows_cases_to_ministry_admins(client, ministry_admin):
    factories.CaseFactory(type="trafficking")
    client.force_login(ministry_admin)

    response = english(client).get(OVERVIEW)

    [row] = response.context["cases"]
    assert row == {"type": "Trafficking (TPPO) victim", "open": 1, "closed": 0}
    assert "Trafficking (TPPO) victim" in response.content.decode()


def test_organisation_a_never_sees_the_figures_of_organisation_b(
    client, partner_user, organisation_a, organisation_b
):
    programme_a, batch_a = programme_of(organisation_a)
    programme_b, batch_b = programme_of(organisation_b)
    people(organisation_a, programme_a, batch_a, 5)
    people(organisation_b, programme_b, batch_b, 8, phase="working")

    response = dashboard(client, partner_user)
    figures = response.context["figures"]

    assert figures["headline"]["participants"] == 5
    assert figures["headline"]["placements"] == 0
    assert [row[0] for row in figures["attendance_rows"]] == [batch_a.name]
    assert batch_b.name not in response.content.decode()


def test_an_officer_limited_to_a_province_sees_only_that_province(client, ministry_officer):
    organisation = factories.OrganisationFactory(slug="jatim")
    programme, batch = programme_of(organisation)
    people(organisation, programme, batch, 2, province="51", phase="working")
    people(organisation, programme, batch, 3, province="35", phase="registered")
    ministry_officer.provinces.set(["35"])
    client.force_login(ministry_officer)

    response = english(client).get(OVERVIEW)

    assert dict(response.context["provinces"].rows) == {"Jawa Timur": 3}
    assert dict(response.context["by_phase"].rows)["Working abroad"] == 0
    assert dict(response.context["by_phase"].rows)["Registered"] == 3
    [row] = response.context["programmes"]
    assert (row["participants"], row["enrolments"]) == (3, 3)


def test_an_officer_limited_to_a_province_cannot_look_through_a_partners_eyes(
    client, ministry_officer
):
    """A partner's view spans every province: through it the officer would see people of
    provinces they are not given."""
    organisation = factories.OrganisationFactory(slug="nasional")
    programme, batch = programme_of(organisation)
    people(organisation, programme, batch, 2, province="51")
    ministry_officer.provinces.set(["35"])
    client.force_login(ministry_officer)

    assert client.get(DASHBOARD, {"org": organisation.slug}).status_code == 403
    overview = english(client).get(OVERVIEW).content.decode()
    assert "?org=" not in overview
    assert "See the dashboard as a partner sees it" not in overview


def test_the_ministry_looking_as_a_partner_sees_exactly_what_the_partner_sees(
    client, partner_user, ministry_admin, organisation_a, organisation_b
):
    programme, batch = programme_of(organisation_a, quota=20)
    people(organisation_a, programme, batch, 6, phase="working")
    people(organisation_a, programme, batch, 2, phase="registered")
    people(organisation_b, *programme_of(organisation_b), 4)
    hidden = factories.ParticipantFactory()
    factories.share_with(hidden, organisation_a, programme=programme, consent=False)

    partner = dashboard(client, partner_user).context["figures"]
    client.force_login(ministry_admin)
    response = english(client).get(DASHBOARD, {"org": organisation_a.slug})

    assert response.status_code == 200
    assert response.context["pv"].looking_as
    assert response.context["figures"] == partner
    assert "You are seeing the dashboard as the staff of PT Mitra A see it" in (
        response.content.decode()
    )


def test_the_overview_links_each_partner_to_its_dashboard(client, ministry_admin, organisation_a):
    programme, batch = programme_of(organisation_a)
    people(organisation_a, programme, batch, 1)
    client.force_login(ministry_admin)

    page = english(client).get(OVERVIEW).content.decode()

    assert f'href="{DASHBOARD}?org=mitra-a"' in page
    assert f'action="{DASHBOARD}"' in page and 'name="org"' in page


@pytest.mark.parametrize("path", [DASHBOARD, OVERVIEW])
def test_anonymous_users_go_to_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_partner_staff_and_analysts_get_403_on_the_overview(client, partner_user, analyst_user):
    for user in (partner_user, analyst_user):
        client.force_login(user)
        assert client.get(OVERVIEW).status_code == 403


def test_ministry_staff_without_a_chosen_partner_go_to_the_overview(client, ministry_admin):
    client.force_login(ministry_admin)

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url == OVERVIEW


def test_partner_staff_land_on_their_dashboard(client, partner_user):
    client.force_login(partner_user)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == DASHBOARD


def test_the_admin_index_links_the_national_overview(client, ministry_admin):
    client.force_login(ministry_admin)

    page = client.get(reverse("admin:index")).content.decode()

    assert f'href="{OVERVIEW}"' in page


def test_each_chart_carries_the_figures_of_its_table(client, partner_user, organisation_a):
    programme, batch = programme_of(organisation_a)
    people(organisation_a, programme, batch, 6, phase="working")
    response = dashboard(client, partner_user)
    page = response.content.decode()
    figures = response.context["figures"]

    for key in ("chart-enrolments", "chart-attendance", "chart-phases", "chart-countries"):
        assert f'data-chart="{key}-data"' in page
        assert f'<script id="{key}-data" type="application/json">' in page
    assert figures["by_phase"].chart == {
        "labels": ["Working abroad"],
        "values": [6],
        "label": "Placements",
    }
    assert figures["attendance_chart"]["values"] == [100]
    assert "<script>" not in page and 'style="' not in page


def test_the_page_is_in_indonesian_by_default(client, partner_user, organisation_a):
    programme_of(organisation_a)
    client.force_login(partner_user)

    with translation.override("id"):
        page = client.get(DASHBOARD).content.decode()

    assert 'lang="id"' in page


def _world(n):
    organisation = factories.OrganisationFactory(slug="mitra-a")
    programme, batch = programme_of(organisation, quota=100)
    people(organisation, programme, batch, n // 2, phase="working", is_former_prisoner=True)
    people(organisation, programme, batch, n - n // 2, phase="registered", is_sr_student=True)
    factories.CaseFactory(participant=Participant.objects.first())
    return organisation


@pytest.mark.parametrize("n", [5, 50])
def test_the_dashboard_queries_do_not_grow_with_rows(client, n, django_assert_max_num_queries):
    organisation = _world(n)
    user = factories.PartnerStaffFactory(username="staf", organisation=organisation)
    client.force_login(user)

    # The session, the user, its groups and membership; then one aggregate each: participants,
    # enrolments, running batches, attendance by batch, enrolments by month, placements,
    # commitments, enrolled by programme and by track.
    with django_assert_max_num_queries(14):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["figures"]["headline"]["participants"] == n


@pytest.mark.parametrize("n", [5, 50])
def test_the_overview_queries_do_not_grow_with_rows(
    client, ministry_admin, n, django_assert_max_num_queries
):
    _world(n)
    client.force_login(ministry_admin)

    # The session, the user, its groups (role checks) and permissions; then participations and
    # enrolments by programme, participants by province, by partner, placements, cases and the
    # organisations of the chooser.
    with django_assert_max_num_queries(12):
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert response.context["provinces"].total == n


def test_the_figures_are_suppressed_for_a_lens_too(organisation_a):
    from partners.lens import PartnerLens

    programme, batch = programme_of(organisation_a)
    people(organisation_a, programme, batch, 2, phase="working")

    with translation.override("en"):
        figures = dashboard_figures(PartnerLens(organisation_a))

    assert figures["headline"]["participants"] is None
    assert dict(figures["by_status"].rows)["Active"] == "<5"
