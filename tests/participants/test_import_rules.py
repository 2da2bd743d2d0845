"""Each import rule of issue 6, one test per rule: what is stored and what the report says."""

import datetime as dt

import pytest
from django.utils import translation

from participants.models import DataWarning, DecileRecord, Participant, Participation
from tests.participants.import_helpers import AS_OF, codes, csv_file, message, nik, run, xlsx_file

pytestmark = pytest.mark.django_db

NIK_1987 = nik(region="5171", birth=dt.date(1987, 3, 23), serial=11)
NIK_1987_F = nik(region="5171", birth=dt.date(1987, 3, 23), female=True, serial=12)


def person(number):
    return Participant.objects.get(nik=number)


def test_it_reads_indonesian_headers_and_the_portals_english_names(analyst_user):
    other = nik(birth=dt.date(1990, 5, 1), serial=13)
    run(
        analyst_user,
        csv_file(["No. NIK", "Nama Lengkap", "Tgl Lahir"], [NIK_1987, "Ani", "23/03/1987"]),
    )
    run(analyst_user, csv_file(["NIK", "Full name", "Birth date"], [other, "Budi", "01/05/1990"]))
    assert person(NIK_1987).birth_date == dt.date(1987, 3, 23)
    assert person(other).birth_date == dt.date(1990, 5, 1)


def test_it_keeps_unknown_columns_in_the_restricted_notes_and_lists_them(analyst_user):
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "Keterangan", "Ukuran Baju"], [NIK_1987, "Ani", "Eks WBP", ""]),
    )
    stored = person(NIK_1987)
    assert stored.restricted_notes == "Keterangan: Eks WBP"
    assert stored.address == "" and stored.birth_place == ""
    assert report.unknown_columns == ["Keterangan", "Ukuran Baju"]
    note = message(report, 2, "UNKNOWN_COLUMN_TO_NOTES")
    assert (note.column, note.detail) == ("Keterangan", "Keterangan")
    assert codes(report, 2).count("UNKNOWN_COLUMN_TO_NOTES") == 1  # empty values are not kept


def test_it_skips_repeated_headers_blank_rows_and_totals_and_reports_them(analyst_user):
    other = nik(serial=14)
    report = run(
        analyst_user,
        csv_file(
            ["NIK", "Nama"],
            [NIK_1987, "Ani"],
            ["NIK", "Nama"],
            ["", ""],
            [other, "Budi"],
            ["Jumlah: 2", ""],
        ),
    )
    assert [(r.number, r.outcome) for r in report.rows] == [
        (2, "new"),
        (3, "skipped"),
        (4, "skipped"),
        (5, "new"),
        (6, "skipped"),
    ]
    assert [report.row(n).codes for n in (3, 4, 6)] == [
        ["SKIP_HEADER_REPEATED"],
        ["SKIP_BLANK"],
        ["SKIP_FOOTER"],
    ]
    assert report.counts["skipped"] == 3
    assert Participant.objects.count() == 2


@pytest.mark.parametrize(
    "written", ["5171 0123 0387 0011", "5171.0123.0387.0011", "5171-01-230387-0011"]
)
def test_it_removes_spaces_dots_and_dashes_from_a_nik(analyst_user, written):
    report = run(analyst_user, csv_file(["NIK", "Nama"], [written, "Ani"]))
    assert report.row(2).nik == NIK_1987
    assert "NIK_SEPARATORS" in codes(report, 2)
    assert person(NIK_1987)


def test_it_rejects_a_nik_in_scientific_notation_asking_for_a_text_column(analyst_user):
    with translation.override("en"):
        report = run(analyst_user, csv_file(["NIK", "Nama"], ["5.17101E+15", "Ani"]))
    row = report.row(2)
    assert row.outcome == "rejected"
    error = message(report, 2, "REJECT_NIK_SCIENTIFIC")
    assert error.column == "NIK"
    assert "Format the column as text and send the file again" in error.text
    assert not Participant.objects.exists()


