"""API tokens: issue, rotate, revoke (ministry admins), authenticate, and record requests."""

import secrets

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Membership
from portal.accounts.models import Role, hash_token
from portal.accounts.services import user_create
from portal.audit.services import Event, audit_event

from .models import ApiRequestLog, ApiToken

# A token's last use is written at most this often (seconds), not on every request.
LAST_USED_RESOLUTION = 60


def _require_ministry_admin(actor):
    if not getattr(actor, "is_ministry_admin", False):
        raise PermissionDenied(_("Only ministry admins manage API tokens."))


def _new_secret():
    while True:
        secret = secrets.token_urlsafe(32)
        if not ApiToken.objects.filter(token_hash=hash_token(secret)).exists():
            return secret


def service_user_create(*, token):
    """The stored user a token's writes are recorded under: partner staff of the token's
    organisation, with no usable password (it cannot log in), named after the token."""
    user = user_create(
        username=f"api-token-{token.pk}",
        role=Role.PARTNER_STAFF,
        first_name=token.name[:150],
        last_name="(API)",
    )
    Membership.objects.create(user=user, organisation=token.organisation)
    return user


@transaction.atomic
def token_issue(*, organisation, name, scope, expires_at, actor, programmes=(), service_user=None):
    """Create a token for `organisation`; returns (token, secret). The secret is not stored.
    The token gets a service user (`service_user_create`) unless one is given (rotation)."""
    _require_ministry_admin(actor)
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    secret = _new_secret()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        scope=scope,
        expires_at=expires_at,
        prefix=secret[:8],
        token_hash=hash_token(secret),
        created_by=actor,
    )
    token.programmes.set(programmes)
    token.service_user = service_user or service_user_create(token=token)
    token.save(update_fields=["service_user"])
    audit_event(actor=actor, obj=token, event="api_token_issued", data={"scope": scope})
    return token, secret


@transaction.atomic
def token_revoke(*, token, actor):
    """Revoke `token` at once; a revoked token answers 401. Revoking twice changes nothing."""
    _require_ministry_admin(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event(actor=actor, obj=token, event="api_token_revoked")
    return token


@transaction.atomic
def token_rotate(*, token, actor, expires_at=None):
    """Issue a new secret with the same organisation, scope and programmes and revoke the old
    token; returns (new token, secret). The expiry stays unless `expires_at` is given."""
    _require_ministry_admin(actor)
    old = ApiToken.objects.select_for_update().get(pk=token.pk)
    if old.revoked_at is not None:
        raise ValidationError(_("A revoked token cannot be rotated; issue a new one."))
    new, secret = token_issue(
        organisation=old.organisation,
        name=old.name,
        scope=old.scope,
        expires_at=expires_at or old.expires_at,
        programmes=list(old.programmes.all()),
        actor=actor,
        service_user=old.service_user,
    )
    old.revoked_at = timezone.now()
    old.replaced_by = new
    old.save(update_fields=["revoked_at", "replaced_by"])
    audit_event(actor=actor, obj=old, event="api_token_rotated", data={"new_token": new.pk})
    return new, secret


def token_for_secret(secret):
    """The usable token with this secret, or None (unknown, expired or revoked)."""
    token = (
        ApiToken.objects.usable()
        .select_related("organisation", "service_user")
        .filter(token_hash=hash_token(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        LAST_USED_RESOLUTION
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def request_record(*, token, method, path, endpoint, status):
    """Log one request made with `token`."""
    return ApiRequestLog.objects.create(
        token=token, method=method, path=path[:300], endpoint=endpoint[:100], status=status
    )


def restricted_reads_record(*, actor, objects, fields):
    """Record that `actor` was shown the restricted `fields` of each of `objects` (one insert
    for a whole page, so the query count does not grow with the page size)."""
    objects = list(objects)
    if not objects or not fields:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                action=LogEntry.Action.ACCESS,
                actor_id=actor_id,
                additional_data={
                    "event": Event.VIEW_RESTRICTED,
                    "fields": sorted(fields),
                    "via": "api",
                },
            )
            for obj in objects
        ]
    )
