import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from portal.accounts import services
from portal.accounts.models import OneTimeLink
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kopi-tubruk-Bali-2025"


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def redeem_path(url):
    return re.search(r"/link/[^/]+/", url).group(0)


# Login and logout


def test_the_login_page_has_one_username_field_and_a_password(client):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="username"') == 1
    assert html.count('name="password"') == 1
    assert "Username, NIK or phone number" in html
    assert '<label for="id_username"' in html
    assert reverse("password_reset") in html


def test_a_partner_logs_in_and_arrives_at_home(client, partner_user):
    response = client.post("/login/", {"username": "staff_a", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(partner_user.pk)


def test_a_wrong_password_shows_an_error_and_does_not_log_in(client, partner_user):
    response = client.post("/login/", {"username": "staff_a", "password": "wrong"})

    assert response.status_code == 200
    assert "or the password, is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_logged_in_user_is_sent_on_from_the_login_page(client, partner_user):
    client.force_login(partner_user)

    response = client.get("/login/")

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logging_out_takes_a_post(client, partner_user):
    client.force_login(partner_user)

    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_the_header_shows_the_user_a_logout_button_and_the_language_switch(client, partner_user):
    partner_user.first_name = "Dewi"
    partner_user.save()
    client.force_login(partner_user)

    html = client.get("/", follow=True).content.decode()

    assert '<html lang="en">' in html
    assert "Migrant Worker Programme Portal" in html
    assert "Dewi" in html
    assert re.search(r'<form method="post" action="/logout/"', html)
    assert 'action="/i18n/setlang/"' in html
    assert 'value="id"' in html and "Bahasa Indonesia" in html
    assert 'value="en"' in html and "English" in html
    assert 'href="#main"' in html


def test_pages_make_no_external_requests_and_carry_no_inline_script_or_style(client):
    html = client.get("/login/").content.decode()

    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_the_language_switch_sets_indonesian(client):
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/login/"})

    assert response.status_code == 302
    assert client.get("/login/").content.decode().count('<html lang="id">') == 1


# The admin's door


def test_the_admin_login_sends_people_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/partners/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/admin/partners/"


def test_an_anonymous_visitor_of_the_admin_ends_at_the_portal_login(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/?next=/admin/"
    assert response.status_code == 200


def test_partner_staff_are_refused_the_admin_without_a_redirect_loop(client, partner_user):
    client.force_login(partner_user)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403
    assert "for ministry staff only" in response.content.decode()


def test_ministry_staff_pass_the_admin_login(client, ministry_officer):
    client.force_login(ministry_officer)

    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response.url == "/admin/"


# Password change


def test_changing_the_password_needs_a_login(client):
    response = client.get("/password/change/")

    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


def test_a_user_changes_their_password(client, participant_account):
    client.force_login(participant_account)

    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert "Your password has been changed" in response.content.decode()
    participant_account.refresh_from_db()
    assert participant_account.check_password(NEW_PASSWORD)


# Home


def test_home_tells_a_partner_who_they_are_and_where_to_go(client, partner_user):
    client.force_login(partner_user)

    html = client.get("/", follow=True).content.decode()

    assert "staff_a" in html
    assert "PT Mitra A" in html
    assert "Partner dashboard" in html
    assert "My training" not in html
    assert "Analyst pages" not in html


def test_home_shows_a_participant_their_training_and_an_analyst_their_pages(
    client, participant_account, analyst_user
):
    client.force_login(participant_account)
    assert "My training" in client.get("/").content.decode()
    client.force_login(analyst_user)
    assert "Analyst pages" in client.get("/").content.decode()


def test_home_sends_ministry_staff_to_the_admin(client, ministry_officer):
    client.force_login(ministry_officer)

    assert client.get("/").url == reverse("admin:index")


# Redeeming a link


@pytest.fixture
def invite_url(participant_account):
    participant_account.set_unusable_password()
    participant_account.save()
    _, url = services.link_issue(user=participant_account, purpose="invite")
    return url


def test_the_link_page_asks_for_the_new_password_twice(client, invite_url):
    response = client.get(redeem_path(invite_url))

    assert response.status_code == 200
    html = response.content.decode()
    assert "peserta_a" in html
    assert 'name="new_password1"' in html
    assert 'name="new_password2"' in html
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-cache" in response["Cache-Control"]


def test_setting_a_password_by_link_logs_in_and_goes_home(client, invite_url, participant_account):
    response = client.post(
        redeem_path(invite_url), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(participant_account.pk)
    participant_account.refresh_from_db()
    assert participant_account.check_password(NEW_PASSWORD)


def test_two_different_passwords_are_refused(client, invite_url):
    response = client.post(
        redeem_path(invite_url), {"new_password1": NEW_PASSWORD, "new_password2": "other"}
    )

    assert response.status_code == 200
    assert "The two passwords differ" in response.content.decode()


def test_a_weak_password_on_the_link_page_shows_the_validators_message(client, invite_url):
    response = client.post(
        redeem_path(invite_url), {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_used_link_shows_a_clear_page_without_a_form(client, invite_url):
    path = redeem_path(invite_url)
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()

    response = client.get(path)

    assert response.status_code == 410
    html = response.content.decode()
    assert "already been used" in html
    assert "<form" not in html.split("<main", 1)[1]
    assert client.post(path, {"new_password1": "x", "new_password2": "x"}).status_code == 410


def test_an_unknown_link_is_not_found(client):
    response = client.get("/link/not-a-real-token/")

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_an_expired_link_is_gone(client, invite_url):
    now = timezone.now()
    OneTimeLink.objects.update(
        created_at=now - timedelta(days=8), expires_at=now - timedelta(minutes=1)
    )

    response = client.get(redeem_path(invite_url))

    assert response.status_code == 410
    assert "expired" in response.content.decode()


# Forgotten password


NEUTRAL = "If an account with an email address matches"


def test_the_reset_page_asks_for_a_username_or_email(client):
    html = client.get("/password/reset/").content.decode()

    assert 'name="username"' in html
    assert "Username or email address" in html


def test_a_reset_request_emails_a_link_and_answers_neutrally(client, participant_account):
    response = client.post("/password/reset/", {"username": "peserta_a"}, follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert NEUTRAL in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [participant_account.email]
    assert client.get(redeem_path(message.body)).status_code == 200


def test_a_reset_request_for_no_account_gives_the_same_answer(client):
    response = client.post("/password/reset/", {"username": "nobody"}, follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert NEUTRAL in response.content.decode()
    assert mail.outbox == []


def test_a_reset_request_for_an_account_without_email_sends_nothing(client):
    factories.UserFactory(username="tanpa_email", email="", role="participant")

    response = client.post("/password/reset/", {"username": "tanpa_email"}, follow=True)

    assert NEUTRAL in response.content.decode()
    assert mail.outbox == []
