"""participants.sheets: reading CSV and XLSX files safely into rows.

Every file is written by the test itself (csv text, openpyxl workbooks in memory, hand-made ZIPs).
"""

import datetime as dt
import io
import os
import re
import time
import tracemalloc
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from participants.sheets import (
    SKIP_BLANK,
    SKIP_FOOTER,
    SKIP_HEADER_REPEATED,
    SKIP_TITLE,
    SheetError,
    column_letter,
    read_sheet,
)

HEADER_ID = ["No", "Nama Lengkap", "NIK", "L/P", "Tgl Lahir", "No HP / WA", "Keterangan"]
PERSON_1 = ["1", "Rahmawati Oktaviani", "6472054508949801", "P", "05/08/1994", "081255304417", ""]
PERSON_2 = ["2", "Yosef Mandagi", "7171031210909802", "L", "12/10/1990", "+62 853-4021-7786", ""]


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in their English source text."""
    with translation.override("en"):
        yield


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False):
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


def xlsx_bytes(rows=(), *, build=None, sheet_title="Peserta"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    if build:
        build(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def read_all(fileobj, **kwargs):
    sheet = read_sheet(fileobj, **kwargs)
    rows = list(sheet.rows)
    sheet.close()
    return sheet, rows


def refused(fileobj, **kwargs):
    with pytest.raises(SheetError) as caught:
        read_all(fileobj, **kwargs)
    return caught.value


def skipped(sheet):
    return [(s.number, s.reason_code) for s in sheet.skipped]


def texts(row):
    return {index: cell.text for index, cell in row.cells.items()}


def rezip(data: io.BytesIO, change):
    """A copy of a ZIP with each member's bytes passed through change(name, bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            zf.writestr(info.filename, change(info.filename, source.read(info)))
    out.seek(0)
    return out


# --- headers and columns ---------------------------------------------------------------------


def test_it_recognises_indonesian_headers_in_a_csv():
    sheet, rows = read_all(csv_bytes([HEADER_ID, PERSON_1, PERSON_2]))
    assert sheet.kind == "csv"
    assert [(c.index, c.header, c.code) for c in sheet.columns] == [
        (0, "No", "row_number"),
        (1, "Nama Lengkap", "full_name"),
        (2, "NIK", "nik"),
        (3, "L/P", "sex"),
        (4, "Tgl Lahir", "birth_date"),
        (5, "No HP / WA", "phone"),
        (6, "Keterangan", None),
    ]
    assert sheet.header_row == 1
    assert [r.number for r in rows] == [2, 3]
    assert texts(rows[1]) == {
        0: "2",
        1: "Yosef Mandagi",
        2: "7171031210909802",
        3: "L",
        4: "12/10/1990",
        5: "+62 853-4021-7786",
    }
    assert sheet.index("nik") == 2


def test_it_recognises_the_portals_english_column_names_in_an_xlsx():
    sheet, rows = read_all(
        xlsx_bytes(
            [
                ["full_name", "nik", "sex", "birth_date", "phone", "regency", "decile"],
                ["Endang Sri Lestari", "3310036303879803", "F", "23/03/1987", "0856", "Klaten", 2],
            ]
        )
    )
    assert sheet.kind == "xlsx"
    assert sheet.sheet_name == "Peserta"
    assert [c.code for c in sheet.columns] == [
        "full_name",
        "nik",
        "sex",
        "birth_date",
        "phone",
        "regency",
        "decile",
    ]
    assert sheet.unknown_columns == []
    assert rows[0].number == 2
    assert rows[0].cells[6].value == 2


def test_it_lists_unknown_columns_and_keeps_their_values():
    sheet, rows = read_all(
        csv_bytes(
            [["Nama", "NIK", "Lapas Asal", "Catatan"], ["Budi", "5104030312869809", "X", "Y"]]
        )
    )
    assert [(c.index, c.header) for c in sheet.unknown_columns] == [
        (2, "Lapas Asal"),
        (3, "Catatan"),
    ]
    assert rows[0].cells[2].text == "X"
    assert rows[0].cells[3].text == "Y"


