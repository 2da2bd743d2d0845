"""The participant registry: one record per person, with profiles, consents and documents.

Restricted fields (specific personal data under UU 27/2022 art. 4) are listed per model in
`RESTRICTED_FIELDS`: they are shown only to users with `participants.view_restricted` (and to
the person themself), masked in the audit log, and every display of them is audited.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .normalise import age_on, eighteenth_birthday

NIK_VALIDATOR = RegexValidator(r"^\d{16}$", _("A NIK has exactly 16 digits."))


class Category(models.TextChoices):
    FORMER_PRISONER = "former_prisoner", _("Former prisoner")
    SR_STUDENT = "sr_student", _("Sekolah Rakyat student")
    RETURNING_WORKER = "returning_worker", _("Returning migrant worker")


CATEGORY_FIELDS = {
    Category.FORMER_PRISONER: "is_former_prisoner",
    Category.SR_STUDENT: "is_sr_student",
    Category.RETURNING_WORKER: "is_returning_worker",
}


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The participants `user` may see (model.md, "Who sees what")."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff:
            if user.province_codes:
                return self.filter(province_id__in=user.province_codes)
            return self
        if user.is_participant:
            return self.filter(user=user)
        if user.is_analyst:
            return self
        if user.is_partner_staff:
            return self.shared_with_organisation_of(user)
        return self.none()

    def shared_with_organisation_of(self, user):
        """Partner staff: through a participation of their organisation (see Participation)."""
        membership = getattr(user, "membership", None)
        if membership is None:
            return self.none()
        return self.filter(
            Exists(
                Participation.objects.shared_with(membership.organisation_id).filter(
                    participant=OuterRef("pk")
                )
            )
        )

    def in_category(self, code):
        return self.filter(**{CATEGORY_FIELDS[Category(code)]: True})


class Participant(models.Model):
    """A person served by the programmes; one record per NIK for life."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Education(models.TextChoices):
        NONE = "none", _("No schooling")
        SD = "sd", _("Primary (SD)")
        SMP = "smp", _("Junior secondary (SMP)")
        SMA = "sma", _("Senior secondary (SMA/SMK)")
        DIPLOMA = "diploma", _("Diploma")
        BACHELOR = "bachelor", _("Bachelor or higher")

    RESTRICTED_FIELDS = ("restricted_notes",)

    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[NIK_VALIDATOR])
    kk_number = models.CharField(
        _("family card (KK) number"), max_length=16, blank=True, db_index=True
    )
    full_name = models.CharField(_("full name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=100, blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    phone_is_guardian = models.BooleanField(
        _("phone belongs to a guardian or parent"), default=False
    )
    second_phone = models.CharField(_("second phone (E.164)"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regency or city of domicile"),
    )
    province = models.ForeignKey(
        "regions.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province of domicile"),
    )
    education_level = models.CharField(
        _("education level"), max_length=10, choices=Education.choices, blank=True
    )
    is_former_prisoner = models.BooleanField(_("former prisoner"), default=False)
    is_sr_student = models.BooleanField(_("Sekolah Rakyat student"), default=False)
    is_returning_worker = models.BooleanField(_("returning migrant worker"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    siskop2mi_id = models.CharField(_("SISKOP2MI ID"), max_length=50, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer_of_participants",
        verbose_name=_("responsible ministry officer"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant",
        verbose_name=_("login account"),
    )
    restricted_notes = models.TextField(
        _("restricted notes"),
        blank=True,
        help_text=_("Sensitive remarks that fit no field, and unknown columns from imports."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        permissions = [
            ("view_restricted", _("Can view restricted (specific personal) data")),
            ("view_nik", _("Can view full NIKs")),
            ("import_participants", _("Can import participant sheets")),
            ("export_participants", _("Can export participant data")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nik__regex=r"^[0-9]{16}$"), name="nik_16_digits"),
            models.CheckConstraint(
                condition=Q(kk_number="") | Q(kk_number__regex=r"^[0-9]{16}$"),
                name="kk_16_digits_or_empty",
            ),
        ]
        indexes = [models.Index(fields=["province", "status"], name="participant_prov_status")]

    def __str__(self):
        return self.full_name

    @property
    def categories(self):
        return [code for code, field in CATEGORY_FIELDS.items() if getattr(self, field)]

    def get_categories_display(self):
        return ", ".join(str(Category(code).label) for code in self.categories)

    def age(self, on=None):
        if not self.birth_date:
            return None
        return age_on(self.birth_date, on or timezone.localdate())

    def is_minor(self, on=None):
        age = self.age(on)
        return age is not None and age < 18

    def placement_not_before(self, on=None):
        """(date, reason) of the latest block on departure, or None: 18th birthday, parole."""
        on = on or timezone.localdate()
        blocks = []
        if self.birth_date and eighteenth_birthday(self.birth_date) > on:
            blocks.append((eighteenth_birthday(self.birth_date), _("turns 18")))
        profile = getattr(self, "former_prisoner_profile", None) if self.pk else None
        if profile and profile.supervision_end_date and profile.supervision_end_date > on:
            blocks.append((profile.supervision_end_date, _("end of parole supervision (Bapas)")))
        return max(blocks, key=lambda block: block[0]) if blocks else None


class FormerPrisonerProfile(models.Model):
    """Corrections history; every field is restricted."""

    class ReleaseType(models.TextChoices):
        FREE = "free", _("Free (bebas murni)")
        PAROLE = "parole", _("Parole (pembebasan bersyarat)")
        CONDITIONAL_LEAVE = "conditional_leave", _("Conditional leave (cuti bersyarat)")
        LEAVE_BEFORE_RELEASE = "leave_before_release", _("Leave before release (CMB)")

    class Offence(models.TextChoices):
        DRUG = "drug", _("Drug offence")
        OTHER = "other", _("Other offence")

    RESTRICTED_FIELDS = (
        "facility",
        "release_type",
        "release_date",
        "supervision_end_date",
        "sentence_months",
        "offence_category",
        "notes",
    )

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="former_prisoner_profile"
    )
    facility = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "corrections_facility"},
        verbose_name=_("corrections facility"),
    )
    release_type = models.CharField(
        _("release type"), max_length=25, choices=ReleaseType.choices, blank=True
    )
    release_date = models.DateField(_("release date"), null=True, blank=True)
    supervision_end_date = models.DateField(
        _("supervision end date"),
        null=True,
        blank=True,
        help_text=_("From the parole decree; no departure abroad before this date."),
    )
    sentence_months = models.PositiveIntegerField(_("sentence (months)"), null=True, blank=True)
    offence_category = models.CharField(
        _("offence category"), max_length=10, choices=Offence.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("former prisoner profile")
        verbose_name_plural = _("former prisoner profiles")

    def __str__(self):
        return str(self.participant)


class StudentProfile(models.Model):
    """A Sekolah Rakyat student: a child, with a guardian who consents."""

    class Level(models.TextChoices):
        SMP = "smp", _("Junior secondary (SMP)")
        SMA = "sma", _("Senior secondary (SMA)")

    RESTRICTED_FIELDS = ()

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="student_profile"
    )
    school = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "sekolah_rakyat"},
        verbose_name=_("Sekolah Rakyat"),
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, validators=[MinValueValidator(7), MaxValueValidator(12)]
    )
    expected_graduation_year = models.PositiveSmallIntegerField(
        _("expected graduation year"), null=True, blank=True
    )
    guardian_name = models.CharField(_("guardian name"), max_length=200, blank=True)
    guardian_phone = models.CharField(_("guardian phone (E.164)"), max_length=20, blank=True)
    guardian_consent = models.BooleanField(_("guardian consent"), default=False)

    class Meta:
        verbose_name = _("Sekolah Rakyat student profile")
        verbose_name_plural = _("Sekolah Rakyat student profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=7, grade__lte=12),
                name="student_grade_7_to_12",
            )
        ]

    def __str__(self):
        return str(self.participant)


