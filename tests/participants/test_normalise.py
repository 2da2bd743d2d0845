"""participants.normalise: the rules shared by the admin, the importer and the API.

Most inputs are the cells of the sample sheet in shared/data (row numbers in the comments).
"""

import re
from datetime import date, datetime

import pytest
from django.utils import translation

from participants import normalise
from participants.normalise import (
    ERROR,
    INFO,
    WARNING,
    Message,
    age_on,
    check_minor,
    compare_with_nik,
    eighteenth_birthday,
    is_minor,
    normalise_kk,
    normalise_name,
    normalise_nik,
    normalise_phone,
    normalise_phones,
    parse_date,
    parse_decile,
    parse_sex,
)

AS_OF = date(2025, 11, 15)


def codes(result_or_messages):
    messages = getattr(result_or_messages, "messages", result_or_messages)
    return [str(m) for m in messages]


# --- Message -----------------------------------------------------------------------------------


def test_a_message_prints_as_its_code_with_the_detail_in_brackets():
    assert str(Message("DOB_MONTH_NAME", INFO, "birth_date", "Agu")) == "DOB_MONTH_NAME(Agu)"
    assert str(Message("NIK_SEPARATORS", INFO, "nik")) == "NIK_SEPARATORS"


@pytest.fixture(autouse=True)
def _english():
    """Message details and sentences are asserted in English here; Indonesian is tested below."""
    with translation.override("en"):
        yield


def test_the_sentences_are_in_indonesian_by_default():
    with translation.override("id"):
        result = normalise_nik("3.67404E+15", as_of=AS_OF)
    assert "kolom" in result.messages[0].text.lower()


def test_every_message_carries_a_sentence_for_people():
    result = normalise_nik("3.67404E+15", as_of=AS_OF)

    (message,) = result.messages
    assert message.level == ERROR
    assert message.field == "nik"
    assert "Format the column as text" in message.text
    assert "3.67404E+15" in message.text


# --- NIK ---------------------------------------------------------------------------------------


def test_it_accepts_a_nik_and_reads_region_birth_date_and_sex():
    result = normalise_nik("7171031210909802", as_of=AS_OF)

    assert result.ok
    assert result.messages == []
    assert result.nik == "7171031210909802"
    assert result.province_code == "71"
    assert result.regency_code == "71.71"
    assert result.district_code == "71.71.03"
    assert result.birth_date == date(1990, 10, 12)
    assert result.sex == "M"


def test_it_reads_a_womans_birth_day_with_forty_added():
    result = normalise_nik("6472054508949801", as_of=AS_OF)  # row 2: day 45

    assert result.birth_date == date(1994, 8, 5)
    assert result.sex == "F"


def test_it_accepts_day_seventy_one_for_a_woman_born_on_the_thirty_first():
    result = normalise_nik("3310037101909803", as_of=AS_OF)

    assert result.birth_date == date(1990, 1, 31)
    assert result.sex == "F"


def test_it_puts_a_two_digit_year_in_this_century_when_that_is_not_after_as_of():
    result = normalise_nik("3403055404099806", as_of=AS_OF)  # row 8

    assert result.birth_date == date(2009, 4, 14)


def test_it_puts_a_birth_date_later_than_as_of_in_the_last_century():
    assert normalise_nik("3403051511259806", as_of=AS_OF).birth_date == date(2025, 11, 15)
    assert normalise_nik("3403051611259806", as_of=AS_OF).birth_date == date(1925, 11, 16)
    assert normalise_nik("3403051504269806", as_of=AS_OF).birth_date == date(1926, 4, 15)


def test_it_rejects_a_nik_birth_date_after_as_of():
    result = normalise_nik("3403051504859806", as_of=date(1980, 1, 1))

    assert codes(result) == ["REJECT_NIK_BIRTH_DATE(150485)"]


@pytest.mark.parametrize(
    ("nik", "part"),
    [
        ("3310033002879803", "300287"),  # 30 February
        ("3310033104889807", "310488"),  # 31 April
        ("3310030013889807", "001388"),  # month 13, day 00
        ("3310037201909803", "720190"),  # day 72 = 32 for a woman
        ("3310033501909803", "350190"),  # day 35 fits neither sex
    ],
)
def test_it_rejects_a_nik_whose_birth_date_part_is_not_a_date(nik, part):
    result = normalise_nik(nik, as_of=AS_OF)

    assert codes(result) == [f"REJECT_NIK_BIRTH_DATE({part})"]
    assert result.nik is None
    assert result.birth_date is None


