"""Province and regency lookups on what spreadsheets contain: codes, names, common spellings."""

import pytest

from portal.regions.lookup import (
    legacy_regency,
    region_index,
    reset_index,
    resolve_province,
    resolve_regency,
)
from portal.regions.services import load_regions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def regions():
    reset_index()
    load_regions()
    yield
    reset_index()


def province_code(text):
    province = resolve_province(text)
    return province.code if province else None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("51", "51"),
        (51, "51"),
        ("ID-BA", "51"),
        ("Bali", "51"),
        ("Jatim", "35"),
        ("JATIM", "35"),
        ("  sumatera barat ", "13"),
        ("Sumatera  Barat", "13"),
        ("Provinsi Jawa Barat", "32"),
        ("Jabar", "32"),
        ("DIY", "34"),
        ("Jogja", "34"),
        ("D.I. Yogyakarta", "34"),
        ("DKI", "31"),
        ("DKI Jakarta", "31"),
        ("NTB", "52"),
        ("N.T.B", "52"),
        ("NTT", "53"),
        ("Sumut", "12"),
        ("Kaltim", "64"),
        ("Sulut", "71"),
        ("Kalbar", "61"),
        ("KALSEL", "63"),
        ("Sultra", "74"),
        ("Kep. Riau", "21"),
        ("Kep. Bangka Belitung", "19"),
        ("Papua Barat Daya", "96"),
        ("Papua Barat", "92"),
    ],
)
def test_it_resolves_a_province_from_code_name_or_spelling(text, code):
    assert province_code(text) == code


@pytest.mark.parametrize("text", [None, "", "  ", "00", "Atlantis", "Jawa"])
def test_it_returns_none_for_an_unknown_province(text):
    assert resolve_province(text) is None


def test_it_settles_a_shared_name_with_the_nik_prefix():
    match = resolve_regency("Kupang", nik_prefix="5371")

    assert match.regency.code == "53.71"
    assert match.via_nik
    assert not match.ambiguous
    assert {r.code for r in match.candidates} == {"53.01", "53.71"}


def test_it_flags_a_shared_name_the_nik_prefix_does_not_decide():
    match = resolve_regency("Tegal", province="Jateng", nik_prefix="3216")

    assert match.regency is None
    assert match.ambiguous
    assert [r.code for r in match.candidates] == ["33.28", "33.76"]
    assert not match


@pytest.mark.parametrize("name", ["Malang", "Bogor", "Kupang", "Tegal", "Blitar", "Bekasi"])
def test_it_flags_a_bare_name_shared_by_a_kabupaten_and_a_kota(name):
    match = resolve_regency(name)

    assert match.ambiguous
    assert {r.kind for r in match.candidates} == {"kabupaten", "kota"}


def test_it_takes_the_kind_from_the_prefix():
    assert resolve_regency("Kota Malang").regency.code == "35.73"
    assert resolve_regency("Kab. Malang").regency.code == "35.07"
    assert resolve_regency("KABUPATEN  malang").regency.code == "35.07"


def test_it_narrows_a_name_to_the_given_province():
    match = resolve_regency("Banjar", province="Kalsel")

    assert match.regency.code == "63.03"
    assert not match.province_mismatch


def test_it_flags_a_match_outside_the_given_province():
    match = resolve_regency("Mimika", province="Bali")

    assert match.regency.code == "94.04"
    assert match.province_mismatch


def test_it_resolves_a_regency_alias():
    match = resolve_regency("KLU")

    assert match.regency.code == "52.08"
    assert match.via_alias


@pytest.mark.parametrize(
    ("text", "code", "via_alias"),
    [
        ("Kab. Gianyar", "51.04", False),
        ("Kota Samarinda", "64.72", False),
        ("Manado", "71.71", False),
        ("Kota Adm. Jakarta Selatan", "31.74", False),
        ("Jakarta Selatan", "31.74", False),
        ("Jaksel", "31.74", True),
        ("Gunung Kidul", "34.03", True),
        ("Gunungkidul", "34.03", False),
        ("Kulonprogo", "34.01", True),
        ("Solo", "33.72", True),
        ("Yogya", "34.71", True),
        ("Kota Jogja", "34.71", True),
        ("Tangsel", "36.74", True),
        ("Toba Samosir", "12.12", True),
        ("Pahuwato", "75.04", True),
        ("Palangka Raya", "62.71", True),
        ("Baubau", "74.72", True),
        ("Kep. Seribu", "31.01", False),
        ("Kabupaten Kepulauan Siau Tagulandang Biaro", "71.09", False),
    ],
)
def test_it_resolves_names_and_spellings(text, code, via_alias):
    match = resolve_regency(text)

    assert match.regency.code == code
    assert match.via_alias is via_alias


@pytest.mark.parametrize("text", ["74.71", "7471", "74 71"])
def test_it_resolves_a_regency_code(text):
    match = resolve_regency(text)

    assert match.regency.code == "74.71"
    assert match.via_code
    assert not match.via_legacy_code


def test_it_resolves_an_old_code_to_todays_regency():
    match = resolve_regency("91.09")

    assert match.regency.code == "94.04"
    assert match.via_code
    assert match.via_legacy_code


def test_it_settles_a_shared_name_with_an_old_nik_prefix():
    match = resolve_regency("Sorong", nik_prefix="9271")

    assert match.regency.code == "96.71"
    assert match.via_nik


@pytest.mark.parametrize("text", [None, "", "Atlantis", "Kota", "99.99", "Kabupaten Yogyakarta"])
def test_it_finds_nothing_for_unknown_text(text):
    match = resolve_regency(text)

    assert match.regency is None
    assert not match.ambiguous
    assert match.candidates == ()


def test_it_maps_legacy_codes():
    assert legacy_regency("91.09").code == "94.04"
    assert legacy_regency("9101").code == "93.01"
    assert legacy_regency("94.04") is None
    assert legacy_regency("") is None


def test_it_builds_the_index_once_and_then_queries_nothing(django_assert_num_queries):
    reset_index()
    with django_assert_num_queries(3):  # provinces, regencies with provinces, legacy codes
        region_index()

    with django_assert_num_queries(0):
        for _ in range(50):
            resolve_province("Jatim")
            resolve_regency("Kupang", province="NTT", nik_prefix="5371")
            legacy_regency("91.09")
            assert resolve_regency("Solo").regency.province.name == "Jawa Tengah"
