"""Partner staff in the browser: open a batch, record a session's attendance and see the
progress change; another organisation's staff see none of the first one's participants."""

from pathlib import Path

import pytest

from tests import factories
from tests.web.factories import world_for

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def save(tab, name):
    """A full-page screenshot kept as a test artefact (not committed)."""
    ARTEFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def pbs_world():
    pbs = factories.OrganisationFactory(name="PT Panca Boga Sekawan", slug="pbs")
    factories.PartnerStaffFactory(username="pbs", organisation=pbs, first_name="Putu", is_lead=True)
    world = world_for(pbs, batch_name="Las SMAW Denpasar")
    world.participant(full_name="Komang Arsana", is_former_prisoner=True)
    world.participant(full_name="Wayan Sudarma", is_former_prisoner=True)
    world.past_sessions(2)
    return world


@pytest.fixture
def sr_world():
    school = factories.OrganisationFactory(
        name="Sekolah Rakyat Bekasi", slug="sr-bekasi", kind="sekolah_rakyat"
    )
    factories.PartnerStaffFactory(username="sr_staff", organisation=school)
    world = world_for(school, batch_name="Bahasa Jepang SR")
    world.participant(full_name="Siti Rahma", is_sr_student=True)
    return world


def test_partner_staff_record_attendance_and_see_the_progress_change(tab, pbs_world, sr_world):
    tab.login("pbs")
    tab.goto("/partner/batches/")
    assert tab.axe_serious() == []
    tab.page.get_by_role("link", name="Las SMAW Denpasar").click()
    komang = tab.page.locator("table.roster tr", has_text="Komang Arsana")
    assert komang.locator("td.attendance").inner_text().startswith("0%")
    assert tab.axe_serious() == []

    tab.page.locator("table a[href*='/sessions/']").first.click()
    assert tab.page.locator("fieldset").count() == 2
    assert tab.axe_serious() == []
    # Komang was there, Wayan was not.
    wayan = tab.page.locator("fieldset", has_text="Wayan Sudarma")
    wayan.locator("input[value=absent]").check()
    with tab.page.expect_navigation():
        tab.page.locator("form.attendance-form button[type=submit]").click()

    komang = tab.page.locator("table.roster tr", has_text="Komang Arsana")
    assert komang.locator("td.attendance").inner_text().startswith("50%")
    wayan_row = tab.page.locator("table.roster tr", has_text="Wayan Sudarma")
    assert wayan_row.locator("td.attendance").inner_text().startswith("0%")
    save(tab, "partner-batch-desktop")
    assert tab.outside_requests() == []


def test_the_partner_pages_fit_a_phone_screen(phone_tab, pbs_world):
    phone_tab.login("pbs")
    session = pbs_world.batch.sessions.first()
    for path in [
        f"/partner/batches/{pbs_world.batch.pk}/",
        f"/partner/batches/{pbs_world.batch.pk}/sessions/{session.pk}/",
        "/partner/participants/",
        "/partner/agreements/",
        "/partner/team/",
    ]:
        response = phone_tab.goto(path)
        assert response.status == 200, path
        width = phone_tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, path
        assert phone_tab.axe_serious() == [], path
        name = path.strip("/").replace("/", "-")
        save(phone_tab, f"phone-{name}")
    assert phone_tab.outside_requests() == []


def test_another_organisations_staff_see_none_of_its_participants(tab, pbs_world, sr_world):
    tab.login("sr_staff")
    komang = pbs_world.batch.enrolments.get(participant__full_name="Komang Arsana").participant
    for path in ["/partner/batches/", "/partner/participants/", "/partner/agreements/"]:
        tab.goto(path)
        text = tab.page.locator("main").inner_text()
        assert "Komang Arsana" not in text and "Wayan Sudarma" not in text
        assert "Las SMAW Denpasar" not in text
    tab.goto("/partner/participants/")
    assert "Siti Rahma" in tab.page.locator("main").inner_text()
    assert tab.axe_serious() == []
    response = tab.goto(f"/partner/participants/{komang.pk}/")
    assert response.status == 404
    response = tab.goto(f"/partner/batches/{pbs_world.batch.pk}/")
    assert response.status == 404
    assert tab.outside_requests() == []