def test_it_removes_spaces_and_reports_the_separators():
    result = normalise_nik("6472 0545 0894 9801", as_of=AS_OF)  # row 2

    assert result.nik == "6472054508949801"
    assert codes(result) == ["NIK_SEPARATORS"]
    assert result.messages[0].level == INFO


def test_it_removes_dots_and_dashes():
    assert normalise_nik("7171-03-121090-9802", as_of=AS_OF).nik == "7171031210909802"  # row 3
    assert normalise_nik("71.71.03.121090.9802", as_of=AS_OF).nik == "7171031210909802"
    en_dashes = "7171\u201303\u2013121090\u20139802"
    assert normalise_nik(en_dashes, as_of=AS_OF).nik == "7171031210909802"


def test_it_removes_non_breaking_spaces_and_says_so():
    result = normalise_nik("5371\u00a00442\u00a01192\u00a09804", as_of=AS_OF)  # row 21

    assert result.nik == "5371044211929804"
    assert codes(result) == ["NIK_SEPARATORS(non-breaking spaces)"]


def test_it_removes_narrow_no_break_and_zero_width_spaces():
    result = normalise_nik("5371\u202f0442\u200b1192 9804", as_of=AS_OF)

    assert result.nik == "5371044211929804"
    assert codes(result) == ["NIK_SEPARATORS(non-breaking spaces, zero-width characters)"]


def test_it_accepts_the_apostrophe_excel_users_type_before_a_number():
    assert normalise_nik("'5371044211929804", as_of=AS_OF).nik == "5371044211929804"


def test_it_ignores_plain_spaces_around_a_nik():
    result = normalise_nik(" 5371044211929804 ", as_of=AS_OF)

    assert result.nik == "5371044211929804"
    assert result.messages == []


@pytest.mark.parametrize("value", ["3.67404E+15", "5.10803e15", "5,10803E+15", " 3.67404E+15 "])
def test_it_rejects_a_nik_in_scientific_notation(value):
    result = normalise_nik(value, as_of=AS_OF)  # row 5

    assert codes(result) == ["REJECT_NIK_SCIENTIFIC(format the column as text and send it again)"]
    assert result.nik is None


@pytest.mark.parametrize("value", [3.67404e15, 3310036303879800, 5108030000000000.0])
def test_it_rejects_a_nik_from_a_numeric_excel_cell(value):
    result = normalise_nik(value, as_of=AS_OF)

    assert codes(result) == [
        "REJECT_NIK_SCIENTIFIC(Excel keeps only 15 digits: format the column as text and send it "
        "again)"
    ]
    assert "15 digits" in result.messages[0].text


def test_it_rejects_a_nik_with_the_letter_o_for_zero():
    result = normalise_nik("7571O2O5O3919808", as_of=AS_OF)  # row 12

    assert codes(result) == ["REJECT_NIK_NOT_DIGITS(letter O instead of 0)"]


def test_it_rejects_a_nik_with_other_characters():
    result = normalise_nik("3310 0363/03879803", as_of=AS_OF)

    assert codes(result) == ["NIK_SEPARATORS", "REJECT_NIK_NOT_DIGITS(contains /)"]


def test_it_rejects_a_nik_with_seventeen_digits():
    result = normalise_nik("18010615068398061", as_of=AS_OF)  # row 9

    assert codes(result) == ["REJECT_NIK_LENGTH(17)"]


def test_it_rejects_a_nik_with_fifteen_digits():
    assert codes(normalise_nik("331003630387980", as_of=AS_OF)) == ["REJECT_NIK_LENGTH(15)"]


@pytest.mark.parametrize("value", [None, "", "   ", "-", "\u2013", "\u00a0", float("nan")])
def test_it_rejects_a_missing_nik(value):
    result = normalise_nik(value, as_of=AS_OF)  # row 26: "-"

    assert codes(result) == ["REJECT_NIK_MISSING"]
    assert not result.ok


def test_it_rejects_a_nik_with_an_unknown_province():
    result = normalise_nik("0071035811879811", as_of=AS_OF)  # row 16

    assert codes(result) == ["REJECT_NIK_PROVINCE(00)"]
    assert result.nik is None


