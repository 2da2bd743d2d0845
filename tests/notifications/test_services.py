"""Recording once and sending once: idempotent scans, parallel scans, failures mid-batch."""

import datetime as dt
import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from participants.models import PersonalDocument
from portal.notifications import services
from portal.notifications.models import Notification
from tests import factories
from tests.notifications.conftest import at, make_notification

D = dt.date
TODAY = D(2026, 11, 30)


@pytest.fixture
def expiring_documents(db, officer):
    """Five participants of `officer`, each with a passport expiring in a week."""
    for _ in range(5):
        participant = factories.ParticipantFactory(officer=officer)
        PersonalDocument.objects.create(
            participant=participant, kind="passport", expires_on=D(2026, 12, 5)
        )


def test_running_the_scan_twice_records_each_reminder_once(expiring_documents):
    first = services.scan_reminders(today=TODAY, now=at(TODAY), send=False)
    second = services.scan_reminders(today=TODAY, now=at(TODAY), send=False)

    assert first["document_expiry"] == 5
    assert second["document_expiry"] == 0
    assert Notification.objects.filter(kind="document_expiry").count() == 5


def test_the_scan_sends_what_it_recorded_and_a_rerun_sends_nothing_twice(
    expiring_documents, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.scan_reminders(today=TODAY, now=at(TODAY))
    with django_capture_on_commit_callbacks(execute=True):
        services.scan_reminders(today=TODAY, now=at(TODAY))

    assert len(mail.outbox) == 5
    assert {m.to[0] for m in mail.outbox} == {"petugas@example.org"}
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_message_is_indonesian_first_then_english(expiring_documents):
    services.scan_reminders(today=TODAY, now=at(TODAY), send=False)
    notification = Notification.objects.filter(kind="document_expiry").first()

    indonesian, english = notification.body.split(services.SEPARATOR)
    assert "Paspor" in indonesian
    assert "5 Des" in indonesian
    assert english.startswith("The Passport of")
    assert "expires on Dec. 5, 2026, 5 days from now" in english


def test_notify_records_once_and_returns_none_for_a_repeat(officer):
    first = services.notify(
        kind="report_ready", obj=officer, due_on=TODAY, recipient=officer, subject="s", body="b"
    )
    again = services.notify(
        kind="report_ready", obj=officer, due_on=TODAY, recipient=officer.pk, subject="s", body="b"
    )

    assert isinstance(first, Notification)
    assert again is None
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_scans_in_parallel_record_each_reminder_once(require_postgres, officer):
    for _ in range(30):
        participant = factories.ParticipantFactory(officer=officer)
        PersonalDocument.objects.create(
            participant=participant, kind="visa", expires_on=D(2026, 12, 20)
        )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(
                services.scan_reminders(
                    today=TODAY, now=at(TODAY), send=False, kinds=["document_expiry"]
                )
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sum(r["document_expiry"] for r in results) == 30
    assert Notification.objects.filter(kind="document_expiry").count() == 30


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside the send: nothing after it runs."""


def _failing_on_call(number, error):
    calls = []
    real = services.send_message

    def send(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == number:
            raise error
        return real(**kwargs)

    return send


@pytest.fixture
def five_pending(db):
    return [
        make_notification(factories.UserFactory(username=f"penerima{i}", role="analyst"))
        for i in range(5)
    ]


def test_a_worker_killed_on_the_third_send_loses_nothing_and_repeats_nothing(
    five_pending, monkeypatch
):
    now = timezone.now()
    monkeypatch.setattr(services, "send_message", _failing_on_call(3, WorkerKilled()))
    with pytest.raises(WorkerKilled):
        services.send_pending(now=now)

    assert len(mail.outbox) == 2
    assert Notification.objects.filter(status="sending").count() == 1
    monkeypatch.undo()

    # Straight away the claimed row is left alone (its worker may still be sending it)...
    services.send_pending(now=now)
    assert len(mail.outbox) == 4
    # ...and once the claim is stale, it is sent too.
    services.send_pending(now=now + services.STALE_CLAIM + dt.timedelta(seconds=1))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"penerima{i}@example.org" for i in range(5)
    )
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_an_smtp_error_on_the_third_stops_nothing_and_the_next_run_sends_it(
    five_pending, monkeypatch
):
    monkeypatch.setattr(
        services, "send_message", _failing_on_call(3, smtplib.SMTPServerDisconnected("gone"))
    )
    counts = services.send_pending()

    assert counts == {"sent": 4, "errors": 1}
    failed = Notification.objects.get(status="pending")
    assert failed.attempts == 1
    assert "SMTPServerDisconnected" in failed.last_error
    monkeypatch.undo()

    assert services.send_pending() == {"sent": 1, "errors": 0}
    assert len(mail.outbox) == 5
    assert len({m.to[0] for m in mail.outbox}) == 5


def test_a_notification_fails_after_the_last_attempt(db, monkeypatch):
    notification = make_notification(factories.UserFactory(role="analyst"))

    def refuse(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_message", refuse)
    for _ in range(services.MAX_ATTEMPTS):
        with pytest.raises(ConnectionRefusedError):
            services.send_notification(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == "failed"
    assert notification.attempts == services.MAX_ATTEMPTS
    assert services.send_notification(notification_id=notification.pk) is False


def test_a_claimed_notification_is_not_sent_by_a_second_worker(db):
    notification = make_notification(factories.UserFactory(role="analyst"))
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", claimed_at=timezone.now()
    )

    assert services.send_notification(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_without_email_a_notification_goes_by_sms_and_without_either_stays_in_the_portal(
    db, settings
):
    settings.PORTAL_SMS_SENDER = "tests.notifications.test_services.RecordingSms"
    RecordingSms.sent.clear()
    by_sms = make_notification(factories.UserFactory(role="participant", email="", phone="+6281"))
    portal_only = make_notification(factories.UserFactory(role="participant", email=""))

    services.send_pending()

    by_sms.refresh_from_db()
    portal_only.refresh_from_db()
    assert (by_sms.status, by_sms.channel) == ("sent", "sms")
    assert RecordingSms.sent == [("+6281", by_sms.body)]
    assert (portal_only.status, portal_only.channel) == ("sent", "portal")
    assert mail.outbox == []


class RecordingSms:
    sent = []

    def send(self, to, body):
        self.sent.append((to, body))


def test_the_send_reminders_command_prints_the_counts(expiring_documents):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_reminders", "--today", "2026-11-30", stdout=out)

    assert "document_expiry: 5" in out.getvalue()
    assert "sent: 5" in out.getvalue()
    assert len(mail.outbox) == 5
