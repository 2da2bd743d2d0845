"""The demo data in chromium, with the demo logins: what `make demo` shows each kind of user."""

import pytest
from django.core.management import call_command

from participants.models import Participant
from portal.accounts.models import User
from tests.browser.test_dashboard import CHARTS, assert_chart_equals_table, save
from training.models import Enrolment

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "demo-portal-2026"


@pytest.fixture
def demo(settings, monkeypatch, tab):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    settings.DEBUG = True  # seed_demo runs only with DEBUG on
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    tab.page.context.add_cookies([{"name": "django_language", "value": "en", "url": tab.base_url}])
    return tab


def log_in_as(tab, username):
    tab.page.context.clear_cookies()
    tab.page.context.add_cookies([{"name": "django_language", "value": "en", "url": tab.base_url}])
    tab.login(username, DEMO_PASSWORD)


def test_each_demo_login_sees_its_own_pages_and_nothing_of_the_others(demo):
    tab, page = demo, demo.page
    pbs_people = Participant.objects.visible_to(User.objects.get(username="pbs"))
    former_prisoner = pbs_people.filter(is_former_prisoner=True).first()
    assert former_prisoner is not None

    # pbs: the CSR partner's dashboard, every chart equal to its table, no case figure.
    log_in_as(tab, "pbs")
    assert page.url.endswith("/partner/")
    for key in CHARTS:
        assert_chart_equals_table(page, key)
    assert "Trafficking" not in page.content()
    assert tab.axe_serious() == []
    pbs_figures = page.locator("[data-figure]").all_inner_texts()
    assert pbs_figures
    tab.goto("/partner/participants/")
    assert former_prisoner.full_name in page.locator("main").inner_text()
    save(tab, "demo-pbs-participants")

    # sr_staff: a Sekolah Rakyat's staff see no Kesempatan Kedua participant anywhere.
    log_in_as(tab, "sr_staff")
    for path in ("/partner/", "/partner/participants/", "/partner/batches/"):
        tab.goto(path)
        assert former_prisoner.full_name not in page.content(), path
    assert tab.goto(f"/partner/participants/{former_prisoner.pk}/").status == 404
    download = page.request.get(f"{tab.base_url}/partner/participants/download/")
    assert download.ok
    assert former_prisoner.full_name not in download.text()

    # admin: the national overview, and pbs's dashboard exactly as pbs sees it.
    log_in_as(tab, "admin")
    tab.goto("/ministry/")
    assert page.locator("h1").inner_text() == "National overview"
    assert tab.axe_serious() == []
    tab.goto("/partner/?org=pt-panca-boga-sekawan")
    assert page.locator(".looking-as").is_visible()
    assert page.locator("[data-figure]").all_inner_texts() == pbs_figures
    for key in CHARTS:
        assert_chart_equals_table(page, key)

    # peserta: their own training status, and no one else's record.
    log_in_as(tab, "peserta")
    assert "/me/" in page.url
    own = Enrolment.objects.filter(participant__user__username="peserta").select_related("batch")
    assert own.exists()
    for enrolment in own:
        assert enrolment.batch.name in page.locator("main").inner_text()
    other = Participant.objects.exclude(user__username="peserta").first()
    assert tab.goto(f"/partner/participants/{other.pk}/").status in {403, 404}
    assert tab.outside_requests() == []
    assert tab.axe_serious() == []
    save(tab, "demo-peserta-me")