@pytest.mark.parametrize("province", ["10", "20", "37", "54", "90", "97", "99"])
def test_it_rejects_codes_that_are_not_among_the_38_provinces(province):
    result = normalise_nik(f"{province}71035811879811", as_of=AS_OF)

    assert codes(result) == [f"REJECT_NIK_PROVINCE({province})"]


@pytest.mark.parametrize("province", ["11", "21", "36", "51", "65", "76", "82", "96"])
def test_it_accepts_each_kind_of_province_code(province):
    assert normalise_nik(f"{province}71035811879811", as_of=AS_OF).ok


def test_it_rejects_a_nik_with_regency_00():
    assert codes(normalise_nik("3500102506909813", as_of=AS_OF)) == ["REJECT_NIK_REGENCY_00"]


def test_it_rejects_a_nik_with_district_00():
    result = normalise_nik("3509002506909813", as_of=AS_OF)  # row 20 as the sheet means it

    assert codes(result) == ["REJECT_NIK_DISTRICT_00"]


def test_it_rejects_a_nik_with_serial_0000():
    result = normalise_nik("1171020312850000", as_of=AS_OF)  # row 24

    assert codes(result) == ["REJECT_NIK_SERIAL_0000"]
    assert result.nik is None


def test_it_reports_every_structural_error_of_a_nik_at_once():
    result = normalise_nik("0000003002870000", as_of=AS_OF)

    assert codes(result) == [
        "REJECT_NIK_PROVINCE(00)",
        "REJECT_NIK_REGENCY_00",
        "REJECT_NIK_DISTRICT_00",
        "REJECT_NIK_BIRTH_DATE(300287)",
        "REJECT_NIK_SERIAL_0000",
    ]


def test_it_keeps_an_old_regency_code_because_that_is_not_its_job():
    result = normalise_nik("9109012008939812", as_of=AS_OF)  # row 17: Mimika before 2022

    assert result.ok
    assert result.regency_code == "91.09"


# --- KK ----------------------------------------------------------------------------------------


def test_it_accepts_a_kk_and_reads_its_issue_date():
    result = normalise_kk("3310 0301 0220 0001", nik="3310036303879803", as_of=AS_OF)

    assert result.kk == "3310030102200001"
    assert result.issue_date == date(2020, 2, 1)
    assert result.regency_code == "33.10"
    assert codes(result) == ["KK_SEPARATORS"]


def test_it_warns_when_the_kk_equals_the_nik():
    result = normalise_kk("3310030102200001", nik="3310030102200001", as_of=AS_OF)

    assert codes(result) == ["KK_EQUALS_NIK"]
    assert result.messages[0].level == WARNING
    assert result.kk == "3310030102200001"


def test_it_warns_when_the_kk_issue_date_is_not_a_date():
    result = normalise_kk("3310036303879803", as_of=AS_OF)

    assert codes(result) == ["KK_ISSUE_DATE(630387)"]
    assert result.kk == "3310036303879803"


def test_it_gives_no_message_for_an_empty_kk():
    result = normalise_kk("", nik="3310036303879803")

    assert result.kk is None
    assert result.messages == []


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("3.31003E+15", "KK_SCIENTIFIC(format the column as text and send it again)"),
        ("33100301022000011", "KK_LENGTH(17)"),
        ("331003O102200001", "KK_NOT_DIGITS(letter O instead of 0)"),
        ("0010030102200001", "KK_PROVINCE(00)"),
        ("3310000102200001", "KK_DISTRICT_00"),
        ("3300030102200001", "KK_REGENCY_00"),
    ],
)
def test_it_leaves_a_kk_with_a_broken_structure_empty(value, code):
    result = normalise_kk(value, as_of=AS_OF)

    assert codes(result) == [code]
    assert result.kk is None
    assert not result.ok


# --- Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("17-06-1983", date(1983, 6, 17)),  # row 5
        ("02.11.1992", date(1992, 11, 2)),  # row 6
        ("14/04/2009", date(2009, 4, 14)),  # row 8
        ("5/3/1991", date(1991, 3, 5)),  # row 12: 5 March
        ("9-1-1997", date(1997, 1, 9)),  # row 15: 9 January
        ("09-07-1995", date(1995, 7, 9)),  # row 19
        ("25 06 1990", date(1990, 6, 25)),
        ("25 / 06 / 1990", date(1990, 6, 25)),
        ("14/04/2009 00:00:00", date(2009, 4, 14)),
    ],
)
def test_it_reads_a_day_first_date_with_any_separator(value, expected):
    result = parse_date(value, as_of=AS_OF)

    assert result.date == expected
    assert result.messages == []