def test_it_keeps_cells_in_columns_without_a_header():
    sheet, rows = read_all(csv_bytes([["Nama", "NIK", ""], ["Budi", "5104030312869809", "extra"]]))
    assert [c.index for c in sheet.columns] == [0, 1]
    assert rows[0].cells[2].text == "extra"


# --- CSV encodings and delimiters --------------------------------------------------------------


def test_it_reads_a_semicolon_csv_as_excel_writes_it_in_indonesia():
    sheet, rows = read_all(csv_bytes([HEADER_ID, PERSON_1], delimiter=";"))
    assert sheet.delimiter == ";"
    assert sheet.index("phone") == 5
    assert rows[0].cells[1].text == "Rahmawati Oktaviani"


def test_it_reads_a_tab_separated_file():
    sheet, rows = read_all(csv_bytes([HEADER_ID, PERSON_1], delimiter="\t"))
    assert sheet.delimiter == "\t"
    assert rows[0].cells[2].text == "6472054508949801"


def test_it_reads_utf8_with_a_bom_without_spoiling_the_first_header():
    sheet, rows = read_all(csv_bytes([["NIK", "Nama"], ["6472054508949801", "Siti"]], bom=True))
    assert sheet.encoding == "utf-8-sig"
    assert sheet.columns[0].header == "NIK"
    assert sheet.columns[0].code == "nik"


def test_it_falls_back_to_cp1252_for_a_csv_with_an_e_acute():
    sheet, rows = read_all(
        csv_bytes([["Nama", "NIK"], ["René Café", "6472054508949801"]], encoding="cp1252")
    )
    assert sheet.encoding == "cp1252"
    assert rows[0].cells[0].text == "René Café"


def test_it_reads_utf8_names_with_accents():
    sheet, rows = read_all(csv_bytes([["Nama", "NIK"], ["Lalu Muhammad Syafi’i", "1"]]))
    assert sheet.encoding == "utf-8"
    assert rows[0].cells[0].text == "Lalu Muhammad Syafi’i"


def test_it_reads_utf16_unicode_text_from_excel():
    data = io.BytesIO("NIK\tNama\r\n6472054508949801\tSiti\r\n".encode("utf-16"))
    sheet, rows = read_all(data)
    assert sheet.delimiter == "\t"
    assert texts(rows[0]) == {0: "6472054508949801", 1: "Siti"}


def test_it_does_not_refuse_csv_cells_that_start_like_formulas():
    sheet, rows = read_all(
        csv_bytes([["Nama", "NIK", "HP", "Catatan"], ["Budi", "-", "+6281192736650", "=1+1"]])
    )
    assert texts(rows[0]) == {0: "Budi", 1: "-", 2: "+6281192736650", 3: "=1+1"}
    assert rows[0].cells[3].is_number is False


def test_it_counts_a_quoted_multiline_cell_as_one_row():
    data = io.BytesIO(b'Nama,NIK,Alamat\nBudi,1,"Jl. Mawar 1\nDenpasar"\nSiti,2,Klaten\n')
    sheet, rows = read_all(data)
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].cells[2].text == "Jl. Mawar 1\nDenpasar"


# --- row numbers, titles and skipped rows ------------------------------------------------------


def test_it_numbers_rows_as_the_sheet_shows_them_when_titles_are_above_the_header():
    sheet, rows = read_all(
        xlsx_bytes(
            [
                ["DAFTAR PESERTA PROGRAM KESEMPATAN KEDUA"],
                ["Lapas Kelas IIA Kerobokan, November 2025"],
                [],
                HEADER_ID,
                PERSON_1,
                PERSON_2,
            ]
        )
    )
    assert sheet.header_row == 4
    assert [r.number for r in rows] == [5, 6]
    assert skipped(sheet) == [(1, SKIP_TITLE), (2, SKIP_TITLE), (3, SKIP_BLANK)]