def test_it_rejects_a_nik_stored_as_a_number_in_an_xlsx_cell(analyst_user):
    report = run(
        analyst_user, xlsx_file(["NIK", "Nama"], [int(NIK_1987), "Ani"]), filename="p.xlsx"
    )
    assert report.row(2).outcome == "rejected"
    assert codes(report, 2) == ["REJECT_NIK_SCIENTIFIC"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("517101230387001", "REJECT_NIK_LENGTH"),
        ("0071012303870011", "REJECT_NIK_PROVINCE"),
        ("5171002303870011", "REJECT_NIK_DISTRICT_00"),
        ("5171012303870000", "REJECT_NIK_SERIAL_0000"),
        ("-", "REJECT_NIK_MISSING"),
    ],
)
def test_it_rejects_a_row_whose_nik_is_unusable(analyst_user, value, code):
    report = run(analyst_user, csv_file(["NIK", "Nama"], [value, "Ani"]), skip_invalid=True)
    assert report.row(2).outcome == "rejected"
    assert codes(report, 2) == [code]
    assert message(report, 2, code).column == "NIK"
    assert not Participant.objects.exists()


def test_a_legacy_regency_code_in_the_nik_is_a_stored_warning(analyst_user):
    legacy = nik(region="9109", birth=dt.date(1993, 8, 20), serial=15)
    report = run(analyst_user, csv_file(["NIK", "Nama", "Kabupaten"], [legacy, "Yul", "Mimika"]))
    assert report.row(2).outcome == "new"
    assert "NIK_REGION_LEGACY" in codes(report, 2)
    warning = DataWarning.objects.get(participant__nik=legacy, code="NIK_REGION_LEGACY")
    assert warning.source.startswith(f"import #{report.run.pk}")


def test_a_nik_region_other_than_the_domicile_is_a_warning(analyst_user):
    report = run(
        analyst_user, csv_file(["NIK", "Nama", "Provinsi"], [NIK_1987, "Ani", "Jawa Timur"])
    )
    assert report.row(2).outcome == "new"
    assert message(report, 2, "NIK_REGION_DIFFERS_DOMICILE").level == "warning"
    assert person(NIK_1987).province_id == "35"
    assert DataWarning.objects.filter(code="NIK_REGION_DIFFERS_DOMICILE").count() == 1


@pytest.mark.parametrize(
    "written",
    [
        "23/03/1987",
        "23-03-1987",
        "23.03.1987",
        "23 03 1987",
        "1987-03-23",
        "31859",
        "23 Maret 1987",
    ],
)
def test_it_reads_birth_dates_day_first_iso_excel_serial_and_indonesian_months(
    analyst_user, written
):
    run(analyst_user, csv_file(["NIK", "Nama", "Tanggal Lahir"], [NIK_1987, "Ani", written]))
    assert person(NIK_1987).birth_date == dt.date(1987, 3, 23)


def test_it_never_reads_a_date_month_first(analyst_user):
    born = nik(birth=dt.date(1987, 4, 3), serial=16)
    run(analyst_user, csv_file(["NIK", "Nama", "Tanggal Lahir"], [born, "Ani", "03/04/1987"]))
    assert person(born).birth_date == dt.date(1987, 4, 3)


def test_it_reads_a_real_date_cell_of_an_xlsx(analyst_user):
    run(
        analyst_user,
        xlsx_file(["NIK", "Nama", "Tanggal Lahir"], [NIK_1987, "Ani", dt.datetime(1987, 3, 23)]),
    )
    assert person(NIK_1987).birth_date == dt.date(1987, 3, 23)


def test_an_impossible_date_is_left_empty_with_a_warning_suggesting_the_niks(analyst_user):
    with translation.override("en"):
        report = run(
            analyst_user, csv_file(["NIK", "Nama", "Tgl Lahir"], [NIK_1987, "Ani", "31/02/1987"])
        )
    assert person(NIK_1987).birth_date is None
    warning = message(report, 2, "DOB_INVALID")
    assert (warning.level, warning.column) == ("warning", "Tgl Lahir")
    assert "The NIK suggests 1987-03-23" in warning.text


@pytest.mark.parametrize(
    ("written", "stored"),
    [("L", "M"), ("P", "F"), ("M", "M"), ("F", "F"), ("Laki-laki", "M"), ("Perempuan", "F")],
)
def test_it_reads_sex_as_l_p_m_f_and_the_indonesian_words(analyst_user, written, stored):
    number = NIK_1987_F if stored == "F" else NIK_1987
    report = run(analyst_user, csv_file(["NIK", "Nama", "JK"], [number, "Ani", written]))
    assert person(number).sex == stored
    assert "SEX_MISMATCH_NIK" not in codes(report, 2)


