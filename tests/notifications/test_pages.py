"""The in-portal notification list and the admin log."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from portal.notifications.models import Notification
from tests import factories
from tests.notifications.conftest import make_notification

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]


@pytest.fixture
def owner(db):
    return factories.UserFactory(username="pemilik", role="partner_staff")


@pytest.fixture
def outsider(db):
    return factories.UserFactory(username="orang_lain", role="partner_staff")


def _many(user, count, prefix="Pengingat"):
    return [
        make_notification(user, kind=f"k{i}", subject=f"{prefix} {i}", url="/participants/")
        for i in range(count)
    ]


def test_it_redirects_anonymous_visitors_to_the_login(client):
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_lists_only_the_users_own_notifications_newest_first(client, owner, outsider):
    make_notification(owner, kind="old", subject="Lama")
    make_notification(owner, kind="new", subject="Baru")
    make_notification(outsider, subject="Rahasia orang lain")
    client.force_login(owner)

    page = client.get(reverse("notifications:list")).content.decode()

    assert page.index("Baru") < page.index("Lama")
    assert "Rahasia orang lain" not in page


def test_it_marks_unread_notifications(client, owner):
    unread = make_notification(owner, kind="a", subject="Belum dibaca")
    make_notification(owner, kind="b", subject="Sudah dibaca", read_at=timezone.now())
    client.force_login(owner)

    with translation.override("en"):
        response = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()

    assert f'class="notification unread" id="notification-{unread.pk}"' in page
    assert page.count("notification unread") == 1


def test_it_marks_one_notification_read(client, owner):
    notification = make_notification(owner)
    client.force_login(owner)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_returns_404_for_another_users_notification(client, owner, outsider):
    theirs = make_notification(outsider)
    client.force_login(owner)

    response = client.post(reverse("notifications:mark_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(client, owner):
    notification = make_notification(owner)
    client.force_login(owner)

    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405


def test_it_marks_all_own_notifications_read_and_no_others(client, owner, outsider):
    _many(owner, 3)
    theirs = make_notification(outsider)
    client.force_login(owner)

    client.post(reverse("notifications:mark_all_read"))

    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_is_refused_without_the_csrf_token(owner):
    from django.test import Client

    notification = make_notification(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_takes_the_same_queries_for_5_and_50_notifications(
    client, owner, rows, django_assert_max_num_queries
):
    _many(owner, rows)
    client.force_login(owner)

    # session, user, the user's roles (read once by the two-factor and idle-timeout middleware),
    # count for the paginator, unread count, the page's rows
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))

    assert response.status_code == 200
    assert response.content.decode().count('<li class="notification') == min(rows, 25)


# --- Admin -----------------------------------------------------------------------------------

CHANGELIST = "admin:notifications_notification_changelist"


@pytest.mark.parametrize("rows", [5, 50])
def test_the_admin_log_takes_the_same_queries_for_5_and_50_rows(
    client, ministry_admin, owner, rows, django_assert_max_num_queries
):
    _many(owner, rows)
    client.force_login(ministry_admin)

    # session, user, groups, count, user and group permissions, the page's rows (with their
    # recipients), the kinds for the filter
    with django_assert_max_num_queries(8):
        response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert response.content.decode().count('name="_selected_action"') == rows


def test_ministry_officers_see_the_whole_log(client, ministry_officer, owner, outsider):
    make_notification(owner, subject="Untuk pemilik")
    make_notification(outsider, subject="Untuk orang lain")
    client.force_login(ministry_officer)

    response = client.get(reverse(CHANGELIST), {"q": "orang_lain"})

    assert response.status_code == 200
    assert response.content.decode().count('name="_selected_action"') == 1


def test_partner_staff_do_not_enter_the_admin_log(client, partner_user):
    client.force_login(partner_user)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code in (302, 403)


def test_the_resend_action_sends_a_failed_notification_again(
    client, ministry_admin, owner, eager_tasks, django_capture_on_commit_callbacks
):
    notification = make_notification(
        owner, status="failed", attempts=5, last_error="SMTPServerDisconnected"
    )
    client.force_login(ministry_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "resend", "_selected_action": [notification.pk]}
        )

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert [m.to for m in mail.outbox] == [["pemilik@example.org"]]
