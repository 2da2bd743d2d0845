"""Sending a finished report to its subscribers (national) or the partner's staff, once."""

import pytest
from django.core import mail

from portal.reports.models import ReportSubscription
from portal.reports.services import (
    ReportError,
    report_build,
    report_message,
    report_recipients,
    subscription_set,
)
from tests import factories
from tests.reports import data

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports.urls")]


@pytest.fixture
def dataset(organisation_a):
    return data.build(organisation_a)


def test_a_national_report_goes_to_the_subscribers_of_its_kind(
    dataset, ministry_admin, ministry_officer
):
    subscription_set(user=ministry_admin, kind="monthly", subscribed=True)
    subscription_set(user=ministry_officer, kind="weekly", subscribed=True)
    run = report_build(kind="monthly", period=data.PERIOD)
    assert list(report_recipients(run)) == [ministry_admin]


def test_a_subscriber_who_left_the_ministry_gets_nothing(dataset, ministry_officer):
    subscription_set(user=ministry_officer, kind="monthly", subscribed=True)
    ministry_officer.groups.clear()
    run = report_build(kind="monthly", period=data.PERIOD)
    assert list(report_recipients(run)) == []


def test_a_partner_report_goes_to_the_partner_staff_only(
    dataset, organisation_a, partner_user, other_partner_user, ministry_admin
):
    subscription_set(user=ministry_admin, kind="monthly", subscribed=True)
    colleague = factories.PartnerStaffFactory(organisation=organisation_a)
    run = report_build(kind="monthly", period=data.PERIOD, partner=organisation_a)
    assert set(report_recipients(run)) == {partner_user, colleague}


def test_the_message_carries_the_summary_and_the_link_but_no_personal_data(dataset):
    run = report_build(kind="monthly", period=data.PERIOD)
    subject, body, url = report_message(run)
    assert url.endswith(f"/reports/{run.pk}/download/")
    assert url in body
    assert "2026-10" in subject
    assert ": 7" in body  # participants at the end of the period
    for participant in dataset["shared"]:
        assert participant.full_name not in body
        assert participant.nik not in body


def test_a_partner_message_shows_withheld_figures_as_withheld(dataset, organisation_a):
    run = report_build(kind="monthly", period=data.PERIOD, partner=organisation_a)
    _subject, body, _url = report_message(run)
    assert data.translated("withheld") in body


def test_only_ministry_staff_subscribe(partner_user):
    with pytest.raises(ReportError):
        subscription_set(user=partner_user, kind="monthly", subscribed=True)
    assert not ReportSubscription.objects.exists()


def test_sending_twice_notifies_each_recipient_once(
    dataset, ministry_admin, ministry_officer, eager_tasks, django_capture_on_commit_callbacks
):
    from portal.reports.services import report_send

    subscription_set(user=ministry_admin, kind="monthly", subscribed=True)
    subscription_set(user=ministry_officer, kind="monthly", subscribed=True)
    run = report_build(kind="monthly", period=data.PERIOD)
    with django_capture_on_commit_callbacks(execute=True):
        first = report_send(run=run)
    assert {n.recipient for n in first} == {ministry_admin, ministry_officer}
    assert {n.kind for n in first} == {"report_ready"}
    assert report_send(run=run) == []
    assert len(mail.outbox) == 2
    assert "2026-10" in mail.outbox[0].subject
    run.refresh_from_db()
    assert run.sent_at is not None
