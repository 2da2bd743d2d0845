"""Training delivery: tracks and modules, batches at venues, sessions, enrolments, attendance,
assessments, certificates and welder qualifications."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Participant, Participation


class LanguageLevel(models.TextChoices):
    """CEFR levels; results such as JFT-Basic (A2), EPS-TOPIK or Goethe B1 map onto them."""

    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"

    @classmethod
    def at_least(cls, level):
        """The levels equal to or above `level`."""
        return cls.values[cls.values.index(level) :]


class Track(models.Model):
    """What is taught, to which target, and what completing it takes."""

    class Kind(models.TextChoices):
        WELDING = "welding", _("Welding")
        LANGUAGE = "language", _("Language")
        CHARACTER = "character", _("Character building")
        VOCATIONAL = "vocational", _("Vocational skills")
        MIGRANT_CURRICULUM = "migrant_curriculum", _("Migrant curriculum")

    class Language(models.TextChoices):
        JAPANESE = "ja", _("Japanese")
        KOREAN = "ko", _("Korean")
        ENGLISH = "en", _("English")
        ARABIC = "ar", _("Arabic")
        GERMAN = "de", _("German")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    target_certification = models.CharField(
        _("target certification"), max_length=100, blank=True, help_text=_("e.g. JFT-Basic A2")
    )
    language_level = models.CharField(
        _("language level attested"),
        max_length=2,
        choices=LanguageLevel.choices,
        blank=True,
        help_text=_("The CEFR level a certificate of this track attests (language tracks)."),
    )
    target_hours = models.PositiveIntegerField(_("target hours"), default=0)
    min_attendance_share = models.DecimalField(
        _("minimum attendance share"),
        max_digits=3,
        decimal_places=2,
        default=0.8,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=5,
        decimal_places=2,
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_share__gte=0, min_attendance_share__lte=1),
                name="track_attendance_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(min_score__gte=0, min_score__lte=100), name="track_min_score_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(kind="language") | ~Q(language=""),
                name="language_track_has_language",
            ),
        ]

    def __str__(self):
        return self.name


class Module(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)

    class Meta:
        ordering = ["track", "order"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["track", "order"], name="module_order_unique")
        ]

    def __str__(self):
        return f"{self.track}: {self.title}"


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ministry staff and analysts: all; partner staff: the batches their organisation provides
        or that run for a programme under an active agreement they are party to."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_ministry_staff or user.is_analyst:
            return self
        membership = getattr(user, "membership", None)
        if user.is_partner_staff and membership:
            return self.filter(provider_id=membership.organisation_id)
        if user.is_participant:
            return self.filter(enrolments__participant__user=user).distinct()
        return self.none()


class Batch(models.Model):
    """A class running a track for a programme at a venue, in the venue's time zone."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.PLANNED: {Status.RUNNING, Status.CANCELLED},
        Status.RUNNING: {Status.FINISHED, Status.CANCELLED},
        Status.FINISHED: set(),
        Status.CANCELLED: set(),
    }

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="batches")
    programme = models.ForeignKey(
        "partners.Programme", on_delete=models.PROTECT, related_name="batches"
    )
    provider = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="provided_batches",
        verbose_name=_("provider"),
    )
    venue = models.CharField(_("venue"), max_length=200)
    venue_regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("venue regency or city"),
    )
    timezone = models.CharField(
        _("venue time zone"),
        max_length=40,
        default="Asia/Jakarta",
        help_text=_("Sessions show in this zone (Bali is Asia/Makassar, WITA)."),
    )
    instructors = models.CharField(_("instructors"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="batch_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="batch_capacity_positive"),
        ]

    def __str__(self):
        return self.name


class Session(models.Model):
    """One class meeting; stored in UTC, shown in the batch's venue time zone."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="sessions")
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["batch", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.batch} – {self.local_start:%Y-%m-%d %H:%M %Z}"

    @property
    def local_start(self):
        from zoneinfo import ZoneInfo

        return timezone.localtime(self.starts_at, ZoneInfo(self.batch.timezone))

    @property
    def hours(self):
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_partner_staff:
            return self.filter(batch__in=Batch.objects.visible_to(user))
        return self.filter(participant__in=Participant.objects.visible_to(user))

    def shown_by_name_to(self, user):
        """The enrolments whose person `user` may see by name: as `visible_to`, but partner staff
        get only the people shared with their organisation (exports and the API; the batch pages
        show the others as withheld)."""
        rows = self.visible_to(user)
        if getattr(user, "is_partner_staff", False):
            membership = getattr(user, "membership", None)
            if membership is None:
                return rows.none()
            rows = rows.filter(shared_enrolment_filter(membership.organisation_id))
        return rows

    def with_progress(self):
        """Annotate attendance counts, hours, the latest score and the completion rule.

        All computed by the database for the whole list: a constant number of queries.
        """
        sessions_held = (
            Session.objects.filter(batch=OuterRef("batch_id"), starts_at__lte=timezone.now())
            .order_by()
            .values("batch")
            .annotate(n=Count("pk"))
            .values("n")
        )
        attended = Q(attendances__status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
        latest_score = (
            AssessmentResult.objects.filter(enrolment=OuterRef("pk"))
            .order_by("-assessed_on", "-pk")
            .values("score")[:1]
        )
        return self.annotate(
            sessions_held=models.functions.Coalesce(Subquery(sessions_held), 0),
            sessions_attended=Count("attendances", filter=attended, distinct=True),
            time_attended=models.Sum(
                F("attendances__session__ends_at") - F("attendances__session__starts_at"),
                filter=attended,
                output_field=models.DurationField(),
            ),
            latest_score=Subquery(latest_score),
        ).annotate(
            # None while no session was held yet.
            attendance_share=models.ExpressionWrapper(
                Cast("sessions_attended", models.FloatField())
                / NullIf(Cast("sessions_held", models.FloatField()), 0.0),
                output_field=models.FloatField(),
            ),
            # The rule of `training.services.completion_status`, in SQL (no division).
            completion_met=models.Case(
                models.When(
                    Q(latest_score__isnull=False)
                    & Q(latest_score__gte=F("batch__track__min_score"))
                    & Q(
                        sessions_attended__gte=F("batch__track__min_attendance_share")
                        * F("sessions_held")
                    ),
                    then=models.Value(True),
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            ),
        )


class Enrolment(models.Model):
    """A participant in a batch."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ENROLLED = "enrolled", _("Enrolled")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.APPLIED, Status.ENROLLED, Status.ACTIVE)
    TRANSITIONS = {
        Status.APPLIED: {Status.ENROLLED, Status.WITHDRAWN},
        Status.ENROLLED: {Status.ACTIVE, Status.WITHDRAWN},
        Status.ACTIVE: {Status.COMPLETED, Status.FAILED, Status.WITHDRAWN},
        Status.COMPLETED: set(),
        Status.FAILED: set(),
        Status.WITHDRAWN: set(),
    }

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="enrolments"
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    enrolled_on = models.DateField(_("enrolled on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "participant"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "batch"],
                condition=Q(status__in=["applied", "enrolled", "active"]),
                name="one_open_enrolment_per_batch",
            )
        ]

    def __str__(self):
        return f"{self.participant} – {self.batch}"


def shared_enrolment_filter(organisation_id):
    """Enrolments whose person may be shown by name to the organisation's staff."""
    return Exists(
        Participation.objects.shared_with(organisation_id).filter(
            participant=OuterRef("participant_id")
        )
    )


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["session", "enrolment"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="one_attendance_per_session"
            )
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.get_status_display()}"


