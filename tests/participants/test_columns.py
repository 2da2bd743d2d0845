"""participants.columns: the header vocabulary of participant spreadsheets."""

import pytest

from participants.columns import (
    BIRTH_PLACE_DATE,
    COLUMNS,
    REQUIRED_CODES,
    ROW_NUMBER,
    canonical,
    header_key,
    template_headers,
)


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("No. HP/WA", "phone"),
        ("no hp / wa", "phone"),
        ("NO_HP", "phone"),
        ("No HP / WA", "phone"),
        ("HP", "phone"),
        ("Tgl. Lahir", "birth_date"),
        ("Tgl Lahir", "birth_date"),
        ("Tanggal Lahir", "birth_date"),
        ("Tanggal Lahir (dd/mm/yyyy)", "birth_date"),
        ("TTL", BIRTH_PLACE_DATE),
        ("Tempat, Tanggal Lahir", BIRTH_PLACE_DATE),
        ("Tempat Lahir", "birth_place"),
        ("L/P", "sex"),
        ("Jenis Kelamin", "sex"),
        ("JK", "sex"),
        ("Sex", "sex"),
        ("Kab/Kota", "regency"),
        ("Kabupaten/Kota", "regency"),
        ("Kota/Kab", "regency"),
        ("Provinsi", "province"),
        ("Prov", "province"),
        ("Prov.", "province"),
        ("Desil DTSEN", "decile"),
        ("Desil", "decile"),
        ("Decile", "decile"),
        ("Program", "programme"),
        ("Programme", "programme"),
        ("Nama Program", "programme"),
        ("Kategori", "category"),
        ("No. KK", "kk_number"),
        ("Nomor KK", "kk_number"),
        ("KK", "kk_number"),
        ("NIK", "nik"),
        ("No. NIK", "nik"),
        ("No. KTP", "nik"),
        ("Nomor Induk Kependudukan", "nik"),
        ("Nama", "full_name"),
        ("Nama Lengkap", "full_name"),
        ("Full name", "full_name"),
        ("Alamat", "address"),
        ("Email", "email"),
        ("Surel", "email"),
        ("Pendidikan", "education_level"),
        ("No HP 2", "second_phone"),
        ("HP Lain", "second_phone"),
        ("No", ROW_NUMBER),
        ("No.", ROW_NUMBER),
        ("No Urut", ROW_NUMBER),
    ],
)
def test_it_maps_headers_as_people_type_them(header, code):
    assert canonical(header) == code


@pytest.mark.parametrize(
    "field",
    [
        "full_name",
        "nik",
        "kk_number",
        "sex",
        "birth_place",
        "birth_date",
        "regency",
        "province",
        "phone",
        "second_phone",
        "email",
        "address",
        "education_level",
        "programme",
        "decile",
        "category",
        "siskop2mi_id",
    ],
)
def test_it_knows_the_portals_own_english_column_names(field):
    assert canonical(field) == field
    assert canonical(field.upper()) == field


def test_it_ignores_case_spaces_punctuation_accents_and_a_required_mark():
    assert canonical("  nAmA   lEngKap ") == "full_name"
    assert canonical("Jénis Kelamin") == "sex"
    assert canonical("NIK*") == "nik"
    assert canonical("No.\u00a0HP") == "phone"
    assert header_key("No. HP (WA)") == "nohp"


def test_it_returns_none_for_unknown_or_empty_headers():
    assert canonical("Keterangan") is None
    assert canonical("Catatan") is None
    assert canonical("") is None
    assert canonical(None) is None
    assert canonical("   ") is None
    assert canonical("DAFTAR PESERTA KESEMPATAN KEDUA 2025") is None


def test_it_marks_only_the_nik_and_the_name_as_required():
    assert {c.code for c in COLUMNS if c.required} == {"nik", "full_name"}
    assert set(REQUIRED_CODES) == {"nik", "full_name"}


@pytest.mark.parametrize("language", ["id", "en", "id-ID"])
def test_it_reads_back_every_header_of_its_own_template(language):
    headers = template_headers(language)
    assert [canonical(h) for h in headers] == [c.code for c in COLUMNS]


def test_it_gives_indonesian_or_english_template_headers_with_required_marks():
    assert template_headers("id")[:3] == ["NIK*", "Nama lengkap*", "No. KK"]
    assert template_headers("en")[:3] == ["NIK*", "Full name*", "KK number"]
