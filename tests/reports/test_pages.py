"""/reports/: listing, access-checked downloads, subscriptions, and the admin."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.reports.models import ReportRun, ReportSubscription
from portal.reports.services import report_build

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports.urls")]

LIST = "/reports/"


@pytest.fixture
def runs(organisation_a, organisation_b):
    national = report_build(kind="weekly", period="2026-W44")
    a = report_build(kind="weekly", period="2026-W44", partner=organisation_a)
    b = report_build(kind="weekly", period="2026-W44", partner=organisation_b)
    return {"national": national, "a": a, "b": b}


def _download(run):
    return reverse("reports:download", args=[run.pk])


def test_anonymous_users_go_to_the_login_page(client, runs):
    for url in (LIST, _download(runs["national"])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_ministry_staff_see_every_run_and_download_it(client, ministry_officer, runs):
    client.force_login(ministry_officer)
    response = client.get(LIST)
    assert response.status_code == 200
    assert set(response.context["page"].object_list) == set(runs.values())
    download = client.get(_download(runs["b"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_partner_staff_see_only_their_organisation_s_runs(client, partner_user, runs):
    client.force_login(partner_user)
    response = client.get(LIST)
    assert list(response.context["page"].object_list) == [runs["a"]]
    assert not response.context["can_subscribe"]
    assert client.get(_download(runs["a"])).status_code == 200


def test_it_returns_404_for_another_partner_s_run(client, other_partner_user, runs):
    client.force_login(other_partner_user)
    assert client.get(_download(runs["a"])).status_code == 404
    assert client.get(_download(runs["national"])).status_code == 404
    assert client.get(reverse("reports:download", args=[999999])).status_code == 404


def test_it_returns_404_to_analysts_and_participants(
    client, analyst_user, participant_account, runs
):
    for user in (analyst_user, participant_account):
        client.force_login(user)
        assert client.get(LIST).status_code == 404
        assert client.get(_download(runs["national"])).status_code == 404


def test_a_run_that_is_not_finished_has_no_download(client, ministry_officer, runs):
    ReportRun.objects.filter(pk=runs["national"].pk).update(status="running")
    client.force_login(ministry_officer)
    assert client.get(_download(runs["national"])).status_code == 404


def test_the_list_needs_a_constant_number_of_queries(
    client, ministry_officer, organisation_a, django_assert_max_num_queries
):
    client.force_login(ministry_officer)
    for week in range(1, 8):
        ReportRun.objects.create(
            kind="weekly",
            period=f"2026-W{week:02d}",
            partner=organisation_a,
            status="done",
            finished_at=timezone.now(),
        )
    # session, user, groups, runs count, runs page (partner joined), subscriptions
    with django_assert_max_num_queries(7):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 7


def test_ministry_staff_subscribe_and_unsubscribe(client, ministry_officer):
    client.force_login(ministry_officer)
    url = reverse("reports:subscription")
    response = client.post(url, {"kind": "monthly", "action": "subscribe"})
    assert response.status_code == 302
    assert list(ReportSubscription.objects.values_list("user", "kind")) == [
        (ministry_officer.pk, "monthly")
    ]
    page = client.get(LIST)
    assert ("monthly", page.context["kinds"][1][1], True) in page.context["kinds"]
    client.post(url, {"kind": "monthly", "action": "unsubscribe"})
    assert not ReportSubscription.objects.exists()


def test_subscribing_needs_a_post(client, ministry_officer):
    client.force_login(ministry_officer)
    assert client.get(reverse("reports:subscription")).status_code == 405


def test_the_subscription_form_is_csrf_protected(ministry_officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ministry_officer)
    response = client.post(
        reverse("reports:subscription"), {"kind": "weekly", "action": "subscribe"}
    )
    assert response.status_code == 403
    assert not ReportSubscription.objects.exists()


def test_partner_staff_cannot_subscribe(client, partner_user):
    client.force_login(partner_user)
    response = client.post(
        reverse("reports:subscription"), {"kind": "weekly", "action": "subscribe"}
    )
    assert response.status_code == 404
    assert not ReportSubscription.objects.exists()


def test_the_admin_lists_runs_with_a_download_link(client, ministry_officer, runs):
    client.force_login(ministry_officer)
    response = client.get(reverse("admin:reports_reportrun_changelist"))
    assert response.status_code == 200
    assert _download(runs["a"]).encode() in response.content


def test_ministry_staff_manage_subscriptions_in_the_admin(client, ministry_officer, ministry_admin):
    client.force_login(ministry_officer)
    response = client.post(
        reverse("admin:reports_reportsubscription_add"),
        {"user": ministry_admin.pk, "kind": "weekly"},
    )
    assert response.status_code == 302
    assert ReportSubscription.objects.filter(user=ministry_admin, kind="weekly").exists()


def test_the_admin_offers_only_ministry_staff_as_subscribers(
    client, ministry_officer, partner_user
):
    client.force_login(ministry_officer)
    response = client.post(
        reverse("admin:reports_reportsubscription_add"), {"user": partner_user.pk, "kind": "weekly"}
    )
    assert response.status_code == 200  # the form is shown again with the error
    assert not ReportSubscription.objects.exists()
