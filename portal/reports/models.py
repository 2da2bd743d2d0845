"""Report runs (one per kind, period and partner, with the workbook kept in private storage) and
the ministry staff's subscriptions to them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


def report_upload_to(instance, filename):
    """Under MEDIA_ROOT/reports/ (no URL serves it: only the access-checked download view)."""
    return f"reports/{instance.kind}/{instance.period}/{secrets.token_hex(8)}-{filename}"


class ReportRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ministry staff: every run; partner staff: their organisation's; others: none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff:
            return self
        membership = getattr(user, "membership", None)
        if user.is_partner_staff and membership is not None:
            return self.filter(partner_id=membership.organisation_id)
        return self.none()


class ReportRun(models.Model):
    """A programme report for one period: national (no partner) or one partner's.

    The unique constraints make a rerun find the same row, so a period never has two reports.
    """

    Kind = Kind

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.CharField(
        _("period"), max_length=10, help_text=_("An ISO week (2026-W47) or a month (2026-11).")
    )
    partner = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("partner"),
        help_text=_("Empty for the national report."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True, max_length=255)
    figures = models.JSONField(_("summary figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"],
                condition=Q(partner__isnull=True),
                name="one_national_report_per_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "period", "partner"],
                condition=Q(partner__isnull=False),
                name="one_partner_report_per_period",
            ),
        ]

    def __str__(self):
        scope = self.partner.name if self.partner_id else _("national")
        return f"{self.get_kind_display()} {self.period} – {scope}"


class ReportSubscription(models.Model):
    """A ministry staff member who receives each report of a kind by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_subscription_per_kind")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"