def test_it_reads_an_iso_date():
    assert parse_date("1985-09-27", as_of=AS_OF).date == date(1985, 9, 27)  # row 7
    assert parse_date("1985-09-27 00:00:00", as_of=AS_OF).date == date(1985, 9, 27)


def test_it_never_reads_a_date_month_first():
    result = parse_date("03/23/1987", as_of=AS_OF)

    assert result.date is None
    assert codes(result) == ["DOB_INVALID(03/23/1987 left empty)"]


def test_it_reads_an_ambiguous_date_day_first():
    assert parse_date("05/03/1991", as_of=AS_OF).date == date(1991, 3, 5)


def test_it_reads_a_two_digit_year_against_as_of_and_says_so():
    result = parse_date("17-06-83", as_of=AS_OF)

    assert result.date == date(1983, 6, 17)
    assert codes(result) == ["DOB_TWO_DIGIT_YEAR(83->1983)"]
    assert parse_date("14/04/09", as_of=AS_OF).date == date(2009, 4, 14)
    assert parse_date("16/11/25", as_of=AS_OF).date == date(1925, 11, 16)


@pytest.mark.parametrize("value", [31859, "31859", 31859.0, 31859.75])
def test_it_reads_an_excel_serial_number(value):
    result = parse_date(value, as_of=AS_OF)  # row 4

    assert result.date == date(1987, 3, 23)
    assert str(result.messages[0]).startswith("DOB_EXCEL_SERIAL(")


def test_it_reports_an_excel_serial_number_with_the_date_it_read():
    assert codes(parse_date("31859", as_of=AS_OF)) == ["DOB_EXCEL_SERIAL(31859->1987-03-23)"]


@pytest.mark.parametrize("value", ["1987", 1987, "12", "19870323"])
def test_it_does_not_take_a_year_or_a_small_number_for_an_excel_serial(value):
    result = parse_date(value, as_of=AS_OF)

    assert result.date is None
    assert codes(result) == [f"DOB_INVALID({value} left empty)"]


def test_it_passes_date_and_datetime_objects_through():
    assert parse_date(date(1990, 1, 2), as_of=AS_OF).date == date(1990, 1, 2)
    assert parse_date(datetime(1990, 1, 2, 0, 0), as_of=AS_OF).date == date(1990, 1, 2)
    assert parse_date(datetime(1990, 1, 2), as_of=AS_OF).messages == []


@pytest.mark.parametrize(
    ("value", "expected", "code"),
    [
        ("5 Agu 1994", date(1994, 8, 5), "DOB_MONTH_NAME(Agu)"),  # row 2
        ("12 Okt 1990", date(1990, 10, 12), "DOB_MONTH_NAME(Okt)"),  # row 3
        ("3 Desember 1986", date(1986, 12, 3), "DOB_MONTH_NAME(Desember)"),  # row 13
        ("20 Agt 1993", date(1993, 8, 20), "DOB_MONTH_NAME(Agt)"),  # row 17
        ("21 Maret 1996", date(1996, 3, 21), "DOB_MONTH_NAME(Maret)"),  # row 23
        ("27 Mei 1975", date(1975, 5, 27), "DOB_MONTH_NAME(Mei)"),  # row 27
        ("7 Juli 1991", date(1991, 7, 7), "DOB_MONTH_NAME(Juli)"),
        ("1 Ags 1990", date(1990, 8, 1), "DOB_MONTH_NAME(Ags)"),
        ("1 Peb 1990", date(1990, 2, 1), "DOB_MONTH_NAME(Peb)"),
        ("1 Nop 1990", date(1990, 11, 1), "DOB_MONTH_NAME(Nop)"),
        ("1 Sept 1990", date(1990, 9, 1), "DOB_MONTH_NAME(Sept)"),
        ("1 Des. 1990", date(1990, 12, 1), "DOB_MONTH_NAME(Des)"),
        ("01-Aug-1990", date(1990, 8, 1), "DOB_MONTH_NAME(Aug)"),
        ("1 JANUARI 1990", date(1990, 1, 1), "DOB_MONTH_NAME(JANUARI)"),
    ],
)
def test_it_reads_indonesian_month_names(value, expected, code):
    result = parse_date(value, as_of=AS_OF)

    assert result.date == expected
    assert codes(result) == [code]


