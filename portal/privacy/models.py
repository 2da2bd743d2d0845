"""The duties of UU 27/2022 on personal data protection: the breach register and the record of
what the retention policy removed.

A `Breach` is a suspected or confirmed failure of protection: what data, whose, since when and
how it was found. Art. 46 gives 3 x 24 hours from discovery to notify the people affected and the
authority in writing; the deadline is derived (`discovered_at` + 72 h), never stored. The notice
is drafted from the record in Indonesian (`services.breach_notice_draft`) and may be edited
before it is sent; the times each notification went out are recorded, and the ministry admins
are reminded daily until both have.

A `RetentionRun` is one run of `manage.py apply_retention` (also a dry run): when, by whom, and
how many rows each policy anonymised or deleted.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTIFY_WITHIN = timedelta(hours=72)


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity (name, NIK, family card)")
    CONTACT = "contact", _("Contact details (phone, email, address)")
    CRIMINAL_RECORD = "criminal_record", _("Criminal records")
    HEALTH = "health", _("Health (medical and psychological results)")
    TRAFFICKING = "trafficking", _("Trafficking-victim status and cases")
    CHILDREN = "children", _("Children's data")
    FINANCIAL = "financial", _("Financial data (deciles, social assistance)")
    DOCUMENTS = "documents", _("Personal documents")
    BIOMETRIC = "biometric", _("Biometric data")
    ACCOUNT = "account", _("Login accounts")


# The notice is a letter to the people affected, in Indonesian whatever the interface language.
CATEGORY_NOTICE_ID = {
    DataCategory.IDENTITY: "identitas (nama, NIK, nomor kartu keluarga)",
    DataCategory.CONTACT: "data kontak (nomor telepon, email, alamat)",
    DataCategory.CRIMINAL_RECORD: "catatan kejahatan",
    DataCategory.HEALTH: "data kesehatan (hasil pemeriksaan medis dan psikologis)",
    DataCategory.TRAFFICKING: "status korban perdagangan orang dan data kasus",
    DataCategory.CHILDREN: "data anak",
    DataCategory.FINANCIAL: "data keuangan (desil, bantuan sosial)",
    DataCategory.DOCUMENTS: "dokumen pribadi",
    DataCategory.BIOMETRIC: "data biometrik",
    DataCategory.ACCOUNT: "akun masuk portal",
}


class BreachQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ministry admins only: the register names people and weaknesses."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_admin:
            return self
        return self.none()

    def awaiting_notification(self):
        """Breaches not closed as unfounded whose people or authority are still to be told."""
        return self.exclude(status=Breach.Status.UNFOUNDED).filter(
            Q(people_notified_at__isnull=True) | Q(authority_notified_at__isnull=True)
        )


class Breach(models.Model):
    """A suspected breach of personal data protection and its notifications (UU 27/2022 art. 46)."""

    class Status(models.TextChoices):
        SUSPECTED = "suspected", _("Suspected")
        CONFIRMED = "confirmed", _("Confirmed")
        UNFOUNDED = "unfounded", _("Unfounded (no breach)")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUSPECTED
    )
    data_categories = models.JSONField(
        _("data concerned"), default=list, help_text=_("Which kinds of personal data.")
    )
    description = models.TextField(_("what happened"))
    participants = models.ManyToManyField(
        "participants.Participant",
        blank=True,
        related_name="breaches",
        verbose_name=_("participants affected"),
    )
    affected_count = models.PositiveIntegerField(
        _("number of people affected"),
        null=True,
        blank=True,
        help_text=_("Estimate when not every person is known; else the people listed count."),
    )
    affected_description = models.TextField(
        _("who is affected"), blank=True, help_text=_("E.g. all students of one school.")
    )
    occurred_since = models.DateTimeField(_("since when"), null=True, blank=True)
    how_found = models.TextField(_("how it was found"))
    discovered_at = models.DateTimeField(_("discovered at"), default=timezone.now)
    measures = models.TextField(
        _("measures taken"), blank=True, help_text=_("What was done to contain and recover.")
    )
    contact = models.CharField(
        _("contact for the people affected"),
        max_length=200,
        blank=True,
        help_text=_("Who answers their questions (name, phone or email)."),
    )
    notice_subject = models.CharField(_("notice subject"), max_length=300, blank=True)
    notice_body = models.TextField(
        _("notice"), blank=True, help_text=_("Drafted from the record in Indonesian; edit freely.")
    )
    people_notified_at = models.DateTimeField(
        _("people affected notified at"), null=True, blank=True
    )
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["-discovered_at", "-pk"]
        verbose_name = _("data breach")
        verbose_name_plural = _("data breaches")
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_since__isnull=True)
                | Q(occurred_since__lte=models.F("discovered_at")),
                name="breach_occurred_before_discovery",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def deadline(self):
        """3 x 24 hours after discovery: notify the people affected and the authority by then."""
        return self.discovered_at + NOTIFY_WITHIN

    def time_left(self, now=None):
        """The time until the deadline (negative once it has passed)."""
        return self.deadline - (now or timezone.now())

    @property
    def notified(self):
        return self.people_notified_at is not None and self.authority_notified_at is not None

    @property
    def people_count(self):
        """The people affected: the estimate when given, else the people listed."""
        if self.affected_count is not None:
            return self.affected_count
        return self.participants.count() if self.pk else 0

    def get_data_categories_display(self):
        return ", ".join(
            str(DataCategory(code).label) for code in self.data_categories if code in DataCategory
        )


class RetentionRun(models.Model):
    """One application of the retention policy: who ran it, when, and what each policy did."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    by_label = models.CharField(
        _("run from"), max_length=200, blank=True, help_text=_("E.g. the command line or beat.")
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    cutoffs = models.JSONField(_("cut-off dates"), default=dict, blank=True)
    counts = models.JSONField(_("rows per record type"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        kind = _("dry run") if self.dry_run else _("run")
        return f"{kind} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def total(self):
        return sum(self.counts.values())
