"""The queue around the notifications: a real worker on Redis, and Redis unreachable."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from portal.celery import app
from portal.notifications import services
from portal.notifications.models import Notification
from portal.notifications.tasks import send_one
from tests import factories
from tests.notifications.conftest import make_notification

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Celery pointed at a port where nothing listens, not eager: as when Redis is down."""
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = CLOSED_PORT_BROKER
    app.conf.task_always_eager = False
    _forget_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous
    _forget_connections()


@pytest.mark.urls("tests.notifications.urls")
def test_a_resend_while_redis_is_down_completes_and_the_next_run_catches_up(
    broker_down, client, ministry_admin, django_capture_on_commit_callbacks, caplog
):
    notification = make_notification(
        factories.UserFactory(username="penerima", role="analyst"), status="failed"
    )
    client.force_login(ministry_admin)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend", "_selected_action": [notification.pk]},
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 5
    assert "not enqueued" in caplog.text
    notification.refresh_from_db()
    assert notification.status == "pending"
    assert mail.outbox == []

    # Redis is back (eager here): the scheduled catch-up sends it.
    app.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        from portal.notifications.tasks import send_pending

        send_pending.delay()

    notification.refresh_from_db()
    assert notification.status == "sent"
    assert [m.to for m in mail.outbox] == [["penerima@example.org"]]


def test_notify_while_redis_is_down_records_the_notification(
    broker_down, officer, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notify(
            kind="report_ready",
            obj=officer,
            due_on=officer.date_joined.date(),
            recipient=officer,
            subject="Laporan siap",
            body="Laporan mingguan siap.",
        )

    assert Notification.objects.get(pk=notification.pk).status == "pending"
    assert "portal.notifications.send_one not enqueued" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_sends_the_notification_by_email(require_redis):
    assert not app.conf.task_always_eager
    notification = make_notification(factories.UserFactory(username="pekerja", role="analyst"))

    with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        send_one.delay(notification.pk)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.status == "sent":
                break
            time.sleep(0.2)

    assert notification.status == "sent"
    assert [m.to for m in mail.outbox] == [["pekerja@example.org"]]


@pytest.mark.urls("tests.notifications.urls")
def test_an_smtp_failure_during_an_eager_resend_leaves_it_pending_and_the_request_completes(
    client, ministry_admin, eager_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("smtp down")

    monkeypatch.setattr(services, "send_message", refuse)
    notification = make_notification(factories.UserFactory(role="analyst"), status="failed")
    client.force_login(ministry_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend", "_selected_action": [notification.pk]},
        )

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status in {"pending", "failed"}
    assert "SMTPServerDisconnected" in notification.last_error
