"""Record what is due once, and send each notification once.

The database is the source of truth, not the queue: `scan_reminders` derives what is due from
the data and records it under the log's unique key (kind, object, due date, recipient), so it can
run at any time, twice or in parallel, and records each reminder once. `send_notification`
claims a row with a conditional UPDATE (pending -> sending), sends it and marks it sent only after
the backend accepted it; `send_pending` catches up whatever a broken worker or broker left
behind.
"""

import datetime as dt
import logging
import smtplib
from collections import Counter

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import dateformat, formats, timezone, translation

from portal.accounts.models import User
from portal.accounts.senders import send_message
from portal.audit.services import audit_event

from .models import Notification
from .registry import all_rules

logger = logging.getLogger(__name__)

# Errors worth trying again later: SMTP refusals and network trouble (ConnectionError is an
# OSError, and so is smtplib.SMTPException).
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
MAX_ATTEMPTS = 5
# A row claimed ("sending") longer ago than this belongs to a worker that died: send it again.
STALE_CLAIM = dt.timedelta(minutes=10)
BATCH_SIZE = 500
SEPARATOR = "\n\n— English —\n\n"


def local_today(now=None):
    """The date in Asia/Jakarta (the portal's zone) at `now`."""
    return timezone.localtime(now or timezone.now()).date()


def _format(value, date_format, datetime_format):
    if isinstance(value, dt.datetime):
        return dateformat.format(timezone.localtime(value), datetime_format)
    if isinstance(value, dt.date):
        return dateformat.format(value, date_format)
    return str(value)


def render_messages(rule, contexts):
    """[(subject, body)] for each context: Indonesian first, then English.

    Each language is activated once for the whole list (rules render thousands at a time).
    """
    halves = []
    for language in ("id", "en"):
        with translation.override(language):
            subject, body = str(rule.subject), str(rule.body)
            date_format = formats.get_format("DATE_FORMAT")
            datetime_format = formats.get_format("DATETIME_FORMAT")
            rendered = []
            for context in contexts:
                values = {k: _format(v, date_format, datetime_format) for k, v in context.items()}
                rendered.append((subject % values, body % values))
            halves.append(rendered)
    messages = []
    for (subject_id, body_id), (subject_en, body_en) in zip(*halves, strict=True):
        subject = subject_id if subject_id == subject_en else f"{subject_id} / {subject_en}"
        messages.append((subject[:300], body_id + SEPARATOR + body_en))
    return messages


def render_message(rule, context):
    """(subject, body) of one context, both languages, Indonesian first."""
    return render_messages(rule, [context])[0]


def notify(*, kind, obj, due_on, recipient, subject, body, url=""):
    """Record one notification and enqueue its sending after commit.

    Returns the new Notification, or None when (kind, obj, due_on, recipient) was recorded
    before: the unique constraint decides, so two concurrent callers record it once.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                due_on=due_on,
                recipient_id=getattr(recipient, "pk", recipient),
                subject=subject[:300],
                body=body,
                url=url,
            )
    except IntegrityError:
        if Notification.objects.filter(
            kind=kind,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            due_on=due_on,
            recipient_id=getattr(recipient, "pk", recipient),
        ).exists():
            return None
        raise
    enqueue_send(notification_ids=[notification.pk])
    return notification


_COLUMNS = (
    "kind",
    "content_type_id",
    "object_id",
    "due_on",
    "recipient_id",
    "subject",
    "body",
    "url",
    "channel",
    "status",
    "attempts",
    "last_error",
    "created_at",
)


def _insert_new(rows):
    """Insert `rows` (tuples in _COLUMNS order) skipping those already logged; the new ids.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING per batch (PostgreSQL and SQLite): the
    unique constraint, not a prior SELECT, decides what is new.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    fields = {f.column: f for f in Notification._meta.concrete_fields}
    columns = ", ".join(quote(c) for c in _COLUMNS)
    table = quote(Notification._meta.db_table)
    values = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(rows))
    # Identifiers from the model's own metadata; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id"  # noqa: S608
    params = [
        fields[column].get_db_prep_save(value, connection)
        for row in rows
        for column, value in zip(_COLUMNS, row, strict=True)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _recipient_ids(recipients):
    seen = []
    for recipient in recipients:
        pk = getattr(recipient, "pk", recipient)
        if pk is not None and pk not in seen:
            seen.append(pk)
    return seen


def record_due(rule, *, today, now, skip=frozenset()):
    """Record every notification `rule` finds due (not to the users in `skip`); the ids of
    those newly recorded."""
    new_ids = []
    pending = []
    content_types = {}

    def flush():
        created_at = timezone.now()
        messages = render_messages(rule, [due.context for due, _recipients in pending])
        rows = [
            (
                rule.code,
                content_types[type(due.obj)],
                str(due.obj.pk),
                due.due_on,
                recipient_id,
                subject,
                body,
                due.url,
                "",
                Notification.Status.PENDING,
                0,
                "",
                created_at,
            )
            for (due, recipients), (subject, body) in zip(pending, messages, strict=True)
            for recipient_id in recipients
        ]
        pending.clear()
        # A statement takes at most 65,535 parameters (13 a row) on PostgreSQL.
        return [
            pk
            for start in range(0, len(rows), 2000)
            for pk in _insert_new(rows[start : start + 2000])
        ]

    for due in rule.due(today=today, now=now):
        recipients = [pk for pk in _recipient_ids(due.recipients) if pk not in skip]
        if not recipients:
            continue
        model = type(due.obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model).pk
        pending.append((due, recipients))
        if len(pending) >= BATCH_SIZE:
            new_ids += flush()
    if pending:
        new_ids += flush()
    return new_ids


def scan_reminders(*, today=None, now=None, send=True, kinds=None):
    """Run every reminder rule (or those in `kinds`) and record what is due.

    Returns the number of notifications newly recorded per kind. With `send`, the pending
    notifications are then sent through the queue (a single `send_pending` task).
    """
    if now is None:
        now = timezone.now()
        if today is not None:
            # A scan "as of" another day: the same time of day, on that day.
            now = timezone.make_aware(dt.datetime.combine(today, timezone.localtime(now).time()))
    today = today or local_today(now)
    inactive = set(User.objects.filter(is_active=False).values_list("pk", flat=True))
    counts = {}
    for code, rule in all_rules().items():
        if kinds and code not in kinds:
            continue
        counts[code] = len(record_due(rule, today=today, now=now, skip=inactive))
    if send and any(counts.values()):
        enqueue_send_pending()
    return counts


def address_of(user):
    """(channel, address): email when the user has one, else SMS to their phone, else portal."""
    if user.email:
        return Notification.Channel.EMAIL, user.email
    if user.phone:
        return Notification.Channel.SMS, user.phone
    return Notification.Channel.PORTAL, ""


def _message_text(notification):
    if not notification.url:
        return notification.body
    link = notification.url
    if link.startswith("/"):
        link = settings.PORTAL_BASE_URL.rstrip("/") + link
    return f"{notification.body}\n\n{link}"


def send_notification(*, notification_id, now=None):
    """Send one pending notification; True when this call sent it.

    The claim is a conditional UPDATE, so two workers never both send it. An error while
    sending puts it back to pending (failed after MAX_ATTEMPTS) with the error, and is raised
    again so that the task retries with backoff. A process killed mid-send leaves it "sending":
    `send_pending` takes it up again after STALE_CLAIM.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    channel, address = address_of(notification.recipient)
    try:
        if channel != Notification.Channel.PORTAL:
            send_message(
                channel=channel,
                to=address,
                subject=notification.subject,
                body=_message_text(notification),
            )
    except Exception as error:
        gave_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            channel=channel,
        )
        raise
    Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), channel=channel, last_error=""
    )
    return True


def release_stale_claims(*, now=None):
    """Put rows claimed by a worker that died (sending for over STALE_CLAIM) back to pending."""
    now = now or timezone.now()
    return Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Notification.Status.PENDING)


def send_pending(*, now=None):
    """Send every pending notification, each claimed and committed on its own.

    An error on one is logged and leaves it pending for the next run; it stops nothing else.
    Returns counts: sent, and errors.
    """
    now = now or timezone.now()
    release_stale_claims(now=now)
    counts = Counter(sent=0, errors=0)
    last_id = 0
    while True:
        ids = list(
            Notification.objects.filter(status=Notification.Status.PENDING, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            break
        for notification_id in ids:
            try:
                if send_notification(notification_id=notification_id, now=now):
                    counts["sent"] += 1
            except Exception:
                counts["errors"] += 1
                logger.warning("Notification %s not sent", notification_id, exc_info=True)
        last_id = ids[-1]
    return dict(counts)


@transaction.atomic
def resend(*, notification, by):
    """Send `notification` again: back to pending with fresh attempts, then enqueued."""
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.PENDING, attempts=0, last_error="", sent_at=None
    )
    audit_event(actor=by, obj=notification, event="resend")
    enqueue_send(notification_ids=[notification.pk])
    notification.refresh_from_db()
    return notification


def mark_read(*, user, notification_id=None, now=None):
    """Mark the user's notification (or all their unread ones) read; how many changed."""
    rows = Notification.objects.own(user).unread()
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=now or timezone.now())


def enqueue_send(*, notification_ids):
    """After commit, a `send_one` task per notification (a broker failure is logged, not raised)."""
    from .tasks import send_one

    for notification_id in notification_ids:
        send_one.delay_on_commit(notification_id)


def enqueue_send_pending():
    from .tasks import send_pending as send_pending_task

    send_pending_task.delay_on_commit()
