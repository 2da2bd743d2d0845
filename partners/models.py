"""Organisations the programmes work with, and the staff who belong to them."""

from django.conf import settings
from django.db import models
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
        Organisation, on_delete=models.CASCADE, related_name="members", verbose_name=_("organisation")
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
