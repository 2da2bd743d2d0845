"""Indonesian provinces and regencies (Kemendagri 2025) and countries, loaded by `load_regions`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """One of the 38 provinces; `code` is the two-digit Kemendagri code that starts every NIK."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    timezone = models.CharField(_("time zone"), max_length=40)
    zone_abbr = models.CharField(_("zone"), max_length=4)
    aliases = models.JSONField(_("common spellings"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name


class Regency(models.Model):
    """A kabupaten (regency, codes 01-69) or kota (city, codes 71-99), dotted code `51.71`."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("province")
    )
    aliases = models.JSONField(_("common spellings"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")

    def __str__(self):
        return self.name

    @property
    def nik_prefix(self):
        return self.code.replace(".", "")


class LegacyRegencyCode(models.Model):
    """A regency code no longer in use (e.g. the 2022 Papua split); old NIKs keep it for life."""

    code = models.CharField(_("old code"), max_length=5, primary_key=True)
    old_name = models.CharField(_("old name"), max_length=100)
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="legacy_codes", verbose_name=_("today")
    )
    change = models.CharField(_("change"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("legacy regency code")
        verbose_name_plural = _("legacy regency codes")

    def __str__(self):
        return f"{self.code} → {self.regency_id}"


class Country(models.Model):
    """ISO 3166-1 country with the names the ministry uses (Taiwan, Hong Kong)."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "id").startswith("en") else self.name_id
