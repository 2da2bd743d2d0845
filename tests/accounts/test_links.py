import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from portal.accounts import services
from portal.accounts.models import OneTimeLink, hash_token
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kopi-tubruk-Bali-2025"


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    settings.PORTAL_BASE_URL = "https://portal.example.go.id"
    with translation.override("en"):
        yield


@pytest.fixture
def invitee(db):
    user = factories.UserFactory(username="sari", role="participant")
    user.set_unusable_password()
    user.save()
    return user


def token_of(url):
    return re.fullmatch(r"https://portal\.example\.go\.id/link/([^/]+)/", url).group(1)


def test_issuing_a_link_returns_an_absolute_url_valid_for_a_week(invitee, ministry_admin):
    link, url = services.link_issue(user=invitee, purpose="invite", actor=ministry_admin)

    assert token_of(url)
    assert link.purpose == OneTimeLink.Purpose.INVITE
    assert link.created_by == ministry_admin
    assert link.expires_at - link.created_at == timedelta(days=7)
    assert link.is_usable


def test_only_the_hash_of_the_token_is_stored(invitee):
    link, url = services.link_issue(user=invitee, purpose="invite")
    token = token_of(url)

    link.refresh_from_db()
    assert link.token_hash == hash_token(token)
    stored = OneTimeLink.objects.values_list().get(pk=link.pk)
    assert not any(token in str(value) for value in stored)
    assert not LogEntry.objects.filter(additional_data__icontains=token).exists()


def test_issuing_a_new_link_stops_the_older_unused_one_of_the_same_purpose(invitee):
    old, old_url = services.link_issue(user=invitee, purpose="invite")
    reset, _ = services.link_issue(user=invitee, purpose="reset")

    services.link_issue(user=invitee, purpose="invite")

    old.refresh_from_db()
    reset.refresh_from_db()
    assert old.used_at is not None
    assert reset.used_at is None
    with pytest.raises(services.LinkInvalid) as error:
        services.link_redeem(token=token_of(old_url), password=NEW_PASSWORD)
    assert error.value.reason == "used"


def test_redeeming_a_link_sets_the_password_and_uses_up_every_open_link(invitee):
    link, url = services.link_issue(user=invitee, purpose="invite")
    other, _ = services.link_issue(user=invitee, purpose="reset")

    user = services.link_redeem(token=token_of(url), password=NEW_PASSWORD)

    assert user == invitee
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    link.refresh_from_db()
    other.refresh_from_db()
    assert link.used_at is not None
    assert other.used_at is not None


def test_a_link_works_only_once(invitee):
    _, url = services.link_issue(user=invitee, purpose="invite")
    services.link_redeem(token=token_of(url), password=NEW_PASSWORD)

    with pytest.raises(services.LinkInvalid, match="already been used") as error:
        services.link_redeem(token=token_of(url), password="another-Pass-word-77")
    assert error.value.reason == "used"
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused(invitee):
    link, url = services.link_issue(user=invitee, purpose="invite")
    OneTimeLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(days=1)
    )

    with pytest.raises(services.LinkInvalid, match="expired") as error:
        services.link_redeem(token=token_of(url), password=NEW_PASSWORD)
    assert error.value.reason == "expired"
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_an_unknown_token_is_refused():
    with pytest.raises(services.LinkInvalid, match="not valid") as error:
        services.link_redeem(token="made-up-token", password=NEW_PASSWORD)
    assert error.value.reason == "unknown"


def test_a_link_of_a_deactivated_user_is_refused(invitee):
    _, url = services.link_issue(user=invitee, purpose="invite")
    invitee.is_active = False
    invitee.save()

    with pytest.raises(services.LinkInvalid):
        services.link_redeem(token=token_of(url), password=NEW_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_stays_usable(invitee):
    link, url = services.link_issue(user=invitee, purpose="invite")

    for weak in ("12345678", "short", "password", "Kuat-dan-panjang-" * 12000):
        with pytest.raises(ValidationError):
            services.link_redeem(token=token_of(url), password=weak)

    link.refresh_from_db()
    assert link.is_usable
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_no_link_is_issued_for_an_inactive_user(invitee):
    invitee.is_active = False
    invitee.save()

    with pytest.raises(services.LinkNotAllowed):
        services.link_issue(user=invitee, purpose="invite")
    assert not OneTimeLink.objects.exists()


def test_only_a_superuser_may_issue_a_link_for_a_superuser(ministry_admin):
    root = factories.UserFactory(username="root", role="ministry_admin", is_superuser=True)

    with pytest.raises(services.LinkNotAllowed):
        services.link_issue(user=root, purpose="reset", actor=ministry_admin)
    link, _ = services.link_issue(user=root, purpose="reset", actor=root)
    assert link.is_usable


def test_issuing_and_redeeming_are_audited_without_the_token(invitee, ministry_admin):
    _, url = services.link_issue(user=invitee, purpose="invite", actor=ministry_admin)
    services.link_redeem(token=token_of(url), password=NEW_PASSWORD)

    events = [
        (entry.actor, entry.additional_data["event"])
        for entry in LogEntry.objects.filter(object_pk=str(invitee.pk)).order_by("pk")
        if entry.additional_data
    ]
    assert events == [
        (ministry_admin, "one_time_link_issued"),
        (invitee, "password_set_by_link"),
    ]


def test_a_reset_request_emails_a_link_to_the_matching_account(invitee):
    sent = services.password_reset_request(identifier="  SARI ")

    assert sent == 1
    (message,) = mail.outbox
    assert message.to == [invitee.email]
    url = re.search(r"https://portal\.example\.go\.id/link/[^/\s]+/", message.body).group(0)
    services.link_redeem(token=token_of(url), password=NEW_PASSWORD)
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)


def test_a_reset_request_also_matches_the_email_address(invitee):
    assert services.password_reset_request(identifier=invitee.email.upper()) == 1


def test_a_reset_request_sends_nothing_for_an_unknown_or_emailless_account(invitee):
    invitee.email = ""
    invitee.save()

    assert services.password_reset_request(identifier="sari") == 0
    assert services.password_reset_request(identifier="nobody") == 0
    assert services.password_reset_request(identifier="") == 0
    assert mail.outbox == []
    assert not OneTimeLink.objects.exists()


def test_an_invitation_for_a_new_user_and_a_reset_for_one_who_logged_in(invitee):
    assert services.link_purpose_for(invitee) == OneTimeLink.Purpose.INVITE
    invitee.last_login = timezone.now()
    assert services.link_purpose_for(invitee) == OneTimeLink.Purpose.RESET
