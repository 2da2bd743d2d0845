"""Reading a participant spreadsheet (CSV or XLSX) safely into rows, for the importer.

`read_sheet(fileobj)` returns a `Sheet`: its columns (recognised by `participants.columns`), its
unknown columns, and `rows`, a generator of `Row(number, cells)` that reads the file lazily, so
memory does not grow with the file. Rows that are not data are not yielded but recorded in
`Sheet.skipped` as they are met. A file that cannot be imported at all raises `SheetError(code,
message)` (the import command exits with status 2).

File type is decided by content, never by the file name:
- XLSX (a ZIP with xl/workbook.xml). Old .xls and password-protected workbooks (OLE2), .xlsb,
  .ods, HTML or XML saved as ".xls", PDFs and binary files are refused with their own message.
- Anything else that is text is CSV. Encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel's
  "Unicode text"); else cp1252, else latin-1 (the whole file is checked, so a stray "é" on row
  40,000 is not a crash). Delimiter: comma, semicolon, tab or "|", the one under which the header
  is recognised (Indonesian Excel writes semicolons). A CSV cell starting with "=", "+", "-" or "@"
  is plain data (phones such as +62..., negative numbers): only real XLSX formulas are refused.

Whole-file refusals, checked before the rows are read (codes are stable):
- `too_large`: more than `max_bytes` (setting IMPORT_MAX_BYTES, default 50 MB), checked from the
  size before reading.
- `empty`: no bytes, or no cell with a value. `not_a_spreadsheet`, `unsupported_format`.
- `zip_bomb`: the XLSX's declared uncompressed size is above `max_uncompressed` (default
  100 MB), a part larger than 1 MB is compressed more than `max_ratio` (default 100) times, or
  it has more than 2,000 parts. Checked from the ZIP directory, before openpyxl opens it; the
  declared sizes bound what zipfile will inflate.
- `unsafe_xml`: a DOCTYPE or ENTITY declaration in any XML part (Excel never writes them).
- `formula`: a formula in any cell of any worksheet; the message names the sheet and cell
  ("C7"). Formulas are not data: the sender pastes values only.
- `too_many_rows`: a worksheet's declared dimension or row numbers beyond Excel's 1,048,576 rows,
  or more than `max_rows` rows (setting IMPORT_MAX_ROWS, default 500,000; the row numbers as
  shown, title rows included).
  For XLSX every worksheet is pre-scanned (a fast byte scan, no parsing) and for CSV the lines are
  counted, so the refusal comes before any row is read. `too_many_columns`: beyond column XFD.
- `no_known_column`: no header row found (below). `unreadable`: a damaged file or encoding.

Header: the first row, among the first 20 non-blank rows, where at least two cells are known
columns or one is the NIK or the full name. Rows above it are skipped as SKIP_TITLE (blank ones as
SKIP_BLANK). In an XLSX the first worksheet with such a header row is read; the others are
ignored (their names are in `Sheet.other_sheets`, so the importer can say so).

Row numbers are those the spreadsheet program shows: the first line of the file is row 1,
whatever is above the header. For a CSV a quoted cell spanning lines is one row.

Skipped rows (`Skipped(number, reason_code, reason_text)`):
- SKIP_BLANK: no value, or only the running number ("No") column filled.
- SKIP_HEADER_REPEATED: a header row again (sheets pasted together): at least two cells (one if
  the header has a single known column) are header texts, and they are at least half the row.
- SKIP_FOOTER: the first filled cell starts with a total word (Jumlah, Total, Subtotal, Grand
  total, Rekap), a note word (Keterangan, Catatan, Ket., NB, Sumber, Note) or a sign-off word
  (Mengetahui, Diketahui, Menyetujui, Disetujui, Hormat kami, Dicetak, Printed, Dibuat oleh,
  Disusun oleh, Diperiksa, Ttd, Tanda tangan, Kepala, a.n.); or the row holds one number only
  (at most 9 digits, not in a NIK, KK or phone column), e.g. a count. After a note or sign-off
  row, the following rows are footer too (names, titles, NIP of the signatory) until a repeated
  header or a row with a NIK-like value. A row whose NIK column holds 10 or more digits is never
  a footer, whatever its first cell says.

Cells: `Row.cells` maps the column index (0 = column A) to a `Cell`; blank cells are left out,
and cells in columns without a header are kept (their index is not in `Sheet.columns`).
`Cell.text` is the text (XLSX numbers without ".0", dates as ISO); `Cell.value` the Python value
(str for CSV; int, float, datetime, bool or str for XLSX); `is_number` is true when the XLSX cell
was a number (a NIK stored as a number has lost digits: the importer refuses it), `is_date` when
it was a date (Excel serial numbers in General format stay numbers, for `normalise.parse_date`).

The sheet holds open resources while `rows` is consumed: use it as a context manager or call
`close()`. `rows` can be iterated once.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .columns import ROW_NUMBER, canonical, header_key

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000


def byte_limit():
    """The largest sheet accepted: the setting IMPORT_MAX_BYTES, read at each call."""
    return getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES)


def row_limit():
    """The most rows a sheet may have: the setting IMPORT_MAX_ROWS, read at each call."""
    return getattr(settings, "IMPORT_MAX_ROWS", MAX_ROWS)


MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ZIP_MEMBERS = 2_000
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
HEADER_SCAN_ROWS = 20  # non-blank rows looked at for the header
HEADER_SCAN_LIMIT = 100  # rows read at most while looking for it
SNIFF_BYTES = 64 * 1024
_RATIO_MIN_SIZE = 1024 * 1024  # parts smaller than this cannot make a bomb
_CHUNK = 1024 * 1024
_DELIMITERS = (",", ";", "\t", "|")

SKIP_BLANK = "SKIP_BLANK"
SKIP_TITLE = "SKIP_TITLE"
SKIP_HEADER_REPEATED = "SKIP_HEADER_REPEATED"
SKIP_FOOTER = "SKIP_FOOTER"


class SheetError(Exception):
    """The whole file is refused; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self):
        return self.message


