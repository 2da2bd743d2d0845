"""Fixed clocks and small builders for the reminder tests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.celery import app
from portal.notifications import services
from portal.notifications.models import Notification
from tests import factories

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day, hour=12, minute=0, zone=JAKARTA):
    """An aware datetime: `day` at hour:minute in `zone` (Jakarta by default)."""
    return dt.datetime.combine(day, dt.time(hour, minute), zone)


def scan(kind, *, today, now=None):
    """Run one rule with a fixed clock; every notification of that kind after the run, as
    (object id, due date, recipient username)."""
    services.scan_reminders(today=today, now=now or at(today), send=False, kinds=[kind])
    return set(
        Notification.objects.filter(kind=kind).values_list(
            "object_id", "due_on", "recipient__username"
        )
    )


@pytest.fixture
def officer(db):
    return factories.UserFactory(username="petugas", role="ministry_officer")


@pytest.fixture
def learner_account(db):
    return factories.UserFactory(username="peserta", role="participant", email="p@example.org")


@pytest.fixture
def eager_tasks():
    """Tasks run inline (the configuration of every run without REDIS_URL)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def make_notification(recipient, *, kind="test_kind", obj=None, due_on=None, **fields):
    obj = obj or recipient
    return Notification.objects.create(
        kind=kind,
        content_type_id=_content_type_id(obj),
        object_id=str(obj.pk),
        due_on=due_on or dt.date(2026, 11, 30),
        recipient=recipient,
        subject=fields.pop("subject", f"Pengingat {kind}"),
        body=fields.pop("body", "Isi / body"),
        **fields,
    )


def _content_type_id(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk
