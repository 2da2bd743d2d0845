"""Audit records beyond the automatic create/update/delete log: reads, exports, overrides.

Every record is a django-auditlog LogEntry, so one table answers "who changed or looked at
this person's record". Reads of restricted data and file downloads use the ACCESS action with
`additional_data["event"]` naming what happened.
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType


class Event:
    VIEW_RESTRICTED = "view_restricted"
    DOWNLOAD = "download"
    EXPORT = "export"
    IMPORT = "import"
    OVERRIDE = "override"
    LOGIN = "login"


def audit_event(*, actor, obj, event, data=None, action=LogEntry.Action.ACCESS):
    """Record that `actor` did `event` on `obj` (a model instance), with JSON-safe `data`."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        changes=None,
        additional_data={"event": event, **(data or {})},
    )


def audit_restricted_read(*, actor, obj, fields):
    """Record that `actor` was shown the restricted `fields` of `obj`."""
    return audit_event(
        actor=actor, obj=obj, event=Event.VIEW_RESTRICTED, data={"fields": sorted(fields)}
    )


def entries_for(obj):
    """Every audit entry about `obj`, newest first, with the actor loaded."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).select_related("actor")


def readers_of(obj):
    """Audit entries that record a read of `obj`'s restricted data or a download of its files."""
    return entries_for(obj).filter(action=LogEntry.Action.ACCESS)