def test_it_reports_both_a_month_name_and_a_two_digit_year():
    result = parse_date("5-Agu-94", as_of=AS_OF)

    assert result.date == date(1994, 8, 5)
    assert codes(result) == ["DOB_TWO_DIGIT_YEAR(94->1994)", "DOB_MONTH_NAME(Agu)"]


@pytest.mark.parametrize("value", ["31/04/1988", "31/02/1990", "29/02/2023", "0/1/1990"])
def test_it_leaves_an_impossible_date_empty(value):
    result = parse_date(value, as_of=AS_OF)

    assert result.date is None
    assert codes(result) == [f"DOB_INVALID({value} left empty)"]
    assert result.messages[0].level == WARNING


def test_it_accepts_the_29th_of_february_in_a_leap_year():
    assert parse_date("29/02/2024", as_of=AS_OF).date == date(2024, 2, 29)


def test_it_suggests_the_nik_birth_date_for_an_impossible_date():
    result = parse_date("31/04/1988", as_of=AS_OF, nik_birth_date=date(1988, 4, 13))  # row 11

    assert codes(result) == ["DOB_INVALID(31/04/1988 left empty: NIK suggests 1988-04-13)"]
    assert "1988-04-13" in result.messages[0].text


def test_it_leaves_an_unreadable_date_or_an_unknown_month_empty():
    assert codes(parse_date("kemarin", as_of=AS_OF)) == ["DOB_INVALID(kemarin left empty)"]
    assert codes(parse_date("1 Foo 1990", as_of=AS_OF)) == ["DOB_INVALID(1 Foo 1990 left empty)"]


def test_it_leaves_a_birth_date_after_as_of_empty():
    result = parse_date("2030-01-01", as_of=AS_OF)

    assert result.date is None
    assert codes(result) == ["DOB_IN_FUTURE(2030-01-01 left empty)"]


def test_it_gives_no_message_for_an_empty_date():
    for value in (None, "", " ", "-", float("nan")):
        result = parse_date(value, as_of=AS_OF)
        assert result.date is None
        assert result.messages == []


def test_it_names_other_date_fields_with_their_own_prefix():
    result = parse_date("31/04/2026", field="supervision_end", prefix="SUPERVISION_END")

    assert codes(result) == ["SUPERVISION_END_INVALID(31/04/2026 left empty)"]
    assert result.messages[0].field == "supervision_end"


# --- Comparison with the NIK -------------------------------------------------------------------


def test_it_warns_when_the_sheet_birth_date_differs_from_the_nik_and_keeps_the_sheet():
    nik = normalise_nik("7471035706899814", as_of=AS_OF)  # row 19

    messages = compare_with_nik(birth_date=date(1989, 6, 18), sex="F", nik_result=nik)

    assert codes(messages) == ["DOB_MISMATCH_NIK(sheet 1989-06-18 stored / NIK 1989-06-17)"]
    assert messages[0].level == WARNING


def test_it_warns_when_the_sheet_sex_differs_from_the_nik():
    nik = normalise_nik("3372046103969816", as_of=AS_OF)  # row 23

    messages = compare_with_nik(birth_date=date(1996, 3, 21), sex="M", nik_result=nik)

    assert codes(messages) == ["SEX_MISMATCH_NIK(sheet L stored / NIK P)"]


def test_it_finds_nothing_to_compare_when_the_sheet_agrees_or_is_empty():
    nik = normalise_nik("6171041304889807", as_of=AS_OF)  # row 11

    assert compare_with_nik(birth_date=date(1988, 4, 13), sex="M", nik_result=nik) == []
    assert compare_with_nik(birth_date=None, sex=None, nik_result=nik) == []


# --- Sex ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L", "M"),
        ("l", "M"),
        ("M", "M"),
        ("Laki-laki", "M"),
        ("Laki-Laki", "M"),
        ("laki laki", "M"),
        ("LAKI-LAKI", "M"),
        ("Pria", "M"),
        ("Lk.", "M"),
        ("P", "F"),
        ("F", "F"),
        ("Perempuan", "F"),
        ("perempuan", "F"),
        ("Wanita", "F"),
        ("Pr", "F"),
    ],
)
def test_it_reads_the_common_ways_to_write_sex(value, expected):
    result = parse_sex(value)

    assert result.sex == expected
    assert result.messages == []


