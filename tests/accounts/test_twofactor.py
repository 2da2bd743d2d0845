"""Two-step verification (TOTP) for ministry admins and officers, when PORTAL_REQUIRE_2FA is on."""

import re
import time

import pytest
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.PORTAL_REQUIRE_2FA = True
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def code_for(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def log_in(client, username):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_a_ministry_admin_without_a_device_is_sent_to_set_one_up(client, ministry_admin):
    log_in(client, "m_admin")

    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("twofactor_setup"))


def test_the_set_up_page_shows_a_qr_code_and_the_key_without_outside_requests(
    client, ministry_officer
):
    log_in(client, "m_officer")

    response = client.get(reverse("twofactor_setup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'class="segno"' in html
    device = TOTPDevice.objects.get(user=ministry_officer, confirmed=False)
    key = re.search(r'<code class="twofactor-key">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(key.replace(" ", "")) == 32
    assert device.bin_key  # the key shown belongs to the pending device
    assert not re.search(r'(src|href)="https?://', html)


def test_a_correct_code_confirms_the_device_and_opens_the_portal(client, ministry_admin):
    log_in(client, "m_admin")
    client.get(reverse("twofactor_setup"))
    device = TOTPDevice.objects.get(user=ministry_admin)

    response = client.post(
        reverse("twofactor_setup"), {"code": code_for(device), "next": "/notifications/"}
    )

    assert response.status_code == 302
    assert response.url == "/notifications/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/notifications/").status_code == 200


def test_a_wrong_code_leaves_the_device_unconfirmed_and_the_portal_closed(client, ministry_admin):
    log_in(client, "m_admin")
    client.get(reverse("twofactor_setup"))
    device = TOTPDevice.objects.get(user=ministry_admin)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("twofactor_setup"), {"code": wrong})

    assert response.status_code == 200
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/").status_code == 302


def test_a_user_with_a_device_types_a_code_before_any_page_including_the_admin(
    client, ministry_officer
):
    device = confirmed_device(ministry_officer)
    log_in(client, "m_officer")

    for path in ("/", "/admin/", "/notifications/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(reverse("twofactor_verify")), path
    assert client.get(reverse("twofactor_setup")).url == reverse("twofactor_verify")

    response = client.post(reverse("twofactor_verify"), {"code": code_for(device)})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_cannot_be_used_twice(client, ministry_officer):
    device = confirmed_device(ministry_officer)
    log_in(client, "m_officer")
    code = code_for(device)
    client.post(reverse("twofactor_verify"), {"code": code})
    client.post(reverse("logout"))
    log_in(client, "m_officer")

    response = client.post(reverse("twofactor_verify"), {"code": code})

    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_the_api_answers_403_to_an_unverified_session(client, ministry_admin):
    confirmed_device(ministry_admin)
    log_in(client, "m_admin")

    response = client.get("/api/v1/")

    assert response.status_code == 403


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x"])
def test_the_next_address_never_leaves_the_portal(client, ministry_officer, next_url):
    device = confirmed_device(ministry_officer)
    log_in(client, "m_officer")

    response = client.post(
        reverse("twofactor_verify"), {"code": code_for(device), "next": next_url}
    )

    assert response.url == reverse("home")


def test_partners_analysts_and_participants_log_in_with_the_password_only(
    client, partner_user, analyst_user, participant_account
):
    for user in (partner_user, analyst_user, participant_account):
        client.force_login(user)
        response = client.get("/", follow=True)
        assert response.status_code == 200, user.username
        assert not any("two-factor" in url for url, _ in response.redirect_chain)
        client.logout()


def test_without_the_setting_ministry_staff_log_in_with_the_password_only(
    client, settings, ministry_admin
):
    settings.PORTAL_REQUIRE_2FA = False
    log_in(client, "m_admin")

    assert client.get("/admin/").status_code == 200


def test_logout_and_language_stay_open_before_verification(client, ministry_admin):
    log_in(client, "m_admin")

    assert client.post("/i18n/setlang/", {"language": "id", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_ministry_admin_resets_a_lost_device_in_the_admin(client, ministry_admin):
    officer = factories.UserFactory(username="lost_phone", role="ministry_officer")
    confirmed_device(officer)
    device = confirmed_device(ministry_admin)
    log_in(client, "m_admin")
    client.post(reverse("twofactor_verify"), {"code": code_for(device)})

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [officer.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert TOTPDevice.objects.filter(user=ministry_admin).exists()
    client.post(reverse("logout"))
    log_in(client, "lost_phone")
    assert client.get("/").url.startswith(reverse("twofactor_setup"))


def test_an_officer_cannot_reset_devices(client, settings, ministry_officer):
    settings.PORTAL_REQUIRE_2FA = False
    victim = factories.UserFactory(username="victim", role="ministry_admin")
    confirmed_device(victim)
    client.force_login(ministry_officer)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [victim.pk]},
    )

    assert TOTPDevice.objects.filter(user=victim).exists()


@pytest.mark.parametrize("others", [5, 50])
def test_the_code_pages_need_a_constant_number_of_queries(
    client, ministry_officer, django_assert_max_num_queries, others
):
    for i in range(others):  # other ministry users with devices of their own
        confirmed_device(factories.UserFactory(username=f"officer{i}", role="ministry_officer"))
    log_in(client, "m_officer")
    client.get(reverse("twofactor_setup"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("twofactor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=ministry_officer)
    device.confirmed = True
    device.save()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("twofactor_verify")).status_code == 200