def test_it_numbers_csv_rows_from_the_first_line_of_the_file():
    sheet, rows = read_all(csv_bytes([["Rekap peserta"], [""], HEADER_ID, PERSON_1]))
    assert sheet.header_row == 3
    assert rows[0].number == 4
    assert skipped(sheet) == [(1, SKIP_TITLE), (2, SKIP_BLANK)]


def test_it_skips_repeated_headers_blank_rows_and_footers_with_their_numbers():
    sheet, rows = read_all(
        csv_bytes(
            [
                HEADER_ID,  # 1
                PERSON_1,  # 2
                ["", "", "", "", "", "", ""],  # 3
                ["", "Jumlah: 1", "", "", "", "", ""],  # 4
                HEADER_ID,  # 5
                PERSON_2,  # 6
                ["", "TOTAL PESERTA", "", "", "", "", "2"],  # 7
                ["", "24"],  # 8: only a number
                ["3", "", "", "", "", "", ""],  # 9: only the running number
                ["Keterangan:"],  # 10
                ["", "P = Perempuan, L = Laki-laki"],  # 11: part of the notes
                ["", "", "", "", "Mengetahui,"],  # 12
                ["", "", "", "", "Kepala Lapas Kelas IIA Kerobokan"],  # 13
                ["", "", "", "", "(Nama Pejabat)"],  # 14
                ["", "", "", "", "NIP. 197801012000121001"],  # 15
                ["Dicetak pada 12/11/2025 10:15"],  # 16
            ]
        )
    )
    assert [r.number for r in rows] == [2, 6]
    assert skipped(sheet) == [
        (3, SKIP_BLANK),
        (4, SKIP_FOOTER),
        (5, SKIP_HEADER_REPEATED),
        (7, SKIP_FOOTER),
        (8, SKIP_FOOTER),
        (9, SKIP_BLANK),
        (10, SKIP_FOOTER),
        (11, SKIP_FOOTER),
        (12, SKIP_FOOTER),
        (13, SKIP_FOOTER),
        (14, SKIP_FOOTER),
        (15, SKIP_FOOTER),
        (16, SKIP_FOOTER),
    ]
    reasons = {s.number: s.reason_text for s in sheet.skipped}
    assert "Jumlah: 1" in reasons[4]
    assert "repeated" in reasons[5]
    assert "blank" in reasons[3]


def test_it_reads_data_again_after_a_footer_when_the_next_sheet_is_pasted_below():
    sheet, rows = read_all(
        csv_bytes([HEADER_ID, PERSON_1, ["Mengetahui,"], ["Kepala"], HEADER_ID, PERSON_2])
    )
    assert [r.number for r in rows] == [2, 6]
    assert skipped(sheet) == [(3, SKIP_FOOTER), (4, SKIP_FOOTER), (5, SKIP_HEADER_REPEATED)]


def test_it_never_takes_a_row_with_a_nik_for_a_footer():
    sheet, rows = read_all(
        csv_bytes([["Keterangan", "Nama", "NIK"], ["Total ganti rugi", "Budi", "5104030312869809"]])
    )
    assert [r.number for r in rows] == [2]
    assert sheet.skipped == []


def test_it_keeps_rows_that_miss_a_nik_or_a_name_for_the_importer_to_reject():
    sheet, rows = read_all(
        csv_bytes([HEADER_ID, ["1", "Marthen Latuheru", "-", "L"], ["2", "", "3509102506909813"]])
    )
    assert [r.number for r in rows] == [2, 3]


def test_it_fills_skipped_as_the_rows_are_consumed():
    sheet = read_sheet(csv_bytes([HEADER_ID, PERSON_1, [""], PERSON_2]))
    assert sheet.skipped == []
    first = next(sheet.rows)
    assert first.number == 2
    assert sheet.skipped == []
    assert next(sheet.rows).number == 4
    assert skipped(sheet) == [(3, SKIP_BLANK)]
    sheet.close()