def test_it_warns_about_an_unknown_sex():
    result = parse_sex("X")

    assert result.sex is None
    assert codes(result) == ["SEX_UNKNOWN(X)"]


def test_it_gives_no_message_for_an_empty_sex():
    assert parse_sex("").messages == []


# --- Phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0812-5530-4417", "+6281255304417"),  # row 2
        ("+62 853-4021-7786", "+6285340217786"),  # row 3
        ("6285647719203", "+6285647719203"),  # row 4
        ("081398817720", "+6281398817720"),  # row 5
        ("62-812-6603-4519", "+6281266034519"),  # row 7
        ("0853 4021 7786", "+6285340217786"),  # row 10
        ("+6281192736650", "+6281192736650"),  # row 19
        ("(+62) 812 5107 3384", "+6281251073384"),  # row 27
        ("0812.5530.4417", "+6281255304417"),
        (6285647719203, "+6285647719203"),
        ("6285647719203.0", "+6285647719203"),
    ],
)
def test_it_stores_every_way_of_writing_a_mobile_number_as_e164(value, expected):
    result = normalise_phones(value)

    assert result.phone == expected
    assert result.second_phone is None
    assert result.is_mobile is True
    assert result.messages == []


@pytest.mark.parametrize("value", ["85239917745", 85239917745, 85239917745.0])
def test_it_restores_the_leading_zero_excel_dropped(value):
    result = normalise_phones(value)  # row 6

    assert result.phone == "+6285239917745"
    assert codes(result) == ["PHONE_LEADING_ZERO_RESTORED(+6285239917745)"]


@pytest.mark.parametrize(
    ("value", "first", "second"),
    [
        ("0821 4460 9913 / 0819-0733-2058", "+6282144609913", "+6281907332058"),  # row 13
        ("0813-2925-6618, 0822-4716-0093", "+6281329256618", "+6282247160093"),  # row 23
        ("0813-2925-6618; 0822 4716 0093", "+6281329256618", "+6282247160093"),
        ("0813-2925-6618 atau 0822-4716-0093", "+6281329256618", "+6282247160093"),
    ],
)
def test_it_keeps_a_second_number(value, first, second):
    result = normalise_phones(value)

    assert result.phone == first
    assert result.second_phone == second
    assert codes(result) == [f"PHONE_SECOND({second})"]


def test_it_keeps_two_numbers_and_drops_the_rest():
    result = normalise_phones("0812-5530-4417 / 0813-2925-6618 / 0822-4716-0093")

    assert (result.phone, result.second_phone) == ("+6281255304417", "+6281329256618")
    assert codes(result) == ["PHONE_SECOND(+6281329256618)", "PHONE_EXTRA_DROPPED(+6282247160093)"]


def test_it_counts_the_same_number_written_twice_once():
    result = normalise_phones("0812-5530-4417 / +62 812 5530 4417")

    assert result.phone == "+6281255304417"
    assert result.second_phone is None
    assert result.messages == []


def test_it_keeps_a_landline_but_warns_there_is_no_whatsapp():
    result = normalise_phones("(0561) 734225")  # row 11

    assert result.phone == "+62561734225"
    assert result.is_mobile is False
    assert codes(result) == ["PHONE_LANDLINE_ONLY(no WhatsApp)"]
    assert result.messages[0].level == WARNING


def test_it_does_not_warn_about_a_landline_next_to_a_mobile():
    result = normalise_phones("(0561) 734225 / 0812-5530-4417")

    assert result.phone == "+62561734225"
    assert result.is_mobile is False
    assert result.second_phone == "+6281255304417"
    assert codes(result) == ["PHONE_SECOND(+6281255304417)"]


def test_it_drops_an_impossible_number():
    result = normalise_phones("0812345")  # row 15

    assert result.phone is None
    assert codes(result) == ["PHONE_INVALID(0812345 dropped)"]


def test_it_drops_only_the_impossible_one_of_two_numbers():
    result = normalise_phones("0812345 / 0812-5530-4417")

    assert result.phone == "+6281255304417"
    assert codes(result) == ["PHONE_INVALID(0812345 dropped)"]


def test_it_keeps_a_foreign_mobile_written_with_its_country_code():
    result = normalise_phones("+852 9123 4567")

    assert result.phone == "+85291234567"
    assert result.is_mobile is True


