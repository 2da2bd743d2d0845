"""A participant on a cheap phone: invited by a partner, sets a password, logs in with the NIK,
sees the training and the next step, downloads the data, withdraws a consent; light and
accessible pages; a second participant cannot reach the first one's pages; public verification."""

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from participants.models import Consent, Participant
from tests import factories
from tests.browser.conftest import Tab
from training.models import Attendance, Certificate

pytestmark = pytest.mark.django_db(transaction=True)

NIK = "5171011705900021"
NEW_PASSWORD = "Pantai-kuta-2026"
BUDGET_BYTES = 100 * 1024


@pytest.fixture
def world(organisation_a, partner_user):
    person = factories.ParticipantFactory(
        full_name="Wayan Sudarma", nik=NIK, phone="+6281277700021", email=""
    )
    factories.share_with(person, organisation_a)
    track = factories.TrackFactory(name="Las SMAW 3G Bali")
    batch = factories.BatchFactory(track=track, timezone="Asia/Makassar", provider=organisation_a)
    enrolment = factories.EnrolmentFactory(participant=person, batch=batch)
    now = timezone.now()
    for days in (-3, -2, -1, 1, 2):
        start = now + dt.timedelta(days=days)
        session = factories.SessionFactory(
            batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=3)
        )
        if days < 0:
            Attendance.objects.create(enrolment=enrolment, session=session, status="present")
    old = factories.EnrolmentFactory(participant=person, status="completed")
    certificate = Certificate.objects.create(
        enrolment=old, number="BHS-001", issuer="LPK Bahasa Bali", issued_on=dt.date(2026, 9, 1)
    )
    factories.PlacementFactory(participant=person, phase="registered")
    return {"person": person, "certificate": certificate, "partner": partner_user}


def _new_tab(chromium, live_server, *, cookies=None):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True, has_touch=True
    )
    if cookies:
        context.add_cookies(cookies)
    return Tab(context, live_server.url)


def _first_visit_bytes(chromium, live_server, cookies, path):
    """Bytes of every response body of a first visit (empty cache) to `path`."""
    tab = _new_tab(chromium, live_server, cookies=cookies)
    responses = []
    tab.page.on("response", lambda response: responses.append(response))
    try:
        tab.goto(path, wait_until="load")
        return sum(len(r.body()) for r in responses if r.status < 300 or r.status >= 400)
    finally:
        tab.context.close()


def test_a_participant_gets_from_invitation_to_next_step_on_a_phone(
    tab, phone_tab, chromium, live_server, world
):
    person = world["person"]

    # A partner's staff member invites the participant and copies the link.
    tab.login("staff_a")
    tab.goto(f"/partner/participants/{person.pk}/invite/")
    with tab.page.expect_navigation():
        tab.page.click("main form button >> nth=0")
    link = tab.page.input_value("#invite-url")
    assert "/link/" in link

    # The participant opens the link on their phone and sets a password.
    phone_tab.goto(urlsplit(link).path)  # PORTAL_BASE_URL is not the test server's address
    phone_tab.page.fill("input[name=new_password1]", NEW_PASSWORD)
    phone_tab.page.fill("input[name=new_password2]", NEW_PASSWORD)
    with phone_tab.page.expect_navigation():
        phone_tab.page.click("main form button[type=submit]")
    phone_tab.page.goto(live_server.url + "/me/")
    with phone_tab.page.expect_navigation():
        phone_tab.page.click("header form[action='/logout/'] button")

    # ... and logs in with the NIK.
    phone_tab.login(NIK, NEW_PASSWORD)
    assert phone_tab.page.url.endswith("/me/")
    body = phone_tab.page.inner_text("main")
    assert "Las SMAW 3G Bali" in body
    assert "100%" in body  # attended every class held so far
    assert "WITA" in body
    assert world["certificate"].verification_code in body
    assert phone_tab.axe_serious() == []

    phone_tab.goto("/me/next/")
    body = phone_tab.page.inner_text("main")
    assert "KTP" in body  # the identity card is missing for the next step
    assert phone_tab.axe_serious() == []

    # The data: everything, as a JSON download.
    phone_tab.goto("/me/data/")
    assert NIK in phone_tab.page.inner_text("main")
    assert phone_tab.axe_serious() == []
    with phone_tab.page.expect_download() as download:
        phone_tab.page.click("a[href='/me/data.json']")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert NIK in json.dumps(data)

    # Withdrawing the partner-sharing consent ends the partner's access at once.
    assert tab.goto(f"/partner/participants/{person.pk}/invite/").status == 200
    consent = person.consents.get(purpose=Consent.Purpose.PARTNER_SHARING)
    with phone_tab.page.expect_navigation():
        phone_tab.page.click(f"form[action='/me/data/consents/{consent.pk}/withdraw/'] button")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not Participant.objects.visible_to(world["partner"]).filter(pk=person.pk).exists()
    assert tab.goto(f"/partner/participants/{person.pk}/invite/").status == 404

    # Light: the first visit to /me/, static files included, stays under the budget.
    cookies = phone_tab.context.cookies()
    size = _first_visit_bytes(chromium, live_server, cookies, "/me/")
    assert size < BUDGET_BYTES, f"/me/ first visit transferred {size} bytes"

    # No page asked anything of another host.
    assert phone_tab.outside_requests() == []
    assert tab.outside_requests() == []


def test_a_second_participant_gets_404_on_the_first_ones_pages(chromium, live_server, world):
    person = world["person"]
    consent = person.consents.get(purpose=Consent.Purpose.PARTNER_SHARING)
    other_user = factories.UserFactory(username="peserta_lain", role="participant")
    factories.ParticipantFactory(user=other_user, full_name="Ketut Lain", phone="+6281277700099")
    tab = _new_tab(chromium, live_server)
    try:
        tab.login("peserta_lain")
        tab.goto("/me/")
        assert "Wayan Sudarma" not in tab.page.content()
        token = next(c["value"] for c in tab.context.cookies() if c["name"] == "csrftoken")
        response = tab.page.request.post(
            live_server.url + f"/me/data/consents/{consent.pk}/withdraw/",
            headers={"X-CSRFToken": token, "Referer": live_server.url + "/me/data/"},
        )
        assert response.status == 404
        consent.refresh_from_db()
        assert consent.withdrawn_at is None
    finally:
        tab.context.close()


def test_anyone_verifies_a_certificate_without_logging_in(phone_tab, world):
    code = world["certificate"].verification_code

    response = phone_tab.goto(f"/verify/{code}/")

    assert response.status == 200
    body = phone_tab.page.inner_text("main")
    assert "W. S." in body
    assert "Wayan" not in body
    assert phone_tab.axe_serious() == []
    assert phone_tab.outside_requests() == []
