"""Exports: one record per spreadsheet handed out, and the people it contained.

An `ExportRun` says who exported which lists, with which filters and protections (NIKs masked,
restricted fields left out, pseudonymised), how many rows, the SHA-256 of the file and, for an
exchange with another organisation, the agreement that allows it, the recipient and the purpose
(the data-exchange log). `ExportedPerson` rows answer "which exports included this person".
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_pseudonym_key():
    return secrets.token_hex(16)


def export_file_upload_to(instance, filename):
    return f"exports/{instance.pk or 'new'}/{secrets.token_hex(16)}-{filename}"


class Format(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ministry admins see every export; everyone else only their own."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_admin:
            return self
        return self.filter(user=user)

    def exchanges(self):
        return self.filter(recipient__isnull=False)

    def exchanges_visible_to(self, user):
        """The data-exchange log: ministry staff only (officers limited to provinces too: the log
        names no person)."""
        if not getattr(user, "is_authenticated", False) or not user.is_ministry_staff:
            return self.none()
        return self.exchanges()


class ExportRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_runs",
        verbose_name=_("user"),
    )
    datasets = models.JSONField(_("lists"), default=list)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    pseudonymised = models.BooleanField(_("pseudonymised"), default=False)
    nik_masked = models.BooleanField(_("NIK masked"), default=True)
    restricted_included = models.BooleanField(_("restricted fields included"), default=False)
    subject = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_data_exports",
        verbose_name=_("own-data download of"),
        help_text=_("Set when a participant downloads their own data."),
    )
    recipient = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_received",
        verbose_name=_("recipient"),
    )
    agreement = models.ForeignKey(
        "partners.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges",
        verbose_name=_("agreement"),
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    rows_total = models.PositiveBigIntegerField(_("rows expected"), null=True, blank=True)
    rows_done = models.PositiveBigIntegerField(_("rows written"), default=0)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    excluded_count = models.PositiveBigIntegerField(
        _("rows left out (consent withdrawn)"), default=0
    )
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to=export_file_upload_to, blank=True, max_length=200)
    expires_at = models.DateTimeField(_("download expires at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    pseudonym_key = models.CharField(max_length=32, default=new_pseudonym_key, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ExportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=True) | (Q(agreement__isnull=False) & ~Q(purpose="")),
                name="exchange_names_agreement_and_purpose",
            ),
            models.CheckConstraint(
                condition=Q(subject__isnull=True) | Q(recipient__isnull=True),
                name="own_data_download_is_no_exchange",
            ),
        ]

    def __str__(self):
        lists = ", ".join(self.datasets)
        return f"{lists} ({self.get_format_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_exchange(self):
        return self.recipient_id is not None

    @property
    def download_available(self):
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def progress_percent(self):
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ExportedPerson(models.Model):
    """A person whose data an export contained (one row per person and export, or per chunk)."""

    run = models.ForeignKey(ExportRun, on_delete=models.CASCADE, related_name="people")
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        related_name="exports",
    )

    class Meta:
        verbose_name = _("exported person")
        verbose_name_plural = _("exported people")

    def __str__(self):
        return f"{self.run_id}: {self.participant_id}"