def test_it_gives_no_message_for_an_empty_phone():
    for value in (None, "", "-", float("nan")):
        result = normalise_phones(value)  # row 25
        assert result.phone is None
        assert result.messages == []


def test_the_form_helper_returns_one_number_or_none():
    assert normalise_phone("0812 5530 4417") == "+6281255304417"
    assert normalise_phone("85239917745") == "+6285239917745"
    assert normalise_phone("(0561) 734225") == "+62561734225"
    assert normalise_phone("0812345") is None
    assert normalise_phone("0812-5530-4417 / 0813-2925-6618") is None
    assert normalise_phone("") is None


# --- DTSEN decile ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), (1, 1), (3.0, 3), ("10", 10), (" 4 ", 4)]
)
def test_it_reads_a_plain_decile_without_a_message(value, expected):
    result = parse_decile(value)

    assert result.decile == expected
    assert result.messages == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D2", 2),  # row 4
        ("D3", 3),  # row 6
        ("Desil 1", 1),  # row 8
        ("Desil 4", 4),  # row 19
        ("d 2", 2),
        ("desil-3", 3),
        ("DESIL 10", 10),
    ],
)
def test_it_reads_a_written_decile_and_says_so(value, expected):
    result = parse_decile(value)

    assert result.decile == expected
    assert result.raw == value
    assert codes(result) == [f"DESIL_PARSED({value}->{expected})"]


@pytest.mark.parametrize("value", ["2-3", "1-2", "1 - 2", "D1-D2", "1/2", "1 s.d. 2"])
def test_it_keeps_a_decile_range_as_raw_text_without_a_value(value):
    result = parse_decile(value)  # row 15: 2-3

    assert result.decile is None
    assert result.raw == value
    assert codes(result) == [f"DESIL_RANGE_AMBIGUOUS({value} kept as raw text with no value)"]


@pytest.mark.parametrize("value", ["0", "11", "D12"])
def test_it_leaves_a_decile_outside_one_to_ten_empty(value):
    result = parse_decile(value)

    assert result.decile is None
    assert codes(result) == [f"DESIL_OUT_OF_RANGE({value})"]


def test_it_leaves_a_text_that_is_no_decile_empty():
    result = parse_decile("miskin")

    assert result.decile is None
    assert result.raw == "miskin"
    assert codes(result) == ["DESIL_UNREADABLE(miskin)"]


def test_it_gives_no_message_for_an_empty_decile():
    for value in (None, "", float("nan")):
        result = parse_decile(value)
        assert (result.decile, result.raw, result.messages) == (None, None, [])


# --- Names -------------------------------------------------------------------------------------


def test_it_turns_all_caps_into_title_case_and_collapses_spaces():
    result = normalise_name("RIZAL  EFFENDI")  # row 7

    assert result.name == "Rizal Effendi"
    assert codes(result) == ["NAME_NORMALISED(all caps/double space)"]
    assert result.messages[0].level == INFO


def test_it_collapses_a_double_space_in_a_mixed_case_name():
    result = normalise_name("Yosef  Mandagi")  # row 10

    assert result.name == "Yosef Mandagi"
    assert codes(result) == ["NAME_NORMALISED(double space)"]


def test_it_collapses_non_breaking_spaces():
    assert normalise_name("Nurlela\u00a0Sari").name == "Nurlela Sari"


@pytest.mark.parametrize(
    "name",
    [
        "I Nyoman Sudiarta",  # row 13
        "Lalu Muhammad Syafi'i",  # row 15
        "Wa Ode Sitti Hasnah",  # row 19
        "Hj. Rusmiati Noor",  # row 27
        "Kusnadi",  # row 25: a single name
        "Ahmad S.",
        "Teuku Rizki Maulana",
    ],
)
def test_it_leaves_a_well_written_name_alone(name):
    result = normalise_name(name)

    assert result.name == name
    assert result.messages == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("I NYOMAN SUDIARTA", "I Nyoman Sudiarta"),
        ("WA ODE SITTI HASNAH", "Wa Ode Sitti Hasnah"),
        ("HJ. RUSMIATI NOOR", "Hj. Rusmiati Noor"),
        ("LALU MUHAMMAD SYAFI'I", "Lalu Muhammad Syafi'i"),
        ("AHMAD BIN YUSUF", "Ahmad bin Yusuf"),
        ("SITI BINTI ABDULLAH", "Siti binti Abdullah"),
        ("MUHAMMAD AL-GHAZALI", "Muhammad Al-Ghazali"),
        ("SITI AMINAH, S.PD.", "Siti Aminah, S.Pd."),
        ("KH. AHMAD DAHLAN", "KH. Ahmad Dahlan"),
        ("KUSNADI", "Kusnadi"),
    ],
)
def test_it_title_cases_all_caps_keeping_particles_and_titles(value, expected):
    result = normalise_name(value)

    assert result.name == expected
    assert codes(result) == ["NAME_NORMALISED(all caps)"]