# --- XLSX cell types -------------------------------------------------------------------------


def test_it_flags_a_nik_stored_as_a_number_in_an_xlsx_but_not_one_stored_as_text():
    sheet, rows = read_all(
        xlsx_bytes(
            [
                ["Nama", "NIK"],
                ["Bambang Triyono", 3674041706830000],
                ["Endang Sri Lestari", "3310036303879803"],
                ["Rusmiati", 3.67404e15],
            ]
        )
    )
    as_number, as_text, as_float = (row.cells[1] for row in rows)
    assert as_number.is_number is True
    assert as_number.text == "3674041706830000"
    assert as_text.is_number is False
    assert as_text.text == "3310036303879803"
    assert as_float.is_number is True
    assert as_float.text == "3674040000000000"


def test_it_flags_date_cells_and_keeps_excel_serial_numbers_as_numbers():
    sheet, rows = read_all(
        xlsx_bytes(
            [
                ["Nama", "NIK", "Tgl Lahir"],
                ["Endang", "3310036303879803", dt.datetime(1987, 3, 23)],
                ["Endang", "3310036303879803", 31859],
                ["Endang", "3310036303879803", "23/03/1987"],
            ]
        )
    )
    real_date, serial, text = (row.cells[2] for row in rows)
    assert real_date.is_date is True
    assert real_date.is_number is False
    assert real_date.value == dt.datetime(1987, 3, 23)
    assert real_date.text == "1987-03-23"
    assert serial.is_date is False
    assert serial.is_number is True
    assert serial.value == 31859
    assert text.is_date is False
    assert text.is_number is False


def test_it_numbers_xlsx_rows_with_gaps_as_the_sheet_shows_them():
    def build(workbook, sheet):
        sheet["A1"], sheet["B1"] = "Nama", "NIK"
        sheet["A2"], sheet["B2"] = "Budi", "5104030312869809"
        sheet["A7"], sheet["B7"] = "Siti", "3310036303879803"

    sheet, rows = read_all(xlsx_bytes(build=build))
    assert [r.number for r in rows] == [2, 7]
    assert skipped(sheet) == [(n, SKIP_BLANK) for n in range(3, 7)]


def test_it_reads_the_first_worksheet_with_a_header_and_names_the_others():
    def build(workbook, sheet):
        sheet["A1"] = "Petunjuk pengisian"
        data = workbook.create_sheet("Data")
        data.append(["NIK", "Nama"])
        data.append(["5104030312869809", "Budi"])
        workbook.create_sheet("Rekap")

    sheet, rows = read_all(xlsx_bytes(build=build))
    assert sheet.sheet_name == "Data"
    assert sheet.other_sheets == ["Peserta", "Rekap"]
    assert rows[0].cells[1].text == "Budi"


