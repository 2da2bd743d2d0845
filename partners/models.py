"""Organisations the programmes work with, and the staff who belong to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A ministry, regional office, CSR company, school, facility, agency or NGO."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        REGIONAL_OFFICE = "regional_office", _("Regional office (e.g. BP3MI)")
        CSR_COMPANY = "csr_company", _("CSR company")
        TRAINING_PROVIDER = "training_provider", _("Training provider")
        SEKOLAH_RAKYAT = "sekolah_rakyat", _("Sekolah Rakyat site")
        PLACEMENT_AGENCY = "placement_agency", _("Placement agency (P3MI)")
        FOREIGN_EMPLOYER = "foreign_employer", _("Foreign employer")
        REHABILITATION_CENTRE = "rehabilitation_centre", _("Rehabilitation centre")
        CORRECTIONS_FACILITY = "corrections_facility", _("Corrections facility (Lapas/Rutan/LPKA)")
        NGO = "ngo", _("NGO")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("unit of"),
        help_text=_("BP3MI Bali is a unit of KemenP2MI; each Sekolah Rakyat site of Kemensos."),
    )
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regency or city"),
    )
    province = models.ForeignKey(
        "regions.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    country = models.ForeignKey(
        "regions.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
        help_text=_("For foreign employers."),
    )
    licence_number = models.CharField(
        _("licence number"), max_length=100, blank=True, help_text=_("SIP3MI for agencies.")
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="organisation_not_own_unit"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def timezone(self):
        """The venue time zone: its province's zone (Bali is WITA), else Jakarta."""
        if self.province_id:
            return self.province.timezone
        return settings.TIME_ZONE


class Membership(models.Model):
    """A partner staff user's organisation; at most one lead per organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("organisation"),
    )
    is_lead = models.BooleanField(
        _("lead"), default=False, help_text=_("The lead can invite and remove colleagues.")
    )

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_lead=True),
                name="one_lead_per_organisation",
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"


class AgreementQuerySet(models.QuerySet):
    def active(self, on=None):
        """Signed, in force on `on` (today by default) and not terminated."""
        on = on or timezone.localdate()
        return self.filter(
            Q(signed_on__isnull=False),
            Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
            Q(terminated_on__isnull=True) | Q(terminated_on__gt=on),
        )

    def with_party(self, organisation_id):
        """Agreements to which the organisation, or the organisation it is a unit of, is party."""
        parent = Organisation.objects.filter(pk=organisation_id).values("parent_id")
        return self.filter(
            Q(parties__organisation_id=organisation_id)
            | Q(parties__organisation_id__in=Subquery(parent))
        )

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_ministry_staff or user.is_analyst:
            return self
        membership = getattr(user, "membership", None)
        if user.is_partner_staff and membership:
            return self.filter(
                pk__in=Agreement.objects.with_party(membership.organisation_id).values("pk")
            )
        return self.none()


class Agreement(models.Model):
    """An MoU or cooperation agreement (PKS) between two or more organisations."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding (MoU)")
        PKS = "pks", _("Cooperation agreement (PKS)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.MOU)
    number = models.CharField(_("number"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    scope_items = models.ManyToManyField(
        "ScopeItem", blank=True, related_name="agreements", verbose_name=_("scope")
    )
    document = models.FileField(
        _("signed document"), upload_to="agreements/", blank=True, max_length=200
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.number} – {self.title}"

    def status_on(self, on=None):
        """Derived from the dates: draft until signed and in force, then active/expired."""
        on = on or timezone.localdate()
        if self.terminated_on and self.terminated_on <= on:
            return self.Status.TERMINATED
        if not self.signed_on or self.valid_from > on:
            return self.Status.DRAFT
        if self.valid_until and self.valid_until < on:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status(self):
        return self.status_on()

    def get_status_display(self):
        return self.Status(self.status).label


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_parties"
    )
    role = models.CharField(_("role"), max_length=100, blank=True)

    class Meta:
        ordering = ["agreement", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="one_party_row_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.role})"


class ScopeItem(models.Model):
    """A scope item of an agreement (seeded with the seven of the Kemensos-KemenP2MI MoU)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    covers_data_exchange = models.BooleanField(_("covers data exchange"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("scope item")
        verbose_name_plural = _("scope items")

    def __str__(self):
        return self.name


class Commitment(models.Model):
    """What an agreement promises: a quota of participants, a budget, a track to deliver."""

    class Kind(models.TextChoices):
        QUOTA = "quota", _("Participant quota")
        BUDGET = "budget", _("Budget (rupiah)")
        TRACK = "track", _("Track to deliver")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("committed by"),
    )
    programme = models.ForeignKey(
        "Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    track_code = models.SlugField(_("track code"), max_length=60, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=0)
    achieved = models.DecimalField(
        _("achieved so far"),
        max_digits=16,
        decimal_places=0,
        default=0,
        help_text=_(
            "For budgets, entered by staff; quotas and tracks are counted from enrolments."
        ),
    )

    class Meta:
        ordering = ["agreement", "kind"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gte=0), name="commitment_target_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.target}"


class Programme(models.Model):
    """A programme participants take part in, under one or more agreements."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    agreements = models.ManyToManyField(
        Agreement, blank=True, related_name="programmes", verbose_name=_("agreements")
    )
    eligible_categories = models.JSONField(
        _("eligible categories"),
        default=list,
        blank=True,
        help_text=_("Category codes, e.g. former_prisoner; empty means any."),
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    min_decile = models.PositiveSmallIntegerField(_("minimum decile"), null=True, blank=True)
    max_decile = models.PositiveSmallIntegerField(_("maximum decile"), null=True, blank=True)
    aliases = models.JSONField(_("names used in spreadsheets"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_age__isnull=True)
                | Q(min_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="programme_age_range",
            ),
            models.CheckConstraint(
                condition=Q(max_decile__isnull=True)
                | Q(min_decile__isnull=True)
                | Q(max_decile__gte=F("min_decile")),
                name="programme_decile_range",
            ),
        ]

    def __str__(self):
        return self.name
