import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from portal.accounts import services
from portal.accounts.models import OneTimeLink
from portal.accounts.senders import send_message
from tests import factories


class RecordingSmsSender:
    """A stand-in gateway: any class with `send(to, body)` can be PORTAL_SMS_SENDER."""

    sent = []

    def send(self, to, body):
        self.sent.append((to, body))


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def recorded_sms():
    RecordingSmsSender.sent = []
    with override_settings(PORTAL_SMS_SENDER="tests.accounts.test_senders.RecordingSmsSender"):
        yield RecordingSmsSender.sent


def test_it_sends_email_from_the_default_sender_address(settings):
    send_message(channel="email", to="budi@example.org", subject="Halo", body="Isi pesan")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["budi@example.org"]
    assert message.subject == "Halo"
    assert message.body == "Isi pesan"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_the_default_sms_sender_prints_the_message_to_the_console(capsys):
    send_message(channel="sms", to="+6281234567890", subject="ignored", body="Isi SMS")

    out = capsys.readouterr().out
    assert "SMS to +6281234567890" in out
    assert "Isi SMS" in out
    assert "ignored" not in out
    assert mail.outbox == []


def test_the_sms_sender_is_the_class_named_in_settings(recorded_sms, capsys):
    send_message(channel="sms", to="+6281234567890", subject="", body="Halo")

    assert recorded_sms == [("+6281234567890", "Halo")]
    assert capsys.readouterr().out == ""


def test_it_refuses_an_unknown_channel():
    with pytest.raises(ValueError):
        send_message(channel="pigeon", to="x", subject="", body="")


@pytest.mark.django_db
def test_a_link_goes_by_email_in_indonesian_then_english():
    user = factories.UserFactory(username="budi", first_name="Budi", role="participant")

    services.link_send(link_url="http://portal.test/link/abc/", user=user, channel="email")

    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "Undangan" in message.subject
    assert "Invitation" in message.subject
    assert message.body.index("Akun Anda") < message.body.index("Your account")
    assert "http://portal.test/link/abc/" in message.body
    assert "budi" in message.body


@pytest.mark.django_db
def test_a_reset_link_says_so():
    user = factories.UserFactory(role="participant")

    services.link_send(
        link_url="http://portal.test/link/abc/",
        user=user,
        channel="email",
        purpose=OneTimeLink.Purpose.RESET,
    )

    assert "Reset your password" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_link_goes_by_sms_to_the_users_phone(recorded_sms):
    user = factories.UserFactory(role="participant", phone="+6281234567890")

    services.link_send(link_url="http://portal.test/link/abc/", user=user, channel="sms")

    ((to, body),) = recorded_sms
    assert to == "+6281234567890"
    assert body.index("buat kata sandi") < body.index("Set the password")
    assert body.endswith("http://portal.test/link/abc/")


@pytest.mark.django_db
def test_it_refuses_to_email_a_user_without_an_email_address():
    user = factories.UserFactory(role="participant", email="")

    with pytest.raises(services.NoAddress, match="no email address"):
        services.link_send(link_url="http://portal.test/x/", user=user, channel="email")
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_refuses_to_text_a_user_without_a_phone_number(recorded_sms):
    user = factories.UserFactory(role="participant", phone="")

    with pytest.raises(services.NoAddress, match="no phone number"):
        services.link_send(link_url="http://portal.test/x/", user=user, channel="sms")
    assert recorded_sms == []
