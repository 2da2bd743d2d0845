"""load_regions: the tables it fills, the facts it adds and that a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from portal.regions import data
from portal.regions.lookup import reset_index
from portal.regions.models import Country, LegacyRegencyCode, Province, Regency
from portal.regions.services import load_regions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_region_tables():
    """The test database comes with regions loaded; these tests load them from nothing."""
    from django.apps import apps

    apps.get_model("placements", "DestinationRule").objects.all().delete()
    LegacyRegencyCode.objects.all().delete()
    Regency.objects.all().delete()
    Province.objects.all().delete()
    Country.objects.all().delete()
    reset_index()
    yield
    reset_index()


def test_it_loads_38_provinces_and_514_regencies():
    summary = load_regions()

    assert Province.objects.count() == summary.provinces == 38
    assert Regency.objects.count() == summary.regencies == 514
    assert Regency.objects.filter(kind=Regency.Kind.KABUPATEN).count() == summary.kabupaten == 416
    assert Regency.objects.filter(kind=Regency.Kind.KOTA).count() == summary.kota == 98
    assert LegacyRegencyCode.objects.count() == summary.legacy_codes == 26
    assert Country.objects.count() == summary.countries


def test_it_gives_each_province_its_time_zone():
    load_regions()

    zones = dict(Province.objects.values_list("code", "timezone"))
    assert Province.objects.get(code="51").zone_abbr == "WITA"
    assert zones["51"] == "Asia/Makassar"
    assert zones["61"] == zones["62"] == "Asia/Pontianak"
    assert Province.objects.get(code="61").zone_abbr == "WIB"
    assert zones["91"] == "Asia/Jayapura"
    assert Province.objects.get(code="91").zone_abbr == "WIT"
    assert zones["31"] == "Asia/Jakarta"
    assert set(zones.values()) == {
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
    }


def test_it_stores_iso_codes_and_common_spellings():
    load_regions()

    bali = Province.objects.get(code="51")
    jatim = Province.objects.get(code="35")
    assert bali.iso_code == "ID-BA"
    assert bali.name == "Bali"
    assert "Jatim" in jatim.aliases
    assert Regency.objects.get(code="52.08").aliases == ["KLU"]


def test_it_keeps_the_portal_facts_in_line_with_the_package_names():
    load_regions()

    names = dict(Province.objects.values_list("code", "name"))
    assert names == {code: facts[0] for code, facts in data.PROVINCES.items()}


def test_it_maps_papua_codes_retired_in_2022_to_todays_regencies():
    load_regions()

    mimika = LegacyRegencyCode.objects.get(code="91.09")
    merauke = LegacyRegencyCode.objects.get(code="91.01")
    assert mimika.regency.code == "94.04"
    assert mimika.regency.name == "Kabupaten Mimika"
    assert merauke.regency.code == "93.01"
    assert LegacyRegencyCode.objects.get(code="92.71").regency.name == "Kota Sorong"
    assert not Regency.objects.filter(code__in=data.LEGACY_REGENCY_CODES).exists()


def test_it_names_countries_as_the_ministry_does():
    load_regions()

    taiwan = Country.objects.get(code="TW")
    hong_kong = Country.objects.get(code="HK")
    assert (taiwan.name_id, taiwan.name_en) == ("Taiwan", "Taiwan")
    assert (hong_kong.name_id, hong_kong.name_en) == ("Hong Kong", "Hong Kong")
    assert Country.objects.get(code="JP").name_id == "Jepang"
    assert Country.objects.get(code="KR").name_en == "South Korea"
    assert Country.objects.get(code="SA").name_id == "Arab Saudi"
    assert Country.objects.filter(code="ID").exists()
    assert Country.objects.get(code="KN").name_en == "Saint Kitts and Nevis"


def test_it_leaves_out_codes_that_are_not_countries():
    load_regions()

    assert not Country.objects.filter(code__in=["001", "AC", "TA", "XK"]).exists()
    codes = Country.objects.values_list("code", flat=True)
    assert all(len(code) == 2 and code.isalpha() for code in codes)


def test_it_changes_and_duplicates_nothing_on_a_second_run(django_assert_num_queries):
    first = load_regions()

    # SAVEPOINT, then one SELECT each for provinces, regencies, legacy codes and countries,
    # RELEASE SAVEPOINT (the savepoints appear because the test runs inside a transaction).
    with django_assert_num_queries(6):
        second = load_regions()

    assert (second.created, second.updated) == (0, 0)
    assert first.created == 38 + 514 + 26 + first.countries
    assert (second.provinces, second.regencies, second.countries) == (
        first.provinces,
        first.regencies,
        first.countries,
    )
    assert Regency.objects.count() == 514


def test_it_repairs_changed_rows_on_the_next_run():
    load_regions()
    Province.objects.filter(code="51").update(timezone="Asia/Jakarta")
    Regency.objects.filter(code="52.08").update(aliases=[], province_id="51")
    Country.objects.filter(code="TW").update(name_en="Taiwan, Province of China")

    summary = load_regions()

    assert (summary.created, summary.updated) == (0, 3)
    assert Province.objects.get(code="51").timezone == "Asia/Makassar"
    klu = Regency.objects.get(code="52.08")
    assert (klu.aliases, klu.province_id) == (["KLU"], "52")
    assert Country.objects.get(code="TW").name_en == "Taiwan"


def test_the_command_prints_the_counts():
    out = StringIO()
    with translation.override("en"):
        call_command("load_regions", stdout=out)

    printed = out.getvalue()
    assert "38 provinces" in printed
    assert "514 regencies and cities (416 kabupaten, 98 kota)" in printed
    assert "26 legacy regency codes" in printed
