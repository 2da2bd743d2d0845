"""The breach register: the 3 x 24-hour deadline, the Indonesian notice, the reminders until the
notifications are recorded, and the admin that only ministry admins enter."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from portal.notifications.models import Notification
from portal.notifications.registry import all_rules
from portal.notifications.services import scan_reminders
from portal.privacy import services
from portal.privacy.admin import time_left_text, wib
from portal.privacy.models import Breach
from tests import factories

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
DISCOVERED = dt.datetime(2026, 11, 23, 21, 30, tzinfo=JAKARTA)


def make_breach(actor, **fields):
    participants = fields.pop("participants", ())
    breach = Breach(
        title=fields.pop("title", "Lembar peserta terkirim ke alamat email yang salah"),
        data_categories=fields.pop("data_categories", ["identity", "criminal_record"]),
        description=fields.pop(
            "description", "Daftar peserta Kesempatan Kedua dikirim ke penerima yang keliru."
        ),
        how_found=fields.pop("how_found", "Penerima melapor melalui telepon."),
        discovered_at=fields.pop("discovered_at", DISCOVERED),
        **fields,
    )
    return services.breach_record(breach=breach, participants=participants, actor=actor)


def reminders(today):
    scan_reminders(
        today=today,
        now=dt.datetime.combine(today, dt.time(8), JAKARTA),
        send=False,
        kinds=["breach_notification_due"],
    )
    return set(
        Notification.objects.filter(kind="breach_notification_due").values_list(
            "due_on", "recipient__username"
        )
    )


# --- Deadline --------------------------------------------------------------------------------


def test_the_deadline_is_72_hours_after_discovery_shown_in_jakarta_time(ministry_admin):
    breach = make_breach(ministry_admin)
    assert breach.deadline == DISCOVERED + dt.timedelta(hours=72)
    assert wib(breach.deadline) == "26-11-2026 21:30 WIB"


def test_the_time_left_counts_down_and_turns_overdue(ministry_admin):
    breach = make_breach(ministry_admin)
    with translation.override("en"):
        assert time_left_text(breach, now=DISCOVERED + dt.timedelta(hours=24, minutes=5)) == (
            "47 h 55 min left"
        )
        assert time_left_text(breach, now=DISCOVERED + dt.timedelta(hours=75)) == (
            "overdue by 3 h 0 min"
        )


def test_the_time_left_says_notified_once_both_notifications_are_recorded(ministry_admin):
    breach = make_breach(ministry_admin)
    services.breach_mark_notified(breach=breach, whom="people", actor=ministry_admin)
    services.breach_mark_notified(breach=breach, whom="authority", actor=ministry_admin)
    with translation.override("en"):
        assert time_left_text(breach, now=DISCOVERED + dt.timedelta(hours=80)) == "notified"


def test_a_notification_time_is_recorded_once(ministry_admin):
    breach = make_breach(ministry_admin)
    first = DISCOVERED + dt.timedelta(hours=5)
    services.breach_mark_notified(breach=breach, whom="people", actor=ministry_admin, at=first)
    with pytest.raises(services.AlreadyNotified):
        services.breach_mark_notified(breach=breach, whom="people", actor=ministry_admin)
    breach.refresh_from_db()
    assert breach.people_notified_at == first
    assert breach.authority_notified_at is None


# --- Notice ----------------------------------------------------------------------------------


def test_the_notice_is_drafted_in_indonesian_from_the_record(ministry_admin):
    people = factories.ParticipantFactory.create_batch(3)
    breach = make_breach(
        ministry_admin,
        participants=people,
        occurred_since=dt.datetime(2026, 11, 20, 9, 0, tzinfo=JAKARTA),
        measures="Penerima telah menghapus email tersebut.",
        contact="Pusat Data KemenP2MI, 021-000000",
    )
    with translation.override("en"):  # the notice is Indonesian whatever the interface language
        subject, body = services.breach_notice_draft(breach=breach)
    assert subject == (
        "Pemberitahuan dugaan kegagalan pelindungan data pribadi: "
        "Lembar peserta terkirim ke alamat email yang salah"
    )
    assert "Pasal 46 Undang-Undang Nomor 27 Tahun 2022" in body
    assert "identitas (nama, NIK, nomor kartu keluarga)" in body
    assert "catatan kejahatan" in body
    assert "Sejak 20 November 2026, 09:00 WIB" in body
    assert "Diketahui pada 23 November 2026, 21:30 WIB" in body
    assert "Penerima melapor melalui telepon." in body
    assert "Jumlah orang yang terdampak: 3 orang." in body
    assert "Penerima telah menghapus email tersebut." in body
    assert "Pusat Data KemenP2MI, 021-000000" in body
    breach.refresh_from_db()
    assert (breach.notice_subject, breach.notice_body) == (subject, body)


def test_an_edited_notice_is_kept_until_drafted_again(ministry_admin):
    breach = make_breach(ministry_admin)
    Breach.objects.filter(pk=breach.pk).update(notice_body="Teks yang sudah disunting.")
    breach.refresh_from_db()
    assert breach.notice_body == "Teks yang sudah disunting."
    services.breach_notice_redraft(breach=breach, actor=ministry_admin)
    breach.refresh_from_db()
    assert "Pasal 46" in breach.notice_body


# --- Reminders -------------------------------------------------------------------------------


def test_the_breach_rule_is_discovered_from_the_privacy_app():
    assert "breach_notification_due" in all_rules()


def test_ministry_admins_are_reminded_daily_until_both_notifications_are_sent(
    ministry_admin, ministry_officer
):
    other_admin = factories.UserFactory(username="m_admin2", role="ministry_admin")
    breach = make_breach(ministry_admin)
    day1, day2, day3, day4 = (dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(4))

    assert reminders(day1) == {(day1, "m_admin"), (day1, "m_admin2")}
    assert reminders(day1) == {(day1, "m_admin"), (day1, "m_admin2")}  # once a day
    services.breach_mark_notified(breach=breach, whom="people", actor=ministry_admin)
    assert len(reminders(day2)) == 4  # the authority is still to be told
    services.breach_mark_notified(breach=breach, whom="authority", actor=other_admin)
    assert len(reminders(day3)) == 4  # nothing more once both are sent
    assert len(reminders(day4)) == 4
    assert ministry_officer.notifications.count() == 0


def test_the_reminder_names_the_deadline_and_who_is_still_to_be_told(ministry_admin):
    breach = make_breach(ministry_admin)
    services.breach_mark_notified(breach=breach, whom="people", actor=ministry_admin)
    reminders(dt.date(2026, 11, 24))
    notification = Notification.objects.get(kind="breach_notification_due")
    assert "Nov. 26, 2026, 9:30 p.m." in notification.body  # the English half, Jakarta time
    assert "otoritas" in notification.body
    assert "the authority" in notification.body
    assert "orang yang terdampak" not in notification.body
    assert notification.url == reverse("admin:privacy_breach_change", args=[breach.pk])


def test_an_unfounded_breach_is_not_reminded(ministry_admin):
    make_breach(ministry_admin, status=Breach.Status.UNFOUNDED)
    assert reminders(dt.date(2026, 11, 24)) == set()


# --- Admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ministry_officer", "analyst_user", "partner_user"])
def test_only_ministry_admins_enter_the_breach_register(client, request, persona, ministry_admin):
    breach = make_breach(ministry_admin)
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("admin:privacy_breach_changelist"),
        reverse("admin:privacy_breach_change", args=[breach.pk]),
        reverse("admin:privacy_breach_add"),
    ):
        assert client.get(url).status_code in (302, 403)
    client.force_login(ministry_admin)
    assert client.get(reverse("admin:privacy_breach_changelist")).status_code == 200


def test_an_officer_does_not_see_the_register_on_the_admin_index(client, ministry_officer):
    client.force_login(ministry_officer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:privacy_breach_changelist") not in response.content.decode()


def test_an_admin_records_a_breach_and_gets_a_draft_notice(client, ministry_admin):
    person = factories.ParticipantFactory()
    client.force_login(ministry_admin)
    response = client.post(
        reverse("admin:privacy_breach_add"),
        {
            "title": "Laptop petugas hilang",
            "status": "suspected",
            "data_categories": ["identity", "health"],
            "description": "Laptop berisi lembar peserta hilang di bandara.",
            "participants": [person.pk],
            "how_found": "Petugas melapor.",
            "discovered_at_0": "23/11/2026",
            "discovered_at_1": "21:30",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    breach = Breach.objects.get()
    assert list(breach.participants.all()) == [person]
    assert breach.recorded_by == ministry_admin
    assert breach.deadline == DISCOVERED + dt.timedelta(hours=72)
    assert "data kesehatan" in breach.notice_body
    page = client.get(reverse("admin:privacy_breach_change", args=[breach.pk]))
    assert "26-11-2026 21:30 WIB" in page.content.decode()


def test_the_admin_action_records_the_notification_of_the_people(client, ministry_admin):
    breach = make_breach(ministry_admin)
    client.force_login(ministry_admin)
    client.post(
        reverse("admin:privacy_breach_changelist"),
        {"action": "mark_people_notified", "_selected_action": [breach.pk]},
    )
    breach.refresh_from_db()
    assert breach.people_notified_at is not None
    assert breach.authority_notified_at is None


def test_the_breach_list_takes_the_same_queries_for_5_and_50_breaches(
    client, ministry_admin, django_assert_max_num_queries
):
    client.force_login(ministry_admin)
    url = reverse("admin:privacy_breach_changelist")
    for _ in range(5):
        make_breach(ministry_admin)
    with django_assert_max_num_queries(20) as five:
        assert client.get(url).status_code == 200
    for _ in range(45):
        make_breach(ministry_admin)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get(url).status_code == 200
