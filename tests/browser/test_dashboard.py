"""The dashboards in chromium: charts drawn from the same figures as their tables and the
database, offline, accessible, and usable on a 360-px phone."""

from pathlib import Path

import pytest
from django.utils import timezone

from participants.models import Participant
from placements.models import Placement
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHARTS = ["chart-enrolments", "chart-attendance", "chart-phases", "chart-countries"]


def world():
    """Organisation A with a quota, a batch, 6 people working in Japan and 5 registered."""
    organisation = factories.OrganisationFactory(name="PT Mitra A", slug="mitra-a")
    agreement = factories.AgreementFactory(parties=[organisation])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    agreement.commitments.create(kind="quota", target=100, programme=programme)
    batch = factories.BatchFactory(programme=programme, provider=organisation, name="Las A")
    start = timezone.localtime().replace(day=1, hour=0, minute=30, second=0, microsecond=0)
    session = factories.SessionFactory(batch=batch, starts_at=start)
    for i in range(11):
        participant = factories.ParticipantFactory(province_id="51", regency_id=None)
        factories.share_with(participant, organisation, programme=programme)
        enrolment = factories.EnrolmentFactory(participant=participant, batch=batch)
        enrolment.attendances.create(session=session, status="present" if i < 9 else "absent")
        factories.PlacementFactory(
            participant=participant, phase="working" if i < 6 else "registered"
        )
    factories.CaseFactory(participant=Participant.objects.first(), type="trafficking")
    factories.PartnerStaffFactory(username="pbs_test", organisation=organisation)
    return organisation


def chart_and_table(page, key):
    """(chart labels, chart values) as Chart.js holds them, and the table's first and last
    columns under the chart."""
    chart = page.evaluate(
        """key => {
            const chart = Chart.getChart(document.getElementById(key + "-canvas"));
            return chart ? [chart.data.labels, chart.data.datasets[0].data] : null;
        }""",
        key,
    )
    rows = page.locator(f"#{key} tbody tr").all()
    table = [
        (row.locator("th").inner_text().strip(), row.locator("td").last.inner_text().strip())
        for row in rows
    ]
    return chart, table


def assert_chart_equals_table(page, key):
    chart, table = chart_and_table(page, key)
    assert chart is not None, f"{key} was not drawn"
    labels, values = chart
    assert labels == [label for label, _value in table]
    assert [str(v) if v is not None else "<5" for v in values] == [v for _l, v in table]


def save(tab, name):
    ARTEFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def test_partner_staff_see_charts_that_match_their_tables_and_the_database(tab):
    world()
    tab.page.context.add_cookies([{"name": "django_language", "value": "en", "url": tab.base_url}])
    tab.login("pbs_test")
    tab.goto("/partner/")
    page = tab.page

    assert page.locator("h1").inner_text() == "PT Mitra A"
    for key in CHARTS:
        assert page.locator(f"#{key}-canvas").is_visible()
        assert_chart_equals_table(page, key)
    _chart, phases = chart_and_table(page, "chart-phases")
    assert dict(phases) == {
        "Registered": str(Placement.objects.filter(phase="registered").count()),
        "Working abroad": str(Placement.objects.filter(phase="working").count()),
    }
    _chart, attendance = chart_and_table(page, "chart-attendance")
    assert attendance == [("Las A", "82")]  # 9 of 11
    assert page.locator("[data-figure=participants] .value").inner_text() == "11"
    assert "Trafficking" not in page.content()
    assert tab.outside_requests() == []
    assert tab.axe_serious() == []
    save(tab, "partner-dashboard-desktop")


def test_the_ministry_sees_the_national_overview_and_a_partners_view(tab):
    world()
    factories.UserFactory(username="admin_test", role="ministry_admin")
    tab.page.context.add_cookies([{"name": "django_language", "value": "en", "url": tab.base_url}])
    tab.login("admin_test")
    tab.goto("/ministry/")
    page = tab.page

    assert page.locator("h1").inner_text() == "National overview"
    assert_chart_equals_table(page, "chart-provinces")
    assert_chart_equals_table(page, "chart-phases")
    assert "Trafficking (TPPO) victim" in page.locator("[data-table=cases]").inner_text()
    assert tab.axe_serious() == []
    save(tab, "ministry-overview-desktop")

    page.select_option("#id_org", "mitra-a")
    with page.expect_navigation():
        page.click("form.chooser button[type=submit]")
    assert "/partner/?org=mitra-a" in page.url
    assert page.locator("h1").inner_text() == "PT Mitra A"
    assert page.locator(".looking-as").is_visible()
    for key in CHARTS:
        assert_chart_equals_table(page, key)
    assert "Trafficking" not in page.content()
    assert tab.outside_requests() == []
    assert tab.axe_serious() == []


def test_the_dashboard_fits_a_phone_screen(phone_tab):
    world()
    phone_tab.login("pbs_test")
    phone_tab.goto("/partner/")
    page = phone_tab.page

    assert page.locator("#chart-phases-canvas").is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    assert phone_tab.outside_requests() == []
    save(phone_tab, "partner-dashboard-phone")