class AssessmentResult(models.Model):
    class Kind(models.TextChoices):
        WRITTEN = "written", _("Written test")
        PRACTICAL = "practical", _("Practical test")
        ORAL = "oral", _("Oral test")
        FINAL = "final", _("Final assessment")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    assessed_on = models.DateField(_("date"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["enrolment", "-assessed_on"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="score_between_0_and_100"
            )
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.score}"


def new_verification_code():
    return secrets.token_urlsafe(9)


class WelderQualification(models.Model):
    """A welder qualification as a structured record (ISO 9606-1, AWS D1.1, ASME IX, BNSP)."""

    class Standard(models.TextChoices):
        ISO_9606_1 = "iso_9606_1", "ISO 9606-1"
        AWS_D1_1 = "aws_d1_1", "AWS D1.1"
        ASME_IX = "asme_ix", "ASME IX"
        BNSP = "bnsp", _("BNSP (SKKNI)")

    class Process(models.TextChoices):
        SMAW = "SMAW", "SMAW"
        GMAW = "GMAW", "GMAW (MIG/MAG)"
        FCAW = "FCAW", "FCAW"
        GTAW = "GTAW", "GTAW (TIG)"
        SAW = "SAW", "SAW"

    class Form(models.TextChoices):
        PLATE = "plate", _("Plate")
        PIPE = "pipe", _("Pipe")

    standard = models.CharField(_("standard"), max_length=12, choices=Standard.choices)
    process = models.CharField(_("process"), max_length=5, choices=Process.choices)
    positions = models.CharField(
        _("positions"), max_length=50, help_text=_("e.g. 3G, 4G or 6G; fillet 1F-4F")
    )
    form = models.CharField(_("plate or pipe"), max_length=5, choices=Form.choices)
    thickness_min_mm = models.DecimalField(
        _("thickness from (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    thickness_max_mm = models.DecimalField(
        _("thickness to (mm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    issuer = models.CharField(_("issuer"), max_length=200)
    certificate_number = models.CharField(_("certificate number"), max_length=100)
    test_date = models.DateField(_("test date"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["-test_date"]
        verbose_name = _("welder qualification")
        verbose_name_plural = _("welder qualifications")

    def __str__(self):
        return f"{self.get_standard_display()} {self.process} {self.positions}"


class Certificate(models.Model):
    """Issued on completion; its public code verifies it without revealing personal data."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("number"), max_length=100, unique=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    verification_code = models.CharField(
        _("verification code"), max_length=20, unique=True, default=new_verification_code
    )
    welder_qualification = models.OneToOneField(
        WelderQualification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="certificate_expires_after_issue",
            )
        ]

    def __str__(self):
        return self.number