def test_it_reads_a_django_uploaded_file_and_a_path(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = csv_bytes([HEADER_ID, PERSON_1]).getvalue()
    upload = SimpleUploadedFile("peserta.xlsx", content)  # the name does not decide the type
    sheet, rows = read_all(upload)
    assert sheet.kind == "csv"
    assert rows[0].number == 2
    path = tmp_path / "peserta.csv"
    path.write_bytes(content)
    sheet, rows = read_all(path)
    assert sheet.filename == "peserta.csv"
    assert rows[0].number == 2


def test_it_names_columns_like_a_spreadsheet():
    assert [column_letter(i) for i in (0, 2, 25, 26, 16383)] == ["A", "C", "Z", "AA", "XFD"]


# --- whole-file refusals ---------------------------------------------------------------------


def test_it_refuses_a_pdf():
    error = refused(io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"))
    assert error.code == "not_a_spreadsheet"
    assert "PDF" in error.message


def test_it_refuses_random_bytes():
    error = refused(io.BytesIO(os.urandom(20_000)))
    assert error.code == "not_a_spreadsheet"


def test_it_refuses_a_file_over_the_byte_limit_before_reading_it():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    error = refused(Unreadable(os.urandom(1_500_000)), max_bytes=1_000_000)
    assert error.code == "too_large"
    assert "MB" in error.message


def test_it_refuses_an_unseekable_stream_over_the_limit_after_reading_just_past_it():
    class Stream(io.RawIOBase):
        def __init__(self):
            self.given = 0

        def readable(self):
            return True

        def seekable(self):
            return False

        def read(self, size=-1):
            size = 64 * 1024 if size < 0 else min(size, 64 * 1024)
            self.given += size
            return b"a" * size

    stream = Stream()
    error = refused(stream, max_bytes=1_000_000)
    assert error.code == "too_large"
    assert stream.given <= 1_000_001


def test_it_refuses_an_empty_file():
    assert refused(io.BytesIO(b"")).code == "empty"
    assert refused(io.BytesIO(b"\xef\xbb\xbf \r\n\r\n")).code == "empty"
    assert refused(csv_bytes([[",,,"], [",,"]])).code == "empty"
    assert refused(xlsx_bytes()).code == "empty"


def test_it_refuses_a_sheet_with_only_unknown_columns_and_shows_what_it_found():
    error = refused(csv_bytes([["Kolom A", "Kolom B"], ["x", "y"]]))
    assert error.code == "no_known_column"
    assert "Kolom A, Kolom B" in error.message
    assert refused(xlsx_bytes([["Foo", "Bar"], [1, 2]])).code == "no_known_column"


def test_it_refuses_an_old_xls_or_a_password_protected_workbook():
    error = refused(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))
    assert error.code == "unsupported_format"
    assert ".xls" in error.message


def test_it_refuses_an_html_table_saved_as_xls():
    error = refused(io.BytesIO(b"<html><body><table><tr><td>NIK</td></tr></table></body></html>"))
    assert error.code == "unsupported_format"
    assert "HTML" in error.message


def test_it_refuses_a_zip_that_is_not_a_workbook():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    data.seek(0)
    assert refused(data).code == "not_a_spreadsheet"


def test_it_refuses_a_damaged_workbook():
    data = xlsx_bytes([["NIK", "Nama"]]).getvalue()
    assert refused(io.BytesIO(data[: len(data) // 2])).code == "unreadable"


@pytest.fixture(scope="module")
def zip_bomb():
    """A file named like an xlsx: 50 MB of zeros declared, about 50 KB on disk."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(50):
                member.write(zeros)
    return data.getvalue()


def test_it_refuses_a_zip_bomb_by_its_compression_ratio_before_opening_it(zip_bomb):
    assert len(zip_bomb) < 200_000
    error = refused(io.BytesIO(zip_bomb), filename="peserta.xlsx")
    assert error.code == "zip_bomb"
    assert "xl/worksheets/sheet1.xml" in error.message


def test_it_refuses_a_workbook_that_unpacks_beyond_the_size_limit(zip_bomb):
    error = refused(io.BytesIO(zip_bomb), max_uncompressed=10 * 1024 * 1024, max_ratio=10_000)
    assert error.code == "zip_bomb"
    assert "unpacks" in error.message


def test_it_refuses_a_formula_anywhere_and_names_the_cell():
    def build(workbook, sheet):
        sheet["C7"] = "=1+1"

    error = refused(
        xlsx_bytes([["Nama", "NIK", "Umur"], ["Budi", "5104030312869809", 30]], build=build)
    )
    assert error.code == "formula"
    assert "C7" in error.message
    assert "Peserta" in error.message


def test_it_refuses_a_formula_on_another_worksheet_too():
    def build(workbook, sheet):
        workbook.create_sheet("Rekap")["B2"] = "=COUNTA(Peserta!A:A)"

    error = refused(xlsx_bytes([["Nama", "NIK"], ["Budi", "5104030312869809"]], build=build))
    assert error.code == "formula"
    assert "B2" in error.message
    assert "Rekap" in error.message


def test_it_accepts_a_drop_down_list_whose_source_is_written_as_a_formula_outside_the_cells():
    data = xlsx_bytes([["Nama", "NIK", "L/P"], ["Budi", "5104030312869809", "L"]])
    validation = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="1" '
        b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:dataValidation type="list"><x14:formula1><xm:f>Pilihan!$A$1:$A$2</xm:f>'
        b"</x14:formula1><xm:sqref>C2:C100</xm:sqref></x14:dataValidation>"
        b"</x14:dataValidations></ext></extLst></worksheet>"
    )

    def change(name, content):
        if name.startswith("xl/worksheets/"):
            content = content.replace(b"</worksheet>", validation)
        return content

    with pytest.warns(UserWarning):  # openpyxl drops the extension it does not support
        sheet, rows = read_all(rezip(data, change))
    assert rows[0].cells[2].text == "L"


def test_it_refuses_a_formula_written_with_a_namespace_prefix():
    data = xlsx_bytes([["Nama", "NIK"], ["Budi", "5104030312869809"]])

    def change(name, content):
        if name.startswith("xl/worksheets/"):
            content = content.replace(
                b"</sheetData>",
                b'<x:row r="3"><x:c r="B3"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row></sheetData>',
            )
        return content

    error = refused(rezip(data, change))
    assert error.code == "formula"
    assert "B3" in error.message


def test_it_refuses_a_sheet_whose_dimension_claims_more_rows_than_excel_allows():
    data = xlsx_bytes([["Nama", "NIK"], ["Budi", "5104030312869809"]])

    def change(name, content):
        if name.startswith("xl/worksheets/"):
            content, count = re.subn(
                rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K1048577"', content
            )
            assert count == 1
        return content

    error = refused(rezip(data, change))
    assert error.code == "too_many_rows"
    assert "1,048,577" in error.message
    assert "1,048,576" in error.message


def test_it_refuses_a_doctype_in_a_workbook_part():
    data = xlsx_bytes([["Nama", "NIK"]])

    def change(name, content):
        if name == "xl/workbook.xml":
            doctype = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'
            if b"?>" in content:
                content = content.replace(b"?>", b"?>" + doctype, 1)
            else:
                content = doctype + content
        return content

    assert refused(rezip(data, change)).code == "unsafe_xml"


def test_it_refuses_more_rows_than_the_limit_before_reading_any():
    people = [["Budi", f"51040303128698{i:02d}"] for i in range(10)]
    error = refused(xlsx_bytes([["Nama", "NIK"], *people]), max_rows=5)
    assert error.code == "too_many_rows"
    assert "5" in error.message
    error = refused(csv_bytes([["Nama", "NIK"], *people]), max_rows=5)
    assert error.code == "too_many_rows"
    sheet, rows = read_all(csv_bytes([["Nama", "NIK"], *people]), max_rows=11)
    assert len(rows) == 10


def test_it_counts_csv_records_not_lines_against_the_row_limit():
    data = io.BytesIO(b'Nama,NIK,Alamat\nBudi,1,"a\nb\nc\nd"\nSiti,2,"e\nf\ng"\n')
    sheet, rows = read_all(data, max_rows=3)
    assert len(rows) == 2


# --- memory ----------------------------------------------------------------------------------


def test_it_streams_a_large_csv_without_holding_the_rows(tmp_path):
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Nama Lengkap;NIK;No HP / WA\r\n")
        for i in range(50_000):
            out.write(f"Peserta Nomor {i};51040303128{i:05d};0821446{i:05d}\r\n")
    started = time.perf_counter()
    tracemalloc.start()
    try:
        with path.open("rb") as source, read_sheet(source) as sheet:
            count = 0
            for row in sheet.rows:
                count += 1
                last = row
            _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert last.number == 50_001
    # Holding the rows would take tens of MB; streaming keeps about one 1 MB read buffer.
    assert peak < 4 * 1024 * 1024, peak
    assert time.perf_counter() - started < 10