class Cell(NamedTuple):
    text: str
    value: object
    is_number: bool = False
    is_date: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    cells: dict[int, Cell]

    def get(self, index: int | None) -> Cell | None:
        return None if index is None else self.cells.get(index)


@dataclass(frozen=True, slots=True)
class Skipped:
    number: int
    reason_code: str
    reason_text: str


class SheetColumn(NamedTuple):
    index: int
    header: str
    code: str | None


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> "A", 26 -> "AA")."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(eq=False)
class Sheet:
    kind: str  # "csv" or "xlsx"
    columns: list[SheetColumn]
    header_row: int
    filename: str = ""
    encoding: str = ""  # CSV only
    delimiter: str = ""  # CSV only
    sheet_name: str = ""  # XLSX only
    other_sheets: list[str] = field(default_factory=list)  # XLSX worksheets not read
    skipped: list[Skipped] = field(default_factory=list)
    rows: Iterator[Row] = field(default_factory=lambda: iter(()), repr=False)
    _closers: list = field(default_factory=list, repr=False)

    @property
    def unknown_columns(self) -> list[SheetColumn]:
        return [column for column in self.columns if column.code is None]

    def indexes(self, code: str) -> list[int]:
        """The indexes of the columns with this code (a sheet may repeat a column)."""
        return [column.index for column in self.columns if column.code == code]

    def index(self, code: str) -> int | None:
        found = self.indexes(code)
        return found[0] if found else None

    def close(self):
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- entry point -----------------------------------------------------------------------------


