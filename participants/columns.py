"""The column vocabulary of participant spreadsheets: which typed header means which field.

`canonical(header)` maps a header as people type it, in Indonesian or English, to a field code
(the Participant model's field names, plus a few codes of the importer's own), or None when the
header is not known. Matching ignores case, spaces, punctuation, accents and a hint in brackets:
"No. HP/WA", "no hp / wa", "NO_HP" and "No HP (WA)" all give "phone"; "NIK*" gives "nik".

Codes that are not model fields:
- `programme`: the programme the person takes part in (a Programme, matched by name).
- `category`: former prisoner / Sekolah Rakyat student / returning migrant worker.
- `decile`, `decile_as_of`: the family's DTSEN decile (a DecileRecord) and the date it refers to.
- `birth_place_date`: "TTL" (Tempat, Tanggal Lahir), the birth place and date in one cell,
  e.g. "Klaten, 23-03-1987"; the importer splits it at the last comma into birth_place and
  birth_date.
- `row_number`: "No", "No.", "No Urut": the sheet's own running number. The importer ignores it;
  it is known, so it is never reported as an unknown column.

Columns that `canonical` does not know (e.g. "Keterangan", "Catatan") are unknown: the importer
lists them and keeps their values (in the restricted notes).

`COLUMNS` describes the columns of the downloadable template (code, English and Indonesian
label, required flag: only NIK and full name are required); `template_headers(language)` gives
the template's header row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

REQUIRED_CODES = ("nik", "full_name")

#: Codes the importer recognises but that are not columns of the template.
ROW_NUMBER = "row_number"
BIRTH_PLACE_DATE = "birth_place_date"


@dataclass(frozen=True)
class Column:
    code: str
    label_en: str
    label_id: str
    required: bool = False


#: The template's columns, in the template's order. The labels are the header texts (they are
#: data, read back by `canonical`, so they are not translated).
COLUMNS = (
    Column("nik", "NIK", "NIK", required=True),
    Column("full_name", "Full name", "Nama lengkap", required=True),
    Column("kk_number", "KK number", "No. KK"),
    Column("sex", "Sex (M/F)", "Jenis kelamin (L/P)"),
    Column("birth_place", "Birth place", "Tempat lahir"),
    Column("birth_date", "Birth date", "Tanggal lahir"),
    Column("phone", "Phone (WhatsApp)", "No. HP/WA"),
    Column("second_phone", "Second phone", "No. HP lain"),
    Column("email", "Email", "Email"),
    Column("address", "Address", "Alamat"),
    Column("regency", "Regency/city", "Kabupaten/Kota"),
    Column("province", "Province", "Provinsi"),
    Column("education_level", "Education level", "Pendidikan terakhir"),
    Column("programme", "Programme", "Program"),
    Column("category", "Category", "Kategori"),
    Column("decile", "DTSEN decile", "Desil DTSEN"),
    Column("decile_as_of", "Decile as of", "Tanggal desil"),
    Column("siskop2mi_id", "SISKOP2MI ID", "ID SISKOP2MI"),
)

COLUMN_BY_CODE = {column.code: column for column in COLUMNS}

#: Human names of every code, for messages ("the NIK column").
CODE_LABELS = {
    **{column.code: column.label_en for column in COLUMNS},
    ROW_NUMBER: "No",
    BIRTH_PLACE_DATE: "Birth place and date",
}

#: Further spellings per code, besides the code itself and the template labels.
_ALIASES = {
    ROW_NUMBER: ["No", "No.", "No Urut", "Nomor Urut", "Urut", "#", "Row", "Row number"],
    "nik": [
        "No NIK",
        "Nomor NIK",
        "NIK KTP",
        "No KTP",
        "Nomor KTP",
        "KTP",
        "Nomor Induk Kependudukan",
        "National ID",
        "ID number",
    ],
    "full_name": [
        "Nama",
        "Nama Peserta",
        "Nama Lengkap Peserta",
        "Nama Sesuai KTP",
        "Name",
        "Participant",
        "Participant name",
    ],
    "kk_number": [
        "KK",
        "No KK",
        "Nomor KK",
        "No Kartu Keluarga",
        "Nomor Kartu Keluarga",
        "Kartu Keluarga",
        "Family card",
        "Family card number",
    ],
    "sex": ["L/P", "JK", "Jenis Kelamin", "Kelamin", "Gender", "Sex", "P/L", "LP"],
    "birth_place": ["Tempat Lahir", "Tmp Lahir", "Tmpt Lahir", "Place of birth"],
    "birth_date": [
        "Tgl Lahir",
        "Tgl. Lahir",
        "Tanggal Lahir",
        "Tgl Lhr",
        "Date of birth",
        "DOB",
        "Birthdate",
    ],
    BIRTH_PLACE_DATE: [
        "TTL",
        "Tempat Tanggal Lahir",
        "Tempat/Tanggal Lahir",
        "Tempat, Tgl Lahir",
        "Tempat/Tgl Lahir",
        "Place and date of birth",
    ],
    "phone": [
        "HP",
        "No HP",
        "Nomor HP",
        "No HP / WA",
        "No HP/WA",
        "HP/WA",
        "No WA",
        "Nomor WA",
        "WA",
        "WhatsApp",
        "No Telp",
        "No Telepon",
        "Telepon",
        "Telp",
        "Phone",
        "Phone number",
        "Mobile",
        "HP 1",
        "No HP 1",
    ],
    "second_phone": [
        "HP 2",
        "No HP 2",
        "Nomor HP 2",
        "HP Lain",
        "No HP Lain",
        "Nomor HP Lain",
        "Telp 2",
        "Phone 2",
        "Other phone",
        "Second phone",
    ],
    "email": ["Surel", "E-mail", "Alamat Email", "Alamat Surel"],
    "address": ["Alamat", "Alamat Lengkap", "Alamat Rumah", "Alamat Domisili", "Domisili"],
    "regency": [
        "Kab/Kota",
        "Kabupaten/Kota",
        "Kota/Kab",
        "Kota/Kabupaten",
        "Kabupaten",
        "Kab",
        "Kota",
        "Regency",
        "City",
        "Regency/City",
    ],
    "province": ["Provinsi", "Prov", "Propinsi", "Province"],
    "education_level": [
        "Pendidikan",
        "Pendidikan Terakhir",
        "Pend Terakhir",
        "Education",
        "Education level",
    ],
    "programme": ["Program", "Programme", "Program name", "Nama Program"],
    "category": ["Kategori", "Kategori Peserta", "Category"],
    "decile": ["Desil", "Desil DTSEN", "DTSEN", "Desil DTKS", "Decile", "DTSEN decile"],
    "decile_as_of": ["Tanggal Desil", "Tgl Desil", "Desil per", "Decile date"],
    "siskop2mi_id": ["SISKOP2MI", "ID SISKOP2MI", "No SISKOP2MI"],
}

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[^a-z0-9#]+")


def header_key(header) -> str:
    """The comparable form of a header: accents, case, punctuation, spaces and a bracketed
    hint removed ("No. HP (WA)" -> "nohp"). "#" is kept so that a lone "#" stays a header."""
    if header is None:
        return ""
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    without_hint = _BRACKETS.sub(" ", text)
    if without_hint.strip():
        text = without_hint
    return _NOT_ALNUM.sub("", text)


def _build_index():
    index = {}
    spellings = {code: [code] for code in CODE_LABELS}
    for column in COLUMNS:
        spellings[column.code] += [column.label_en, column.label_id]
    for code, aliases in _ALIASES.items():
        spellings[code] += aliases
    for code, texts in spellings.items():
        for text in texts:
            key = header_key(text)
            previous = index.setdefault(key, code)
            if previous != code:  # pragma: no cover - a vocabulary mistake
                raise ValueError(f"header {text!r} maps to both {previous} and {code}")
    return index


_INDEX = _build_index()


def canonical(header) -> str | None:
    """The field code of a typed header, or None when the header is not known."""
    key = header_key(header)
    if not key:
        return None
    return _INDEX.get(key)


def template_headers(language: str = "id") -> list[str]:
    """The template's header row: Indonesian labels for "id" (and "id-..."), else English.
    Required columns are marked with "*", which `canonical` ignores."""
    indonesian = language.lower().split("-")[0].split("_")[0] == "id"
    headers = []
    for column in COLUMNS:
        label = column.label_id if indonesian else column.label_en
        headers.append(f"{label}*" if column.required else label)
    return headers
