"""Account state changes: creating users with a role, and one-time links to set a password."""

import logging
import secrets
from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_event

from .links import link_message
from .models import MINISTRY_ROLES, OneTimeLink, Role, User, hash_token
from .senders import Channel, send_message

logger = logging.getLogger(__name__)


class LinkError(Exception):
    """A one-time link cannot be issued, used or sent; `str(error)` is a message for people."""


class LinkInvalid(LinkError):
    """The token is unknown, already used (or replaced by a newer link), or expired."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"

    def __init__(self, reason):
        self.reason = reason
        messages = {
            self.UNKNOWN: _(
                "This link is not valid. Check that you opened the whole link, "
                "or ask for a new one."
            ),
            self.USED: _(
                "This link has already been used or has been replaced by a newer one. "
                "Ask for a new link."
            ),
            self.EXPIRED: _("This link has expired. Ask for a new link."),
        }
        super().__init__(messages[reason])


class LinkNotAllowed(LinkError):
    """The actor may not issue a link for this user."""


class NoAddress(LinkError):
    """The user has no email address (email channel) or phone number (SMS channel)."""


@transaction.atomic
def user_create(
    *, username, role, email="", first_name="", last_name="", password=None, provinces=(), phone=""
):
    """Create a user holding exactly one role; ministry roles may enter the admin."""
    role = Role(role)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        is_staff=role in MINISTRY_ROLES,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    if provinces:
        user.provinces.set(provinces)
    return user


def link_url(token):
    """The absolute address of the page that redeems `token`."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("link_redeem", kwargs={"token": token})


def link_purpose_for(user):
    """An invitation for someone who has never logged in, otherwise a password reset."""
    return OneTimeLink.Purpose.RESET if user.last_login else OneTimeLink.Purpose.INVITE


def link_find(token, *, for_update=False):
    """The usable link whose token is `token`, or LinkInvalid saying why there is none."""
    links = OneTimeLink.objects.select_related("user")
    if for_update:
        links = links.select_for_update()
    link = links.filter(token_hash=hash_token(token)).first()
    if link is None or not link.user.is_active:
        raise LinkInvalid(LinkInvalid.UNKNOWN)
    if link.used_at is not None:
        raise LinkInvalid(LinkInvalid.USED)
    if link.expires_at <= timezone.now():
        raise LinkInvalid(LinkInvalid.EXPIRED)
    return link


@transaction.atomic
def link_issue(*, user, purpose, actor=None):
    """Create a one-time link for `user` and return (link, url); the url is never stored.

    Earlier unused links of the same user and purpose stop working. Only a superuser may issue a
    link for a superuser; `actor` is None when the user asked for the link themselves. The
    returned link carries the token in `link.token` for the page that shows it once.
    """
    purpose = OneTimeLink.Purpose(purpose)
    if not user.is_active:
        raise LinkNotAllowed(_("%(user)s is not active.") % {"user": user})
    if user.is_superuser and actor is not None and not actor.is_superuser:
        raise LinkNotAllowed(_("Only a superuser may create a link for %(user)s.") % {"user": user})
    now = timezone.now()
    OneTimeLink.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    link = OneTimeLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.ONE_TIME_LINK_DAYS),
        created_by=actor,
    )
    link.token = token
    audit_event(
        actor=actor,
        obj=user,
        event="one_time_link_issued",
        data={"purpose": purpose.value, "link": link.pk},
        action=LogEntry.Action.UPDATE,
    )
    return link, link_url(token)


@transaction.atomic
def link_redeem(*, token, password):
    """Set the password of the link's user and close every open link of that user.

    Raises LinkInvalid for an unknown, used or expired token, and ValidationError when the
    password fails the validators in AUTH_PASSWORD_VALIDATORS (the link stays usable then).
    """
    link = link_find(token, for_update=True)
    user = link.user
    password_validation.validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    OneTimeLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    audit_event(
        actor=user,
        obj=user,
        event="password_set_by_link",
        data={"purpose": link.purpose, "link": link.pk},
        action=LogEntry.Action.UPDATE,
    )
    return user


def address_for(user, channel):
    """The user's email address or phone number for `channel`, or NoAddress."""
    if Channel(channel) == Channel.EMAIL:
        if not user.email:
            raise NoAddress(_("%(user)s has no email address.") % {"user": user})
        return user.email
    if not user.phone:
        raise NoAddress(_("%(user)s has no phone number.") % {"user": user})
    return user.phone


@transaction.atomic
def link_send(*, link_url, user, channel, purpose=OneTimeLink.Purpose.INVITE, actor=None):
    """Send `link_url` to `user` by email or SMS in a message in Indonesian, then English."""
    channel = Channel(channel)
    to = address_for(user, channel)
    subject, body = link_message(purpose=purpose, channel=channel, user=user, link_url=link_url)
    send_message(channel=channel, to=to, subject=subject, body=body)
    audit_event(
        actor=actor,
        obj=user,
        event="one_time_link_sent",
        data={"purpose": str(purpose), "channel": channel.value},
        action=LogEntry.Action.UPDATE,
    )


def link_issue_and_send(*, user, actor, channel=None):
    """Issue a link for `user` and send it by `channel` (email when they have one, else SMS).

    The link is committed before the message leaves, so a failed send leaves a link that a
    later one replaces. Raises LinkError (NoAddress when there is nowhere to send it).
    """
    if channel is None:
        if not user.email and not user.phone:
            raise NoAddress(_("%(user)s has no email address or phone number.") % {"user": user})
        channel = Channel.EMAIL if user.email else Channel.SMS
    address_for(user, channel)
    purpose = link_purpose_for(user)
    _link, url = link_issue(user=user, purpose=purpose, actor=actor)
    link_send(link_url=url, user=user, channel=channel, purpose=purpose, actor=actor)
    return channel


def password_reset_request(*, identifier):
    """Email a reset link to each active account with an email whose username or email matches.

    Returns how many were sent; the caller must not tell the person (no account enumeration).
    Not one transaction: each link is committed before its email leaves, and a failed email is
    logged without the link.
    """
    identifier = identifier.strip()
    if not identifier:
        return 0
    users = User.objects.filter(
        Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True
    ).exclude(email="")
    sent = 0
    for user in users:
        _link, url = link_issue(user=user, purpose=OneTimeLink.Purpose.RESET)
        try:
            link_send(
                link_url=url, user=user, channel=Channel.EMAIL, purpose=OneTimeLink.Purpose.RESET
            )
        except Exception:
            logger.exception("Password reset email to user %s failed", user.pk)
        else:
            sent += 1
    return sent