def read_sheet(
    fileobj,
    *,
    filename: str = "",
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_ratio: float = MAX_RATIO,
) -> Sheet:
    """Open a CSV or XLSX file (a binary file object, or a path) and find its header.

    The limits default to the settings IMPORT_MAX_BYTES and IMPORT_MAX_ROWS, read at each call.
    Raises SheetError for a file that cannot be imported. The caller closes the Sheet."""
    if max_bytes is None:
        max_bytes = byte_limit()
    if max_rows is None:
        max_rows = row_limit()
    closers = []
    if isinstance(fileobj, str | os.PathLike):
        filename = filename or os.path.basename(fileobj)
        size = os.path.getsize(fileobj)
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        fileobj = open(fileobj, "rb")  # noqa: SIM115 - closed by Sheet.close()
        closers.append(fileobj.close)
    try:
        stream, size = _seekable(fileobj, max_bytes, closers)
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        if size == 0:
            raise SheetError("empty", _("The file is empty."))
        stream.seek(0)
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(b"PK\x03\x04"):
            reader = _XlsxReader(stream, max_rows, max_uncompressed, max_ratio, closers)
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            raise SheetError(
                "unsupported_format",
                _(
                    "This is an old Excel file (.xls) or a password-protected workbook. Remove "
                    "any password and save it as an Excel workbook (.xlsx) or CSV."
                ),
            )
        elif head.startswith(b"%PDF"):
            raise SheetError(
                "not_a_spreadsheet",
                _(
                    "This is a PDF document, not a spreadsheet. Send the data as an Excel "
                    "workbook (.xlsx) or a CSV file."
                ),
            )
        else:
            reader = _CsvReader(stream, size, max_rows, closers)
        sheet = reader.open()
        sheet.filename = filename
        sheet._closers = closers
        return sheet
    except BaseException:
        for close in reversed(closers):
            close()
        raise