def test_a_sex_or_birth_date_unlike_the_niks_is_stored_as_written_with_warnings(analyst_user):
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "JK", "Tgl Lahir"], [NIK_1987_F, "Ani", "L", "24/03/1987"]),
    )
    stored = person(NIK_1987_F)
    assert (stored.sex, stored.birth_date) == ("M", dt.date(1987, 3, 24))
    assert {"SEX_MISMATCH_NIK", "DOB_MISMATCH_NIK"} <= set(codes(report, 2))
    assert set(stored.warnings.values_list("code", flat=True)) >= {
        "SEX_MISMATCH_NIK",
        "DOB_MISMATCH_NIK",
    }


@pytest.mark.parametrize(
    ("regency", "province", "regency_id", "code"),
    [
        ("Kota Denpasar", "Bali", "51.71", None),
        ("51.71", "51", "51.71", "REGENCY_CODE"),
        ("  kota   DENPASAR ", " bali ", "51.71", None),
        ("Denpasar", "Prov. Bali", "51.71", None),
    ],
)
def test_it_reads_regions_by_code_or_name_ignoring_case_and_spaces(
    analyst_user, regency, province, regency_id, code
):
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "Kab/Kota", "Provinsi"], [NIK_1987, "Ani", regency, province]),
    )
    stored = person(NIK_1987)
    assert (stored.regency_id, stored.province_id) == (regency_id, "51")
    if code:
        assert code in codes(report, 2)


def test_it_reads_common_spellings_of_provinces_and_regencies(analyst_user):
    number = nik(region="3372", birth=dt.date(1990, 1, 1), serial=17)
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "Kab/Kota", "Prov"], [number, "Ani", "Solo", "Jateng"]),
    )
    assert (person(number).regency_id, person(number).province_id) == ("33.72", "33")
    assert {"REGENCY_ALIAS", "PROVINCE_ALIAS"} <= set(codes(report, 2))


def test_a_name_both_kabupaten_and_kota_is_resolved_by_the_nik(analyst_user):
    number = nik(region="5371", birth=dt.date(1992, 11, 2), serial=18)
    report = run(analyst_user, csv_file(["NIK", "Nama", "Kab/Kota"], [number, "Ani", "Kupang"]))
    assert person(number).regency_id == "53.71"
    assert message(report, 2, "REGENCY_AMBIGUOUS_RESOLVED_BY_NIK").detail == "Kupang->53.71"


def test_a_name_both_kabupaten_and_kota_the_nik_cannot_decide_is_flagged(analyst_user):
    number = nik(region="3216", birth=dt.date(1978, 2, 28), serial=19)
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "Kab/Kota", "Prov"], [number, "Ani", "Tegal", "Jateng"]),
    )
    assert person(number).regency_id is None
    flagged = message(report, 2, "REGENCY_AMBIGUOUS")
    assert (flagged.level, flagged.column) == ("warning", "Kab/Kota")
    assert "33.28 or 33.76" in flagged.detail


@pytest.mark.parametrize(
    "written",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "812 3456 7890", "62-812-3456-7890"],
)
def test_it_reads_phones_in_every_common_form(analyst_user, written):
    run(analyst_user, csv_file(["NIK", "Nama", "HP"], [NIK_1987, "Ani", written]))
    assert person(NIK_1987).phone == "+6281234567890"


def test_two_numbers_in_one_cell_become_phone_and_second_phone(analyst_user):
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "HP"], [NIK_1987, "Ani", "0812-3456-7890 / 0819 0733 2058"]),
    )
    stored = person(NIK_1987)
    assert (stored.phone, stored.second_phone) == ("+6281234567890", "+6281907332058")
    assert "PHONE_SECOND" in codes(report, 2)


def test_a_landline_only_is_a_warning_and_an_impossible_number_is_dropped(analyst_user):
    other = nik(serial=20)
    report = run(
        analyst_user,
        csv_file(
            ["NIK", "Nama", "HP"], [NIK_1987, "Ani", "(0361) 234567"], [other, "Budi", "0812345"]
        ),
    )
    assert person(NIK_1987).phone == "+62361234567"
    assert message(report, 2, "PHONE_LANDLINE_ONLY").level == "warning"
    assert person(other).phone == ""
    dropped = message(report, 3, "PHONE_INVALID")
    assert (dropped.level, dropped.column) == ("warning", "HP")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("BUDI  SANTOSO", "Budi Santoso"),
        ("Ani\u00a0Lestari.", "Ani Lestari"),
        ("Sukarno", "Sukarno"),
        ("Hj. Rusmiati Noor", "Hj. Rusmiati Noor"),
        ("Lalu Muhammad Syafi'i", "Lalu Muhammad Syafi'i"),
    ],
)
def test_it_tidies_names_keeping_single_names_titles_and_apostrophes(analyst_user, written, stored):
    run(analyst_user, csv_file(["NIK", "Nama"], [NIK_1987, written]))
    assert person(NIK_1987).full_name == stored