def test_it_title_cases_an_all_lower_case_name():
    result = normalise_name("rizal effendi")

    assert result.name == "Rizal Effendi"
    assert codes(result) == ["NAME_NORMALISED(all lower case)"]


def test_it_strips_stray_punctuation_at_the_ends():
    result = normalise_name(" Rizal Effendi, ")

    assert result.name == "Rizal Effendi"
    assert codes(result) == ["NAME_NORMALISED(punctuation at the ends)"]
    assert normalise_name("- Rizal Effendi.").name == "Rizal Effendi"


def test_it_makes_a_typographic_apostrophe_plain():
    result = normalise_name("Lalu Muhammad Syafi\u2019i")

    assert result.name == "Lalu Muhammad Syafi'i"
    assert codes(result) == ["NAME_NORMALISED(apostrophe)"]


@pytest.mark.parametrize("value", [None, "", "   ", " , ", "-", float("nan")])
def test_it_rejects_a_missing_name(value):
    result = normalise_name(value)  # row 18

    assert result.name is None
    assert codes(result) == ["REJECT_NAME_MISSING"]
    assert result.messages[0].level == ERROR


# --- Age ---------------------------------------------------------------------------------------


def test_it_counts_completed_years():
    born = date(2009, 4, 14)

    assert age_on(born, date(2027, 4, 13)) == 17
    assert age_on(born, date(2027, 4, 14)) == 18


def test_it_finds_the_eighteenth_birthday():
    assert eighteenth_birthday(date(2009, 4, 14)) == date(2027, 4, 14)


def test_someone_born_on_a_leap_day_turns_eighteen_on_the_first_of_march():
    born = date(2008, 2, 29)

    assert eighteenth_birthday(born) == date(2026, 3, 1)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18
    assert is_minor(born, on=date(2026, 2, 28))
    assert not is_minor(born, on=date(2026, 3, 1))


def test_someone_born_on_the_28th_of_february_turns_eighteen_that_day():
    assert eighteenth_birthday(date(2008, 2, 28)) == date(2026, 2, 28)


def test_it_is_a_minor_until_the_day_before_the_eighteenth_birthday():
    born = date(2009, 4, 14)

    assert is_minor(born, on=AS_OF)
    assert is_minor(born, on=date(2027, 4, 13))
    assert not is_minor(born, on=date(2027, 4, 14))


def test_it_reports_a_minor_with_the_date_they_turn_eighteen():
    messages = check_minor(date(2009, 4, 14), on=AS_OF)  # row 8

    assert codes(messages) == ["MINOR(born 2009-04-14: under 18 until 2027-04-14)"]
    assert check_minor(date(1990, 1, 1), on=AS_OF) == []
    assert check_minor(None, on=AS_OF) == []


def _slow_parse_one_phone(digits):
    """The phonenumbers-only answer the fast path must agree with."""
    import phonenumbers

    zero_restored = digits.startswith("8")
    if zero_restored:
        candidates = ["0" + digits]
    elif digits.startswith("62"):
        candidates = ["+" + digits, digits]
    else:
        candidates = [digits]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, "ID")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            mobile = phonenumbers.number_type(number) in normalise._MOBILE_TYPES
            return e164, mobile, zero_restored
    return None


def test_the_fast_indonesian_mobile_path_agrees_with_phonenumbers():
    import random

    rng = random.Random(7)
    for _ in range(3000):
        prefix = rng.choice(["+62", "62", "0", ""])
        body = rng.choice("8888888123") + "".join(
            rng.choice("0123456789") for _ in range(rng.randrange(6, 14))
        )
        digits = prefix + body
        if not re.fullmatch(r"\+?[0-9]{6,15}", digits):
            continue
        assert normalise._parse_one_phone(digits) == _slow_parse_one_phone(digits), digits