def _too_large(size, limit):
    return SheetError(
        "too_large",
        _("The file is %(size)s, more than the limit of %(limit)s. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def _seekable(fileobj, max_bytes, closers):
    """The file as a seekable binary stream and its size; an unseekable one is copied (at most
    max_bytes + 1 bytes) to a temporary file."""
    if not isinstance(fileobj, io.IOBase) and isinstance(getattr(fileobj, "file", None), io.IOBase):
        fileobj = fileobj.file  # Django's File and UploadedFile wrap a real file object
    seekable = getattr(fileobj, "seekable", None)
    if seekable is not None and seekable():
        size = getattr(fileobj, "size", None)  # Django's UploadedFile
        if not isinstance(size, int):
            fileobj.seek(0, io.SEEK_END)
            size = fileobj.tell()
        return fileobj, size
    copy = tempfile.SpooledTemporaryFile(max_size=_CHUNK)  # noqa: SIM115 - closed by Sheet
    closers.append(copy.close)
    size = 0
    while size <= max_bytes:
        chunk = fileobj.read(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            break
        copy.write(chunk)
        size += len(chunk)
    return copy, size


# --- header and row classification -----------------------------------------------------------


def _header_codes(cells: dict[int, Cell]) -> dict[int, str]:
    codes = {}
    for index, cell in cells.items():
        if isinstance(cell.value, str):
            code = canonical(cell.text)
            if code:
                codes[index] = code
    return codes


def _is_header(cells: dict[int, Cell]) -> int:
    """The number of known columns when this row is a header row, else 0."""
    codes = _header_codes(cells)
    if len(codes) >= 2 or {"nik", "full_name"} & set(codes.values()):
        return len(codes)
    return 0


def _scan_header(rows: Iterator[tuple[int, dict]]):
    """Read rows until the header row (the iterator then continues below it). Returns (header,
    before): the header row as (number, cells), or None, and the rows read above it."""
    before = []
    non_blank = 0
    for number, cells in rows:
        if cells and _is_header(cells):
            return (number, cells), before
        before.append((number, cells))
        if cells:
            non_blank += 1
        if non_blank >= HEADER_SCAN_ROWS or len(before) >= HEADER_SCAN_LIMIT:
            break
    return None, before


def _no_known_column(before):
    found = []
    for _number, cells in before:
        if cells:
            found = [cells[i].text.strip()[:40] for i in sorted(cells)][:10]
            break
    return SheetError(
        "no_known_column",
        _(
            "No known column header was found in the first %(rows)d rows (the first row has: "
            "%(found)s). The sheet needs at least a NIK or a Nama Lengkap column; the template "
            "shows the column names."
        )
        % {"rows": HEADER_SCAN_ROWS, "found": ", ".join(found) or "-"},
    )


_DIGIT = re.compile(r"\d")
_TEN_DIGITS = re.compile(r"(?:\D*\d){10}")
_NUMBER_ONLY = re.compile(r"^[\d.,\s]+$")
_TOTAL_WORDS = r"jumlah|total|sub\s*total|grand\s*total|rekap(?:itulasi)?"
_NOTE_WORDS = r"keterangan|catatan|ket\.|ket:|nb\b|n\.b\.|sumber|notes?\b"
_SIGN_WORDS = (
    r"mengetahui|diketahui|menyetujui|disetujui|hormat\s+kami|dicetak|printed|dibuat\s+oleh"
    r"|disusun\s+oleh|diperiksa|ttd|tanda\s+tangan|kepala|a\.\s?n\."
)
_FOOTER_TOTAL = re.compile(rf"^\s*(?:{_TOTAL_WORDS})(?![a-z])", re.IGNORECASE)
_FOOTER_ZONE = re.compile(rf"^\s*(?:{_NOTE_WORDS}|{_SIGN_WORDS})(?![a-z])", re.IGNORECASE)
_ID_CODES = frozenset({"nik", "kk_number", "phone", "second_phone"})


class _Classifier:
    """Decides, row by row, whether a row is data or is skipped (and why)."""

    def __init__(self, columns: list[SheetColumn], skipped: list[Skipped]):
        self.skipped = skipped
        self.header_keys = {c.index: header_key(c.header) for c in columns}
        self.codes = {c.index: c.code for c in columns}
        self.row_number_indexes = {c.index for c in columns if c.code == ROW_NUMBER}
        self.nik_indexes = [c.index for c in columns if c.code == "nik"]
        known = sum(1 for c in columns if c.code)
        self.header_matches_needed = 1 if known <= 1 else 2
        self.footer_zone = False

    def skip(self, number, code, text):
        self.skipped.append(Skipped(number, code, text))

    def rows(self, rows: Iterable[tuple[int, dict]]) -> Iterator[Row]:
        for number, cells in rows:
            reason = self.reason(cells)
            if reason is None:
                yield Row(number, cells)
            else:
                self.skip(number, *reason)

    def reason(self, cells):
        if not cells:
            return SKIP_BLANK, _("The row is blank.")
        if len(cells) <= len(self.row_number_indexes) and all(
            i in self.row_number_indexes and _NUMBER_ONLY.match(cells[i].text) for i in cells
        ):
            return SKIP_BLANK, _("Only the running number is filled.")
        nik_like = self.nik_like(cells)
        if not nik_like and self.is_repeated_header(cells):
            self.footer_zone = False
            return SKIP_HEADER_REPEATED, _("The header row is repeated here.")
        if nik_like:
            self.footer_zone = False
            return None
        first = cells[
            min((i for i in cells if i not in self.row_number_indexes), default=min(cells))
        ]
        if _FOOTER_ZONE.match(first.text):
            self.footer_zone = True
            return SKIP_FOOTER, _("A note or signature below the data (%(text)s).") % {
                "text": first.text.strip()[:40]
            }
        if self.footer_zone:
            return SKIP_FOOTER, _("Part of the notes or signature below the data.")
        if _FOOTER_TOTAL.match(first.text):
            return SKIP_FOOTER, _("A total row (%(text)s).") % {"text": first.text.strip()[:40]}
        if len(cells) == 1:
            ((index, cell),) = cells.items()
            if (
                self.codes.get(index) not in _ID_CODES
                and (cell.is_number or _NUMBER_ONLY.match(cell.text))
                and len(_DIGIT.findall(cell.text)) <= 9
            ):
                return SKIP_FOOTER, _("A row with only a number (%(text)s), such as a total.") % {
                    "text": cell.text.strip()[:40]
                }
        return None

    def nik_like(self, cells) -> bool:
        for index in self.nik_indexes:
            cell = cells.get(index)
            if cell is not None and _TEN_DIGITS.match(cell.text):
                return True
        return False

    def is_repeated_header(self, cells) -> bool:
        matches = 0
        for index, cell in cells.items():
            if not isinstance(cell.value, str) or len(cell.text) > 60:
                continue
            key = header_key(cell.text)
            if key and (key == self.header_keys.get(index) or canonical(cell.text)):
                matches += 1
        return matches >= self.header_matches_needed and matches * 2 >= len(cells)


def _make_sheet(kind, header, before, rest, max_rows, **extra) -> Sheet:
    """Build the Sheet from the header row, the rows above it and the iterator of the others."""
    number, cells = header
    columns = [
        SheetColumn(index, cells[index].text.strip(), canonical(cells[index].text))
        for index in sorted(cells)
    ]
    sheet = Sheet(kind=kind, columns=columns, header_row=number, **extra)
    for above, above_cells in before:
        if above_cells:
            sheet.skipped.append(
                Skipped(above, SKIP_TITLE, _("A title or note above the header row."))
            )
        else:
            sheet.skipped.append(Skipped(above, SKIP_BLANK, _("The row is blank.")))
    classifier = _Classifier(columns, sheet.skipped)
    sheet.rows = classifier.rows(_limit_rows(rest, max_rows))
    return sheet


def _limit_rows(rows, max_rows):
    for number, cells in rows:
        if number > max_rows:
            raise _too_many_rows(max_rows)
        yield number, cells


def _too_many_rows(max_rows):
    return SheetError(
        "too_many_rows",
        _("The sheet has more than %(limit)s rows. Split it into smaller files.")
        % {"limit": f"{max_rows:,}"},
    )


# --- CSV -------------------------------------------------------------------------------------

_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class _CsvReader:
    def __init__(self, stream, size, max_rows, closers):
        self.stream = stream
        self.size = size
        self.max_rows = max_rows
        self.closers = closers

    def open(self) -> Sheet:
        sample = self.stream.read(SNIFF_BYTES)
        self.stream.seek(0)
        encoding = self.detect_encoding(sample)
        if not encoding.startswith("utf-16"):
            controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
            if b"\x00" in sample or controls > len(sample) // 100:
                raise SheetError(
                    "not_a_spreadsheet",
                    _(
                        "This file is not a spreadsheet: it is neither an Excel workbook "
                        "(.xlsx) nor a CSV text file."
                    ),
                )
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(sample, final=len(sample) >= self.size)
        except UnicodeDecodeError as error:
            raise _unreadable_text(error) from error
        text = text.lstrip("\ufeff")
        if not text.strip():
            raise SheetError("empty", _("The file is empty."))
        if text.lstrip().startswith("<"):
            raise SheetError(
                "unsupported_format",
                _(
                    "This is a web page (HTML) or XML file, not a spreadsheet, even if its name "
                    "ends in .xls. Open it in Excel and save it as an Excel workbook (.xlsx) or "
                    "CSV."
                ),
            )
        if len(sample) < self.size:  # drop the last, possibly cut, line
            text = text[: text.rfind("\n") + 1] or text
        delimiter = self.detect_delimiter(text)
        self.count_rows(encoding, delimiter)
        rows = self.rows(encoding, delimiter)
        self.closers.append(rows.close)
        header, before = _scan_header(rows)
        if header is None:
            if not any(cells for _n, cells in before) and next(rows, None) is None:
                raise SheetError("empty", _("The file has no data: every cell is empty."))
            raise _no_known_column(before)
        return _make_sheet(
            "csv", header, before, rows, self.max_rows, encoding=encoding, delimiter=delimiter
        )

    def detect_encoding(self, sample: bytes) -> str:
        if sample.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        for encoding in ("utf-8", "cp1252"):
            if self.decodes(encoding):
                return encoding
        return "latin-1"

    def decodes(self, encoding) -> bool:
        """Whether the whole file decodes; streamed, nothing kept."""
        decoder = codecs.getincrementaldecoder(encoding)()
        self.stream.seek(0)
        try:
            while chunk := self.stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        finally:
            self.stream.seek(0)
        return True

    @staticmethod
    def detect_delimiter(text: str) -> str:
        best, best_score = None, (0, 0)
        widest, widest_count = ",", 0
        for delimiter in _DELIMITERS:
            rows = []
            try:
                for record in csv.reader(io.StringIO(text), delimiter=delimiter):
                    rows.append((len(rows) + 1, _csv_cells(record), len(record)))
                    if len(rows) >= HEADER_SCAN_LIMIT:
                        break
            except csv.Error:
                continue
            header, _before = _scan_header((n, cells) for n, cells, _width in rows)
            if header is not None:
                score = (_is_header(header[1]), len(header[1]))
                if score > best_score:
                    best, best_score = delimiter, score
            width = max((width for _n, _cells, width in rows), default=0)
            if width > widest_count:
                widest, widest_count = delimiter, width
        return best or widest

    def count_rows(self, encoding, delimiter):
        """Refuse a file with more than max_rows rows before reading any: count the line breaks
        (fast), and only when there are too many, the records (a quoted cell may hold some)."""
        lines = 0
        last = b""
        self.stream.seek(0)
        while chunk := self.stream.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        self.stream.seek(0)
        if last != b"\n":
            lines += 1
        if lines <= self.max_rows:
            return
        rows = self.rows(encoding, delimiter, cells=False)
        try:
            for number, _cells in rows:
                if number > self.max_rows:
                    raise _too_many_rows(self.max_rows)
        finally:
            rows.close()

    def rows(self, encoding, delimiter, *, cells=True) -> Iterator[tuple[int, dict]]:
        self.stream.seek(0)
        wrapper = io.TextIOWrapper(self.stream, encoding=encoding, newline="")
        number = 0
        try:
            for number, record in enumerate(csv.reader(wrapper, delimiter=delimiter), 1):  # noqa: B007
                if number == 1 and record and record[0].startswith("\ufeff"):
                    record[0] = record[0][1:]
                yield number, (_csv_cells(record) if cells else None)
        except UnicodeDecodeError as error:
            raise _unreadable_text(error, number + 1) from error
        except csv.Error as error:
            raise SheetError(
                "unreadable",
                _("Row %(row)d of the CSV file cannot be read (%(error)s).")
                % {"row": number + 1, "error": error},
            ) from error
        finally:
            wrapper.detach()


def _csv_cells(record: list[str]) -> dict[int, Cell]:
    return {i: Cell(text, text) for i, text in enumerate(record) if text.strip()}


def _unreadable_text(error, row=None):
    return SheetError(
        "unreadable",
        _("The text of the file cannot be decoded%(where)s: save it as CSV UTF-8.")
        % {"where": _(" (row %(row)d)") % {"row": row} if row else ""},
    )


# --- XLSX ------------------------------------------------------------------------------------

_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|f|dimension)(?=[\s/>])([^>]*)>")
_ROW_R = re.compile(rb'\br\s*=\s*["\'](\d+)["\']')
_REF = re.compile(rb'\bref\s*=\s*["\']([^"\']*)["\']')
_CELL_R = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*["\']([A-Z]{1,3}\d+)["\']')
_OPEN_CELL_END = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c(?:\s[^>]*[^/>])?\s*>\s*$|<(?:[A-Za-z_][\w.-]*:)?c>\s*$"
)
_DIMENSION_PART = re.compile(r"([A-Z]{1,4})(\d+)$")
_UNSAFE_XML = (b"<!DOCTYPE", b"<!ENTITY", b"<\x00!\x00D\x00O\x00C\x00", b"<\x00!\x00E\x00N\x00")


@dataclass
class _SheetScan:
    formula_cell: str = ""
    last_row: int = 0


def _letters_to_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


class _XlsxReader:
    def __init__(self, stream, max_rows, max_uncompressed, max_ratio, closers):
        self.stream = stream
        self.max_rows = max_rows
        self.max_uncompressed = max_uncompressed
        self.max_ratio = max_ratio
        self.closers = closers

    def open(self) -> Sheet:
        try:
            archive = zipfile.ZipFile(self.stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise _unreadable(error) from error
        self.closers.append(archive.close)
        self.check_archive(archive)
        scans = {}
        for info in archive.infolist():
            if _XML_PART.search(info.filename):
                scans[info.filename] = self.scan_part(archive, info)
        workbook = self.load(archive)
        titles = {getattr(ws, "_worksheet_path", ""): ws.title for ws in workbook.worksheets}
        for path, scan in scans.items():
            if scan.formula_cell:
                raise SheetError(
                    "formula",
                    _(
                        "Cell %(cell)s of the sheet %(sheet)s holds a formula. Formulas are not "
                        "data and are refused for safety: copy the sheet, paste it as values "
                        "only, and send the file again."
                    )
                    % {"cell": scan.formula_cell, "sheet": titles.get(path, path)},
                )
        return self.choose_sheet(workbook)

    def check_archive(self, archive):
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if len(infos) > MAX_ZIP_MEMBERS:
            raise SheetError(
                "zip_bomb",
                _("The workbook has %(count)d parts, more than %(limit)d: it may be a zip bomb.")
                % {"count": len(infos), "limit": MAX_ZIP_MEMBERS},
            )
        if "xl/workbook.xml" not in names:
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 200
                and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
            ):
                raise SheetError(
                    "unsupported_format",
                    _(
                        "This is an OpenDocument file (.ods). Save it as an Excel workbook "
                        "(.xlsx) or CSV."
                    ),
                )
            if "xl/workbook.bin" in names:
                raise SheetError(
                    "unsupported_format",
                    _(
                        "This is an Excel binary workbook (.xlsb). Save it as an Excel workbook "
                        "(.xlsx) or CSV."
                    ),
                )
            raise SheetError(
                "not_a_spreadsheet",
                _("This is a ZIP archive but not an Excel workbook (.xlsx)."),
            )
        total = sum(info.file_size for info in infos)
        if total > self.max_uncompressed:
            raise SheetError(
                "zip_bomb",
                _(
                    "The workbook unpacks to %(size)s, more than the limit of %(limit)s: it may "
                    "be a zip bomb."
                )
                % {"size": filesizeformat(total), "limit": filesizeformat(self.max_uncompressed)},
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise SheetError(
                    "unreadable",
                    _("The workbook is encrypted. Remove the password and send it again."),
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_MIN_SIZE and ratio > self.max_ratio:
                raise SheetError(
                    "zip_bomb",
                    _(
                        "The part %(name)s of the workbook is compressed %(ratio)d times, more "
                        "than %(limit)d: it may be a zip bomb."
                    )
                    % {"name": info.filename, "ratio": ratio, "limit": self.max_ratio},
                )

    def scan_part(self, archive, info) -> _SheetScan:
        """A byte scan of one XML part, without parsing: refuse DOCTYPE/ENTITY; in worksheets,
        find the first formula cell, the dimension and the last row number."""
        scan = _SheetScan()
        is_sheet = info.filename.startswith("xl/worksheets/")
        carry = context = b""
        try:
            with archive.open(info) as source:
                while True:
                    chunk = source.read(_CHUNK)
                    buffer = carry + chunk
                    if chunk:
                        cut = buffer.rfind(b"<")
                        if cut <= 0:
                            carry = buffer
                            continue
                        part, carry = buffer[:cut], buffer[cut:]
                    else:
                        part, carry = buffer, b""
                    if any(marker in context[-16:] + part for marker in _UNSAFE_XML):
                        raise SheetError(
                            "unsafe_xml",
                            _(
                                "The workbook's part %(name)s declares a DOCTYPE or ENTITY, which "
                                "Excel never writes; it is refused for safety."
                            )
                            % {"name": info.filename},
                        )
                    if is_sheet:
                        self.scan_sheet_bytes(scan, context, part)
                    context = part[-8192:]
                    if not chunk:
                        break
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
            raise _unreadable(error) from error
        return scan

    def scan_sheet_bytes(self, scan, context, part):
        for match in _SHEET_TAG.finditer(part):
            tag, attrs = match.group(1), match.group(2)
            if tag == b"row":
                found = _ROW_R.search(attrs)
                number = int(found.group(1)) if found else scan.last_row + 1
                if number > EXCEL_MAX_ROWS:
                    raise self.beyond_excel(number)
                if not attrs.rstrip().endswith(b"/"):  # a row with cells
                    scan.last_row = max(scan.last_row, number)
                    if number > self.max_rows:
                        raise _too_many_rows(self.max_rows)
            elif tag == b"f":
                # A cell formula is the first child of <c>; an <xm:f> elsewhere (a drop-down
                # list's source in extLst) is not a cell and is allowed.
                window = (context + part[: match.start()])[-8192:]
                if not scan.formula_cell and _OPEN_CELL_END.search(window):
                    cells = _CELL_R.findall(window)
                    scan.formula_cell = cells[-1].decode() if cells else "?"
            else:  # dimension
                self.check_dimension(attrs)

    def check_dimension(self, attrs):
        found = _REF.search(attrs)
        if not found:
            return
        for end in found.group(1).decode("ascii", "replace").upper().split(":"):
            parsed = _DIMENSION_PART.search(end.replace("$", ""))
            if not parsed:
                continue
            if int(parsed.group(2)) > EXCEL_MAX_ROWS:
                raise self.beyond_excel(int(parsed.group(2)))
            if _letters_to_number(parsed.group(1)) > EXCEL_MAX_COLUMNS:
                raise SheetError(
                    "too_many_columns",
                    _(
                        "A sheet claims columns beyond XFD, Excel's last column: the file is "
                        "damaged or was not made by a spreadsheet program."
                    ),
                )

    @staticmethod
    def beyond_excel(number):
        return SheetError(
            "too_many_rows",
            _(
                "A sheet claims %(rows)s rows, more than Excel's limit of 1,048,576: the file is "
                "damaged or was not made by a spreadsheet program."
            )
            % {"rows": f"{number:,}"},
        )

    def load(self, archive):
        from openpyxl import load_workbook

        self.stream.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = load_workbook(
                    self.stream, read_only=True, data_only=False, keep_links=False
                )
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise _unreadable(error) from error
        self.closers.append(workbook.close)
        return workbook

    def choose_sheet(self, workbook) -> Sheet:
        first_before = None
        all_blank = True
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # a wrong dimension would cut the rows
            rows = self.rows(worksheet)
            self.closers.append(rows.close)
            header, before = _scan_header(rows)
            if header is not None:
                others = [ws.title for ws in workbook.worksheets if ws is not worksheet]
                return _make_sheet(
                    "xlsx",
                    header,
                    before,
                    rows,
                    self.max_rows,
                    sheet_name=worksheet.title,
                    other_sheets=others,
                )
            if first_before is None:
                first_before = before
            if any(cells for _n, cells in before) or next(rows, None) is not None:
                all_blank = False
            rows.close()
        if all_blank:
            raise SheetError("empty", _("The workbook has no data: every cell is empty."))
        raise _no_known_column(first_before or [])

    def rows(self, worksheet) -> Iterator[tuple[int, dict]]:
        try:
            for number, row in enumerate(worksheet.iter_rows(min_row=1, min_col=1), 1):
                cells = {}
                for index, xl_cell in enumerate(row):
                    value = xl_cell.value
                    if value is None:
                        continue
                    if xl_cell.data_type == "f":
                        raise SheetError(
                            "formula",
                            _("Cell %(cell)s of the sheet %(sheet)s holds a formula.")
                            % {"cell": f"{column_letter(index)}{number}", "sheet": worksheet.title},
                        )
                    text = _xlsx_text(value)
                    if not text.strip():
                        continue
                    cells[index] = Cell(
                        text,
                        value,
                        is_number=xl_cell.data_type == "n"
                        and isinstance(value, int | float)
                        and not isinstance(value, bool),
                        is_date=isinstance(value, dt.date | dt.time),
                    )
                yield number, cells
        except SheetError:
            raise
        except Exception as error:  # a damaged sheet XML
            raise _unreadable(error) from error


def _xlsx_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _unreadable(error):
    return SheetError(
        "unreadable",
        _("The workbook cannot be read: it is damaged or not a valid .xlsx file (%(error)s).")
        % {"error": str(error)[:200] or type(error).__name__},
    )


def prepare_upload(fileobj, filename=""):
    """(seekable binary stream, closers, sha256, size, filename) for an uploaded file, a file
    object or a path; every importer starts here. Call each of `closers` when done."""
    closers = []
    if isinstance(fileobj, str | os.PathLike):
        filename = filename or os.path.basename(fileobj)
        fileobj = open(fileobj, "rb")  # noqa: SIM115 - closed by the caller via closers
        closers.append(fileobj.close)
    else:
        filename = filename or os.path.basename(getattr(fileobj, "name", "") or "")
        inner = getattr(fileobj, "file", None)
        if not isinstance(fileobj, io.IOBase) and isinstance(inner, io.IOBase):
            fileobj = inner
        if not (getattr(fileobj, "seekable", None) and fileobj.seekable()):
            copy = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
            closers.append(copy.close)
            while chunk := fileobj.read(1024 * 1024):
                copy.write(chunk)
                if copy.tell() > byte_limit():
                    break
            fileobj = copy
    digest = hashlib.sha256()
    fileobj.seek(0)
    size = 0
    while chunk := fileobj.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return fileobj, closers, digest.hexdigest(), size, filename