class ReturningWorkerProfile(models.Model):
    """A returning (purna) migrant worker; trafficking status is restricted."""

    RESTRICTED_FIELDS = ("is_trafficking_victim", "trafficking_notes")

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="returning_worker_profile"
    )
    last_destination = models.ForeignKey(
        "regions.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last destination country"),
    )
    return_date = models.DateField(_("return date"), null=True, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)
    is_trafficking_victim = models.BooleanField(_("trafficking (TPPO) victim"), default=False)
    trafficking_notes = models.TextField(_("trafficking notes"), blank=True)

    class Meta:
        verbose_name = _("returning worker profile")
        verbose_name_plural = _("returning worker profiles")

    def __str__(self):
        return str(self.participant)


class DecileRecordQuerySet(models.QuerySet):
    def current(self):
        """The newest record of each family card."""
        newer = DecileRecord.objects.filter(
            kk_number=OuterRef("kk_number"), as_of__gt=OuterRef("as_of")
        )
        return self.filter(~Exists(newer))


class DecileRecord(models.Model):
    """A family's DTSEN decile on a date; it belongs to the family card (KK), not the person."""

    class Source(models.TextChoices):
        DTSEN_CHECK = "dtsen_check", _("DTSEN check")
        OFFICIAL_LETTER = "official_letter", _("Official letter")
        SELF_REPORTED = "self_reported", _("Self-reported")
        IMPORT = "import", _("Imported sheet")

    kk_number = models.CharField(_("family card (KK) number"), max_length=16, db_index=True)
    decile = models.PositiveSmallIntegerField(_("decile"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    raw_text = models.CharField(
        _("raw text"), max_length=50, blank=True, help_text=_("Kept when the value is ambiguous.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = DecileRecordQuerySet.as_manager()

    class Meta:
        ordering = ["kk_number", "-as_of"]
        verbose_name = _("decile record")
        verbose_name_plural = _("decile records")
        constraints = [
            models.CheckConstraint(
                condition=Q(decile__isnull=True) | Q(decile__gte=1, decile__lte=10),
                name="decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(decile__isnull=False) | ~Q(raw_text=""),
                name="decile_or_raw_text",
            ),
        ]

    def __str__(self):
        return f"{self.kk_number}: {self.decile or self.raw_text} ({self.as_of})"

    @property
    def bansos_candidate(self):
        """Social assistance generally targets deciles 1-4."""
        return self.decile is not None and self.decile <= 4

    @property
    def sr_eligible(self):
        """Sekolah Rakyat admits deciles 1-2; 3 only by exception when the quota is not filled."""
        if self.decile is None:
            return "unknown"
        if self.decile <= 2:
            return "yes"
        return "exception" if self.decile == 3 else "no"


class ConsentQuerySet(models.QuerySet):
    def standing(self, on=None):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """Consent per purpose, by the participant or the guardian of a minor; withdrawable."""

    class Purpose(models.TextChoices):
        PARTNER_SHARING = "partner_sharing", _("Data sharing with programme partners")
        REFERRAL = "referral", _("Referral to services")
        MINISTRY_CONTACT = "ministry_contact", _("Contact by the ministry")
        DATA_EXCHANGE = "data_exchange", _("Data exchange between ministries")

    class GivenBy(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        GUARDIAN = "guardian", _("Guardian")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_by = models.CharField(_("given by"), max_length=12, choices=GivenBy.choices)
    guardian_name = models.CharField(_("guardian name"), max_length=200, blank=True)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "purpose", "-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_consent_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~Q(given_by="guardian") | ~Q(guardian_name=""),
                name="guardian_consent_names_guardian",
            ),
        ]

    def __str__(self):
        return f"{self.participant} – {self.get_purpose_display()}"

    @property
    def is_standing(self):
        return self.withdrawn_at is None


def document_upload_to(instance, filename):
    """Random names outside any public URL; the original name is kept on the record."""
    return f"documents/{instance.participant_id}/{secrets.token_hex(16)}"


class PersonalDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Documents (metadata) of the participants `user` sees; health results and criminal
        records (`RESTRICTED_KINDS`) only with `participants.view_restricted` or to the person
        themself."""
        rows = self.filter(participant__in=Participant.objects.visible_to(user))
        if getattr(user, "is_participant", False) or user.has_perm("participants.view_restricted"):
            return rows
        return rows.exclude(kind__in=PersonalDocument.RESTRICTED_KINDS)


class PersonalDocument(models.Model):
    """A document's metadata and file; the file is served only through an access-checked view."""

    class Kind(models.TextChoices):
        KTP = "ktp", _("Identity card (KTP)")
        KK = "kk", _("Family card (KK)")
        PASSPORT = "passport", _("Passport")
        SKCK = "skck", _("Police certificate (SKCK)")
        MEDICAL = "medical", _("Medical check")
        PSYCHOLOGICAL = "psychological", _("Psychological check")
        DIPLOMA = "diploma", _("Diploma")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        COMPETENCY_CERTIFICATE = "competency_certificate", _("Competency certificate")
        VISA = "visa", _("Work visa")
        PLACEMENT_AGREEMENT = "placement_agreement", _("Placement agreement")
        WORK_CONTRACT = "work_contract", _("Work contract")
        MARITAL_STATUS = "marital_status", _("Marital status letter")
        GUARDIAN_PERMISSION = "guardian_permission", _("Family or guardian permission")
        BPJS = "bpjs", _("BPJS Ketenagakerjaan card")

    # Health results and criminal records are specific personal data.
    RESTRICTED_KINDS = frozenset({Kind.MEDICAL, Kind.PSYCHOLOGICAL, Kind.SKCK})
    RESTRICTED_FIELDS = ()

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    file = models.FileField(_("file"), upload_to=document_upload_to, blank=True, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PersonalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "kind", "-issued_on"]
        verbose_name = _("personal document")
        verbose_name_plural = _("personal documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
                name="document_expires_after_issue",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.participant}"

    @property
    def is_restricted(self):
        return self.kind in self.RESTRICTED_KINDS

    def is_valid_on(self, day: date):
        return self.expires_on is None or self.expires_on >= day


class ReviewState(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed as correct")
    FIXED = "fixed", _("Fixed")
    DISMISSED = "dismissed", _("Dismissed")


class DataWarningQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=ReviewState.OPEN)

    def visible_to(self, user):
        return self.filter(participant__in=Participant.objects.visible_to(user))


class DataWarning(models.Model):
    """Something in a participant's data that an officer should look at (never auto-corrected)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="warnings")
    code = models.CharField(_("code"), max_length=40, db_index=True)
    field = models.CharField(_("field"), max_length=50, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    state = models.CharField(
        _("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = DataWarningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data warning")
        verbose_name_plural = _("data warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "code", "field"],
                condition=Q(state="open"),
                name="one_open_warning_per_code_and_field",
            )
        ]
        indexes = [models.Index(fields=["state", "participant"], name="warning_state_participant")]

    def __str__(self):
        return f"{self.code}: {self.participant}"


class PendingChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=PendingChange.State.PENDING)

    def visible_to(self, user):
        return self.filter(participant__in=Participant.objects.visible_to(user))


class PendingChange(models.Model):
    """A value from a later source that conflicts with a stored one, waiting for staff."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="pending_changes"
    )
    field = models.CharField(_("field"), max_length=50)
    current_value = models.TextField(_("current value"), blank=True)
    proposed_value = models.TextField(_("proposed value"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")

    def __str__(self):
        return f"{self.participant}: {self.field}"


class ParticipationQuerySet(models.QuerySet):
    def shared_with(self, organisation_id, on=None):
        """Participations partner staff of `organisation_id` may see (model.md).

        The organisation is responsible for the participant in the programme, the programme is
        under an agreement active on `on` to which the organisation (or the organisation it is a
        unit of) is party, and the participant's consent to partner sharing stands.
        """
        from partners.models import Agreement

        agreements = Agreement.objects.active(on).with_party(organisation_id)
        consent = Consent.objects.standing().filter(
            participant=OuterRef("participant_id"), purpose=Consent.Purpose.PARTNER_SHARING
        )
        return self.filter(
            Exists(
                Participation.responsible_organisations.through.objects.filter(
                    participation=OuterRef("pk"), organisation_id=organisation_id
                )
            ),
            Exists(agreements.filter(programmes=OuterRef("programme_id"))),
            Exists(consent),
        )

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_partner_staff:
            membership = getattr(user, "membership", None)
            return self.shared_with(membership.organisation_id) if membership else self.none()
        return self.filter(participant__in=Participant.objects.visible_to(user))


class Participation(models.Model):
    """A participant taking part in a programme, with the organisations responsible for them."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="participations"
    )
    programme = models.ForeignKey(
        "partners.Programme", on_delete=models.PROTECT, related_name="participations"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    responsible_organisations = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="participations",
        verbose_name=_("responsible organisations"),
    )
    eligibility_explanation = models.JSONField(
        _("eligibility explanation"),
        default=list,
        blank=True,
        help_text=_("The checks made and their outcome, stored when the decision was made."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "programme"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "programme"], name="one_participation_per_programme"
            )
        ]

    def __str__(self):
        return f"{self.participant} – {self.programme}"


class ImportRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ministry admins see every import run; everyone else only their own."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_admin:
            return self
        return self.filter(user=user)


def import_result_upload_to(instance, filename):
    return f"imports/{instance.pk or 'new'}/{secrets.token_hex(8)}-{filename}"


class ImportRun(models.Model):
    """One import of a spreadsheet (also a dry run): who, when, which file, what came of it.

    The people created or changed are listed as `ImportRunEntry` rows, so that one bulk import
    is one record (and one audit entry), not one per row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_runs",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30, default="participants")
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result_file = models.FileField(
        _("report file"), upload_to=import_result_upload_to, blank=True, max_length=200
    )
    rows_total = models.PositiveIntegerField(_("rows in total"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self):
        return f"{self.filename or self.kind} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def committed(self):
        return self.status == self.Status.DONE and not self.dry_run


class ImportRunEntry(models.Model):
    """A person an import run created or changed, with the outcome of their (first) row."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="entries")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="import_entries"
    )
    outcome = models.CharField(_("outcome"), max_length=10)
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)

    class Meta:
        ordering = ["run", "row", "pk"]
        verbose_name = _("import run entry")
        verbose_name_plural = _("import run entries")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "participant"], name="one_import_entry_per_participant"
            )
        ]

    def __str__(self):
        return f"{self.run_id}: {self.participant_id} {self.outcome}"
