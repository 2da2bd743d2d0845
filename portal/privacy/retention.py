"""The retention policy: how long each kind of record keeps personal data, and what happens then.

Each `Policy` names a record type, the setting that holds its period (PORTAL_RETENTION_*), and
its action: rows that statistics need are anonymised (the person's identity and specific
personal data replaced, category, province, birth year and dates of the programme kept); rows
no statistic needs are deleted; export and import files are deleted while their run stays as
the record. `apply_retention()` runs every policy (or only counts, for a dry run) and records a
`RetentionRun`. A policy selects only rows it has not treated yet, so a second run changes
nothing more.

Updates go through `QuerySet.update()` so that the audit log does not copy the old values into
new change entries; the existing entries about an anonymised person keep who did what and
when, but lose the values and the name.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, LPad, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import (
    Consent,
    DataWarning,
    FormerPrisonerProfile,
    ImportRun,
    Participant,
    Participation,
    PendingChange,
    PersonalDocument,
    ReturningWorkerProfile,
    StudentProfile,
)
from placements.models import FINAL, Case, CaseUpdate, Placement, Referral, ServiceDelivery
from portal.accounts.models import User
from portal.api.models import ApiRequestLog
from portal.exports.models import ExportRun
from portal.notifications.models import Notification

from .models import RetentionRun

ANONYMISED = "[anonim]"
# No real NIK starts with 00 (province codes run 11-96): the placeholder keeps NIKs unique and
# 16 digits (the database's check constraint) and marks the row as treated.
ANONYMOUS_NIK_PREFIX = "00"
CHUNK = 1000


@dataclass(frozen=True)
class Policy:
    """One record type's retention: `find(cutoff)` selects the rows due (not yet treated),
    `apply(queryset)` treats them and returns how many."""

    code: str
    label: Any
    setting: str
    unit: str  # "years" or "days"
    action: str  # "anonymise", "delete" or "delete files"
    keeps: Any
    find: Any
    apply: Any

    @property
    def period(self):
        return getattr(settings, self.setting)

    def cutoff(self, now):
        """The moment before which rows are due (at the start of the day in Asia/Jakarta)."""
        today = timezone.localtime(now).date()
        if self.unit == "years":
            day = _years_before(today, self.period)
        else:
            day = today - dt.timedelta(days=self.period)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _chunks(queryset):
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _scrub_audit(model, pks):
    """Drop the values and the name from the audit entries about these rows; who and when stay."""
    if not pks:
        return
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_pk__in=[str(pk) for pk in pks],
    ).update(object_repr=ANONYMISED, changes=None, changes_text="", serialized_data=None)


# -- closed cases ------------------------------------------------------------------------------


def _closed_cases(cutoff):
    return Case.objects.filter(
        status=Case.Status.CLOSED, closed_on__lt=timezone.localtime(cutoff).date()
    ).exclude(summary=ANONYMISED)


def _anonymise_cases(queryset):
    done = 0
    for ids in _chunks(queryset):
        CaseUpdate.objects.filter(case__in=ids).update(note="")
        Referral.objects.filter(case__in=ids).update(
            reason=ANONYMISED, answer="", services_given=""
        )
        ServiceDelivery.objects.filter(case__in=ids).update(description="", exception_reason="")
        done += Case.objects.filter(pk__in=ids).update(
            summary=ANONYMISED, assessment="", service_plan=""
        )
        _scrub_audit(Case, ids)
    return done


# -- withdrawn and inactive participants -------------------------------------------------------


def _inactive_participants(cutoff):
    """Withdrawn or inactive people untouched since the cut-off, with no open case and no
    placement still running."""
    open_cases = Case.objects.open().filter(participant=OuterRef("pk"))
    running = Placement.objects.exclude(phase__in=FINAL).filter(participant=OuterRef("pk"))
    return (
        Participant.objects.filter(
            status__in=[Participant.Status.WITHDRAWN, Participant.Status.INACTIVE],
            updated_at__lt=cutoff,
        )
        .exclude(nik__startswith=ANONYMOUS_NIK_PREFIX)
        .filter(~Exists(open_cases), ~Exists(running))
    )


def _anonymise_participants(queryset):
    done = 0
    for ids in _chunks(queryset):
        accounts = list(User.objects.filter(participant__in=ids).values_list("pk", flat=True))
        User.objects.filter(pk__in=accounts).update(
            username=Concat(Value("anonim-"), Cast("id", CharField())),
            first_name="",
            last_name="",
            email="",
            phone="",
            is_active=False,
            password=make_password(None),
        )
        _scrub_audit(User, accounts)
        FormerPrisonerProfile.objects.filter(participant__in=ids).update(
            facility=None,
            release_type="",
            release_date=None,
            supervision_end_date=None,
            sentence_months=None,
            offence_category="",
            notes="",
        )
        ReturningWorkerProfile.objects.filter(participant__in=ids).update(
            is_trafficking_victim=False, trafficking_notes="", return_reason=""
        )
        StudentProfile.objects.filter(participant__in=ids).update(
            guardian_name="", guardian_phone=""
        )
        Consent.objects.filter(participant__in=ids, given_by=Consent.GivenBy.GUARDIAN).update(
            guardian_name=ANONYMISED
        )
        documents = PersonalDocument.objects.filter(participant__in=ids)
        for document in documents.exclude(file=""):
            document.file.delete(save=False)
        document_ids = list(documents.values_list("pk", flat=True))
        documents.delete()
        DataWarning.objects.filter(participant__in=ids).delete()
        PendingChange.objects.filter(participant__in=ids).delete()
        related = {
            model: list(model.objects.filter(participant__in=ids).values_list("pk", flat=True))
            for model in (
                FormerPrisonerProfile,
                ReturningWorkerProfile,
                StudentProfile,
                Consent,
                Participation,
            )
        }
        done += Participant.objects.filter(pk__in=ids).update(
            nik=Concat(
                Value(ANONYMOUS_NIK_PREFIX),
                LPad(Cast("id", CharField()), 14, Value("0")),
                output_field=CharField(),
            ),
            full_name=ANONYMISED,
            kk_number="",
            birth_date=TruncYear("birth_date", output_field=models.DateField()),
            birth_place="",
            phone="",
            phone_is_guardian=False,
            second_phone="",
            email="",
            address="",
            regency=None,
            siskop2mi_id="",
            restricted_notes="",
            user=None,
        )
        _scrub_audit(Participant, ids)
        _scrub_audit(PersonalDocument, document_ids)
        for model, pks in related.items():
            _scrub_audit(model, pks)
        _scrub_audit(
            Case, list(Case.objects.filter(participant__in=ids).values_list("pk", flat=True))
        )
    return done


# -- files and logs ------------------------------------------------------------------------------


def _export_files(cutoff):
    return ExportRun.objects.filter(created_at__lt=cutoff).exclude(file="")


def _delete_export_files(queryset):
    done = 0
    for run in queryset.only("pk", "file"):
        run.file.delete(save=False)
        done += ExportRun.objects.filter(pk=run.pk).update(file="")
    return done


def _import_files(cutoff):
    return ImportRun.objects.filter(created_at__lt=cutoff).exclude(result_file="")


def _delete_import_files(queryset):
    done = 0
    for run in queryset.only("pk", "result_file"):
        run.result_file.delete(save=False)
        done += ImportRun.objects.filter(pk=run.pk).update(result_file="")
    return done


def _api_requests(cutoff):
    return ApiRequestLog.objects.filter(at__lt=cutoff)


def _notifications(cutoff):
    return Notification.objects.filter(
        created_at__lt=cutoff,
        status__in=[Notification.Status.SENT, Notification.Status.FAILED],
    )


def _delete(queryset):
    return queryset.delete()[0]


POLICIES = (
    Policy(
        code="closed_cases",
        label=_("Closed cases"),
        setting="PORTAL_RETENTION_CLOSED_CASE_YEARS",
        unit="years",
        action="anonymise",
        keeps=_("type, severity, status and dates; summary, assessment, plan and notes removed"),
        find=_closed_cases,
        apply=_anonymise_cases,
    ),
    Policy(
        code="inactive_participants",
        label=_("Withdrawn or inactive participants"),
        setting="PORTAL_RETENTION_INACTIVE_PARTICIPANT_YEARS",
        unit="years",
        action="anonymise",
        keeps=_(
            "categories, province, sex, birth year, status and programme history; name, NIK, "
            "contacts, restricted fields and documents removed, login account closed"
        ),
        find=_inactive_participants,
        apply=_anonymise_participants,
    ),
    Policy(
        code="export_files",
        label=_("Export files"),
        setting="PORTAL_RETENTION_EXPORT_FILE_DAYS",
        unit="days",
        action="delete files",
        keeps=_("the export's record (who, when, what, for whom, SHA-256, people included)"),
        find=_export_files,
        apply=_delete_export_files,
    ),
    Policy(
        code="import_reports",
        label=_("Import report files"),
        setting="PORTAL_RETENTION_IMPORT_FILE_DAYS",
        unit="days",
        action="delete files",
        keeps=_("the import's record and counts"),
        find=_import_files,
        apply=_delete_import_files,
    ),
    Policy(
        code="api_requests",
        label=_("API request logs"),
        setting="PORTAL_RETENTION_API_LOG_DAYS",
        unit="days",
        action="delete",
        keeps=_("nothing"),
        find=_api_requests,
        apply=_delete,
    ),
    Policy(
        code="notifications",
        label=_("Sent notifications"),
        setting="PORTAL_RETENTION_NOTIFICATION_DAYS",
        unit="days",
        action="delete",
        keeps=_("nothing (pending notifications are kept)"),
        find=_notifications,
        apply=_delete,
    ),
)


def apply_retention(*, dry_run, actor=None, by_label="", now=None, policies=POLICIES):
    """Apply every policy (a dry run only counts) and record the run; returns the RetentionRun."""
    now = now or timezone.now()
    counts, cutoffs = {}, {}
    for policy in policies:
        cutoff = policy.cutoff(now)
        cutoffs[policy.code] = cutoff.isoformat()
        due = policy.find(cutoff)
        if dry_run:
            counts[policy.code] = due.count()
        else:
            with transaction.atomic():
                counts[policy.code] = policy.apply(due)
    return RetentionRun.objects.create(
        started_at=now,
        finished_at=timezone.now(),
        by=actor if getattr(actor, "pk", None) else None,
        by_label=by_label[:200],
        dry_run=dry_run,
        cutoffs=cutoffs,
        counts=counts,
    )