@pytest.mark.parametrize(("written", "decile"), [("1", 1), ("D1", 1), ("Desil 2", 2)])
def test_a_decile_is_recorded_for_the_family_card_as_of_the_import(analyst_user, written, decile):
    kk = "5171010101100001"
    run(analyst_user, csv_file(["NIK", "Nama", "No KK", "Desil"], [NIK_1987, "Ani", kk, written]))
    record = DecileRecord.objects.get(kk_number=kk)
    assert (record.decile, record.source, record.as_of) == (decile, "import", AS_OF)


def test_a_decile_range_keeps_the_raw_text_with_no_value_and_a_warning(analyst_user):
    kk = "5171010101100001"
    report = run(
        analyst_user, csv_file(["NIK", "Nama", "No KK", "Desil"], [NIK_1987, "Ani", kk, "1-2"])
    )
    record = DecileRecord.objects.get(kk_number=kk)
    assert (record.decile, record.raw_text) == (None, "1-2")
    assert message(report, 2, "DESIL_RANGE_AMBIGUOUS").level == "warning"


def test_a_programme_named_by_an_alias_creates_the_participation_with_its_explanation(
    analyst_user,
):
    report = run(analyst_user, csv_file(["NIK", "Nama", "Program"], [NIK_1987, "Ani", "Purna PMI"]))
    participation = Participation.objects.get(participant__nik=NIK_1987)
    assert participation.programme.code == "reintegrasi-pmi"
    assert participation.status == "eligible"
    assert participation.eligibility_explanation[0]["rule"] == "category"
    assert report.row(2).outcome == "new"


def test_an_unknown_programme_is_a_warning_and_the_person_is_imported_without_it(analyst_user):
    report = run(
        analyst_user, csv_file(["NIK", "Nama", "Program"], [NIK_1987, "Ani", "Magang Jepang"])
    )
    assert report.row(2).outcome == "new"
    warning = message(report, 2, "PROGRAM_UNKNOWN")
    assert (warning.level, warning.column) == ("warning", "Program")
    assert person(NIK_1987) and not Participation.objects.exists()


def test_a_failed_eligibility_check_is_a_warning_and_no_participation(analyst_user):
    old = nik(birth=dt.date(1970, 1, 1), serial=21)
    report = run(
        analyst_user,
        csv_file(
            ["NIK", "Nama", "Tgl Lahir", "Program"], [old, "Ani", "01/01/1970", "Kesempatan Kedua"]
        ),
    )
    assert report.row(2).outcome == "new"
    assert "age 56 in 18-45" in message(report, 2, "PROGRAM_NOT_ELIGIBLE").detail
    assert not Participation.objects.exists()
    assert DataWarning.objects.filter(code="PROGRAM_NOT_ELIGIBLE").exists()


def test_only_the_nik_and_the_full_name_are_required(analyst_user):
    report = run(
        analyst_user,
        csv_file(["NIK", "Nama", "HP"], [NIK_1987, "Ani", ""], [nik(serial=22), "", ""]),
        skip_invalid=True,
    )
    assert report.row(2).outcome == "new"
    assert report.row(3).outcome == "rejected"
    assert codes(report, 3) == ["REJECT_NAME_MISSING"]


def test_the_as_of_date_decides_ages(analyst_user):
    young = nik(birth=dt.date(2009, 4, 14), serial=23)
    sheet = ["NIK", "Nama", "Tgl Lahir"], [young, "Ani", "14/04/2009"]
    assert "MINOR" in codes(run(analyst_user, csv_file(*sheet), dry_run=True), 2)
    later = run(analyst_user, csv_file(*sheet), dry_run=True, as_of=dt.date(2027, 5, 1))
    assert "MINOR" not in codes(later, 2)
