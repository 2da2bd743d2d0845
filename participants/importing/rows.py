"""Turning one spreadsheet row into clean values and messages: no database, no per-row query.

Everything a row needs from the database (regions, programmes) comes from indexes built once per
import (`portal.regions.lookup.region_index`, `ProgrammeIndex`). The value rules themselves live
in `participants.normalise`; this module applies them to a row and adds the rules that need
reference data: regions, programmes, categories, unknown columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, gettext_noop

from portal.regions.lookup import resolve_province, resolve_regency, words

from .. import normalise
from ..columns import BIRTH_PLACE_DATE, ROW_NUMBER
from ..models import Category, Participant
from ..services import nik_region_warnings
from ..sheets import column_letter
from .report import RowMessage

INFO, WARNING, ERROR = normalise.INFO, normalise.WARNING, normalise.ERROR

#: The importer's own messages (the value rules' messages come from participants.normalise).
MESSAGES = {
    "PROVINCE_ALIAS": (INFO, gettext_noop("%(value)s was read as the province %(name)s.")),
    "PROVINCE_UNKNOWN": (
        WARNING,
        gettext_noop("%(value)s is not a known province, so the province was left empty."),
    ),
    "REGENCY_ALIAS": (INFO, gettext_noop("%(value)s was read as %(name)s.")),
    "REGENCY_CODE": (INFO, gettext_noop("The code %(value)s was read as %(name)s.")),
    "REGENCY_LEGACY_CODE": (
        WARNING,
        gettext_noop("%(value)s is an old region code, read as today's %(name)s."),
    ),
    "REGENCY_AMBIGUOUS_RESOLVED_BY_NIK": (
        INFO,
        gettext_noop("%(value)s is both a kabupaten and a kota; the NIK chose %(name)s."),
    ),
    "REGENCY_AMBIGUOUS": (
        WARNING,
        gettext_noop(
            "%(value)s could be %(candidates)s and the NIK does not decide, so the regency was "
            "left empty."
        ),
    ),
    "REGENCY_UNKNOWN": (
        WARNING,
        gettext_noop("%(value)s is not a known regency or city, so it was left empty."),
    ),
    "REGENCY_OUTSIDE_PROVINCE": (
        WARNING,
        gettext_noop("%(name)s is not in the province given (%(province)s); please check."),
    ),
    "NIK_REGION_LEGACY": (
        WARNING,
        gettext_noop(
            "The NIK carries an old region code (%(detail)s). A NIK keeps its code for life; "
            "please check the domicile."
        ),
    ),
    "NIK_REGION_UNKNOWN": (
        WARNING,
        gettext_noop("The NIK's region code %(detail)s is not a known regency or city."),
    ),
    "NIK_REGION_DIFFERS_DOMICILE": (
        WARNING,
        gettext_noop("The NIK's region differs from the domicile (%(detail)s); please check."),
    ),
    "KK_DROPPED": (WARNING, gettext_noop("%(text)s The KK number was left empty.")),
    "EMAIL_INVALID": (
        WARNING,
        gettext_noop("%(value)s is not an email address, so it was left empty."),
    ),
    "EDUCATION_UNKNOWN": (
        WARNING,
        gettext_noop("%(value)s is not a known education level, so it was left empty."),
    ),
    "CATEGORY_UNKNOWN": (WARNING, gettext_noop("%(value)s is not a known participant category.")),
    "CATEGORY_FROM_PROGRAMME": (
        INFO,
        gettext_noop("The category %(category)s was taken from the programme %(programme)s."),
    ),
    "PROGRAM_UNKNOWN": (
        WARNING,
        gettext_noop(
            "%(value)s is not a known programme: the person was imported without a participation."
        ),
    ),
    "PROGRAM_NOT_ELIGIBLE": (
        WARNING,
        gettext_noop(
            "Not eligible for %(programme)s (%(reasons)s): the person was imported without "
            "this participation."
        ),
    ),
    "DESIL_NO_KK": (
        WARNING,
        gettext_noop(
            "The decile %(value)s was not recorded because the family card (KK) number is "
            "missing; it is kept in this warning."
        ),
    ),
    "UNKNOWN_COLUMN_TO_NOTES": (
        INFO,
        gettext_noop(
            "The column %(header)s is not known: its value was kept in the restricted notes."
        ),
    ),
    "DUPLICATE_OF_ROW": (
        INFO,
        gettext_noop("Row %(row)s has the same NIK: both rows are one person."),
    ),
    "DUPLICATE_FILLED": (
        INFO,
        gettext_noop("Fields still empty were filled from this row: %(fields)s."),
    ),
    "DUPLICATE_CONFLICT": (
        WARNING,
        gettext_noop(
            "%(fields)s differ from row %(row)s: row %(row)s's values were kept and the "
            "differences queued for staff."
        ),
    ),
    "EXISTING_FILLED": (
        INFO,
        gettext_noop("Already registered: empty fields were filled (%(fields)s)."),
    ),
    "EXISTING_CONFLICT": (
        WARNING,
        gettext_noop(
            "Already registered with other values for %(fields)s: the stored values were kept "
            "and the differences queued for staff."
        ),
    ),
}


#: The participant field each of the importer's codes is about (for stored DataWarnings).
_CODE_FIELDS = {
    "PROVINCE": "province",
    "REGENCY": "regency",
    "EMAIL": "email",
    "EDUCATION": "education_level",
    "CATEGORY": "category",
    "PROGRAM": "programme",
    "DESIL": "decile",
    "KK": "kk_number",
}


def make(code, column="", detail="", **params) -> RowMessage:
    level, msgid = MESSAGES[code]
    text = normalise.translate(msgid) % {"detail": detail, **params}
    field_name = _CODE_FIELDS.get(code.split("_")[0], "")
    return RowMessage(
        code=code, level=level, column=column, text=text, detail=str(detail), field=field_name
    )


# --- reference vocabularies ----------------------------------------------------------------

_CATEGORY_WORDS = {
    Category.FORMER_PRISONER: [
        "former prisoner",
        "mantan wbp",
        "eks wbp",
        "wbp",
        "mantan warga binaan",
        "warga binaan",
        "mantan narapidana",
        "eks narapidana",
        "narapidana",
        "mantan napi",
        "eks napi",
        "napi",
        "klien pemasyarakatan",
        "klien bapas",
    ],
    Category.SR_STUDENT: [
        "sr student",
        "sekolah rakyat student",
        "siswa sr",
        "siswa sekolah rakyat",
        "murid sr",
        "pelajar sr",
        "sekolah rakyat",
        "sr",
    ],
    Category.RETURNING_WORKER: [
        "returning migrant worker",
        "returning worker",
        "purna pmi",
        "pmi purna",
        "eks pmi",
        "mantan pmi",
        "purna tki",
        "mantan tki",
        "eks tki",
        "purna",
    ],
}
CATEGORY_INDEX = {
    words(text): category for category, texts in _CATEGORY_WORDS.items() for text in texts
}
for _category in Category:
    CATEGORY_INDEX[words(_category.value)] = _category

_EDUCATION_WORDS = {
    Participant.Education.NONE: ["tidak sekolah", "belum sekolah", "tidak tamat sd", "none"],
    Participant.Education.SD: ["sd", "mi", "sd sederajat", "primary", "sekolah dasar"],
    Participant.Education.SMP: ["smp", "mts", "sltp", "smp sederajat", "junior secondary"],
    Participant.Education.SMA: ["sma", "smk", "ma", "slta", "sma sederajat", "senior secondary"],
    Participant.Education.DIPLOMA: ["d1", "d2", "d3", "d4", "diploma"],
    Participant.Education.BACHELOR: ["s1", "s2", "s3", "sarjana", "bachelor", "magister"],
}
EDUCATION_INDEX = {words(t): code for code, texts in _EDUCATION_WORDS.items() for t in texts}


def parse_education(text):
    key = words(text)
    if key in EDUCATION_INDEX:
        return EDUCATION_INDEX[key]
    first = key.split(" ")[0] if key else ""
    return EDUCATION_INDEX.get(first)


class ProgrammeIndex:
    """Programmes by name, code and alias (case, space and punctuation insensitive); read once
    per import."""

    def __init__(self):
        from partners.models import Programme

        self.by_key = {}
        for programme in Programme.objects.all():
            for text in (programme.name, programme.code, *programme.aliases):
                self.by_key.setdefault(words(text), programme)
                self.by_key.setdefault(words(text).replace(" ", ""), programme)

    def find(self, text):
        key = words(text)
        return self.by_key.get(key) or self.by_key.get(key.replace(" ", ""))


# --- one row -------------------------------------------------------------------------------

#: Participant fields a sheet can fill, in report order.
PERSON_FIELDS = (
    "full_name",
    "kk_number",
    "sex",
    "birth_date",
    "birth_place",
    "phone",
    "second_phone",
    "email",
    "address",
    "regency_id",
    "province_id",
    "education_level",
    "siskop2mi_id",
)
#: How merge messages name a field ("desil" for the decile, as the sheets do).
FIELD_LABELS = {"regency_id": "regency", "province_id": "province", "decile": "desil"}

_FIELD_CODES = {"kk": "kk_number"}


@dataclass(slots=True)
class ParsedRow:
    number: int
    nik: str = ""
    values: dict = field(default_factory=dict)
    categories: set = field(default_factory=set)
    notes: list = field(default_factory=list)
    decile: int | None = None
    decile_raw: str = ""
    decile_as_of: dt.date | None = None
    programme: object = None
    messages: list = field(default_factory=list)
    rejected: bool = False
    phone_is_mobile: bool | None = None

    @property
    def name(self):
        return self.values.get("full_name", "")


class RowParser:
    """Applies every value rule to the rows of one sheet."""

    def __init__(self, sheet, *, as_of, programmes: ProgrammeIndex):
        self.as_of = as_of
        self.programmes = programmes
        self.index = {}  # code -> first column index
        self.headers = {}  # column index -> header text
        self.notes_columns = []  # (index, header): unknown or repeated columns
        self.extra_phones = []
        for column in sheet.columns:
            self.headers[column.index] = column.header
            if column.code is None:
                self.notes_columns.append((column.index, column.header))
            elif column.code == ROW_NUMBER:
                continue
            elif column.code not in self.index:
                self.index[column.code] = column.index
            elif column.code in {"phone", "second_phone"}:
                self.extra_phones.append(column.index)
            else:
                self.notes_columns.append((column.index, column.header))
        self.known_indexes = set(self.headers)
        self.region_memo = {}
        self.column_of = {code: self.headers[i] for code, i in self.index.items()}
        if BIRTH_PLACE_DATE in self.index:
            self.column_of.setdefault("birth_date", self.column_of[BIRTH_PLACE_DATE])
            self.column_of.setdefault("birth_place", self.column_of[BIRTH_PLACE_DATE])

    def column(self, field_name):
        code = _FIELD_CODES.get(field_name, field_name)
        if code == "second_phone" and code not in self.column_of:
            code = "phone"
        return self.column_of.get(code, "")

    def header_of(self, index):
        return self.headers.get(index) or gettext("Column %(letter)s") % {
            "letter": column_letter(index)
        }

    def original_values(self, row):
        return {self.header_of(i): cell.text for i, cell in sorted(row.cells.items())}

    def cell(self, row, code):
        return row.cells.get(self.index.get(code, -1))

    def text(self, row, code):
        cell = self.cell(row, code)
        return cell.text.strip() if cell is not None else ""

    def note(self, message: normalise.Message, parsed, *, level=None):
        parsed.messages.append(
            RowMessage(
                code=message.code,
                level=level or message.level,
                column=self.column(message.field),
                text=message.text,
                detail=message.detail,
                field=_FIELD_CODES.get(message.field, message.field),
            )
        )

    def parse(self, row) -> ParsedRow:
        parsed = ParsedRow(number=row.number)
        values = parsed.values

        # Required: NIK and name. A NIK stored as a number in an XLSX cell has lost digits.
        cell = self.cell(row, "nik")
        raw_nik = "" if cell is None else (cell.value if cell.is_number else cell.text)
        nik = normalise.normalise_nik(raw_nik, as_of=self.as_of)
        name = normalise.normalise_name(self.text(row, "full_name"))
        errors = [m for m in nik.messages + name.messages if m.level == ERROR]
        if errors:
            parsed.rejected = True
            for message in errors:
                self.note(message, parsed)
            return parsed
        parsed.nik = nik.nik
        for message in nik.messages:
            self.note(message, parsed)
        values["full_name"] = name.name

        self.parse_birth(row, parsed, nik)
        self.parse_kk(row, parsed)
        self.parse_regions(row, parsed)
        self.parse_phones(row, parsed)
        self.parse_small_fields(row, parsed)
        self.parse_programme_and_category(row, parsed)
        self.parse_decile(row, parsed)
        self.parse_unknown(row, parsed)
        for message in name.messages:
            self.note(message, parsed)
        return parsed

    def parse_birth(self, row, parsed, nik):
        values = parsed.values
        date_cell = self.cell(row, "birth_date")
        place = self.text(row, "birth_place")
        if date_cell is None and self.cell(row, BIRTH_PLACE_DATE) is not None:
            ttl = self.text(row, BIRTH_PLACE_DATE)
            head, sep, tail = ttl.rpartition(",")
            place, date_value = (head.strip(), tail.strip()) if sep else ("", ttl)
            date_value = date_value or None
        elif date_cell is None:
            date_value = None
        elif date_cell.is_date or date_cell.is_number:
            date_value = date_cell.value
        else:
            date_value = date_cell.text
        if place:
            values["birth_place"] = place[:100]
        if date_value is not None:
            result = normalise.parse_date(
                date_value, as_of=self.as_of, nik_birth_date=nik.birth_date
            )
            for message in result.messages:
                self.note(message, parsed)
            if result.date:
                values["birth_date"] = result.date
        sex_text = self.text(row, "sex")
        if sex_text:
            sex = normalise.parse_sex(sex_text)
            for message in sex.messages:
                self.note(message, parsed)
            if sex.sex:
                values["sex"] = sex.sex
        for message in normalise.compare_with_nik(
            birth_date=values.get("birth_date"), sex=values.get("sex"), nik_result=nik
        ):
            self.note(message, parsed)
        for message in normalise.check_minor(
            values.get("birth_date") or nik.birth_date, on=self.as_of
        ):
            self.note(message, parsed)

    def parse_kk(self, row, parsed):
        cell = self.cell(row, "kk_number")
        if cell is None:
            return
        kk = normalise.normalise_kk(
            cell.value if cell.is_number else cell.text, nik=parsed.nik, as_of=self.as_of
        )
        for message in kk.messages:
            if message.level == ERROR:  # only the NIK and the name are required
                parsed.messages.append(
                    RowMessage(
                        code=message.code,
                        level=WARNING,
                        column=self.column("kk_number"),
                        text=gettext(MESSAGES["KK_DROPPED"][1]) % {"text": message.text},
                        detail=message.detail,
                        field="kk_number",
                    )
                )
            else:
                self.note(message, parsed)
        if kk.kk:
            parsed.values["kk_number"] = kk.kk

    def parse_regions(self, row, parsed):
        """Regions from the cached index; the result of a (province, regency, NIK region) is
        remembered for the import, since a sheet repeats a handful of regions."""
        province_text = self.text(row, "province")
        regency_text = self.text(row, "regency")
        key = (province_text, regency_text, parsed.nik[:4])
        found = self.region_memo.get(key)
        if found is None:
            probe = ParsedRow(number=parsed.number, nik=parsed.nik)
            self.resolve_regions(probe, province_text, regency_text)
            if len(self.region_memo) > 50_000:  # bounded, whatever the sheet holds
                self.region_memo.clear()
            found = self.region_memo[key] = (probe.values, probe.messages)
        parsed.values.update(found[0])
        parsed.messages.extend(found[1])

    def resolve_regions(self, parsed, province_text, regency_text):
        values = parsed.values
        province = None
        column = self.column("province")
        if province_text:
            province = resolve_province(province_text)
            if province is None:
                parsed.messages.append(
                    make("PROVINCE_UNKNOWN", column, province_text, value=province_text)
                )
            else:
                key = words(province_text)
                plain = {words(province.name), words(f"provinsi {province.name}"), province.code}
                if key not in plain and not key.startswith(province.code):
                    parsed.messages.append(
                        make(
                            "PROVINCE_ALIAS",
                            column,
                            f"{province_text}->{province.code}",
                            value=province_text,
                            name=province.name,
                        )
                    )
                values["province_id"] = province.code
        column = self.column("regency")
        if regency_text:
            found = resolve_regency(regency_text, province=province, nik_prefix=parsed.nik)
            regency = found.regency
            if regency is not None:
                params = {"value": regency_text, "name": regency.name}
                if found.via_legacy_code:
                    parsed.messages.append(
                        make(
                            "REGENCY_LEGACY_CODE",
                            column,
                            f"{regency_text}->{regency.code}",
                            **params,
                        )
                    )
                elif found.via_code:
                    parsed.messages.append(make("REGENCY_CODE", column, regency.code, **params))
                elif found.via_nik:
                    parsed.messages.append(
                        make(
                            "REGENCY_AMBIGUOUS_RESOLVED_BY_NIK",
                            column,
                            f"{regency_text}->{regency.code}",
                            **params,
                        )
                    )
                elif found.via_alias:
                    parsed.messages.append(
                        make("REGENCY_ALIAS", column, f"{regency_text}->{regency.code}", **params)
                    )
                if found.province_mismatch:
                    parsed.messages.append(
                        make(
                            "REGENCY_OUTSIDE_PROVINCE",
                            column,
                            f"{regency.code} / {province.code}",
                            name=regency.name,
                            province=province.name,
                        )
                    )
                else:
                    values["regency_id"] = regency.code
                    values.setdefault("province_id", regency.province_id)
            elif found.ambiguous:
                codes = " or ".join(r.code for r in found.candidates)
                detail = f"{regency_text}: {codes}"
                if parsed.nik:
                    detail += f" and NIK prefix {parsed.nik[:2]}.{parsed.nik[2:4]} does not decide"
                names = gettext(" or ").join(f"{r.name} ({r.code})" for r in found.candidates)
                parsed.messages.append(
                    make("REGENCY_AMBIGUOUS", column, detail, value=regency_text, candidates=names)
                )
            else:
                parsed.messages.append(
                    make("REGENCY_UNKNOWN", column, regency_text, value=regency_text)
                )
        # The NIK's region against the domicile: warnings only (a NIK keeps its code for life).
        person = _Domicile(parsed.nik, values.get("regency_id"), values.get("province_id"))
        nik_column = self.column("nik")
        for warning in nik_region_warnings(participant=person):
            column = nik_column if warning.field == "nik" else self.column(warning.field)
            message = make(warning.code, column, warning.detail)
            message.field = warning.field
            parsed.messages.append(message)

    def parse_phones(self, row, parsed):
        texts = [self.text(row, "phone")]
        texts += [row.cells[i].text for i in self.extra_phones if i in row.cells]
        second = self.text(row, "second_phone")
        if second:
            texts.append(second)
        text = " / ".join(t for t in texts if t)
        if not text:
            return
        result = normalise.normalise_phones(text)
        for message in result.messages:
            self.note(message, parsed)
        if result.phone:
            parsed.values["phone"] = result.phone
            parsed.phone_is_mobile = result.is_mobile
        if result.second_phone:
            parsed.values["second_phone"] = result.second_phone

    def parse_small_fields(self, row, parsed):
        values = parsed.values
        email = self.text(row, "email")
        if email:
            try:
                validate_email(email)
                values["email"] = email.lower()
            except ValidationError:
                parsed.messages.append(
                    make("EMAIL_INVALID", self.column("email"), email, value=email)
                )
        address = self.text(row, "address")
        if address:
            values["address"] = normalise._text(address)
        siskop = self.text(row, "siskop2mi_id")
        if siskop:
            values["siskop2mi_id"] = siskop[:50]
        education = self.text(row, "education_level")
        if education:
            code = parse_education(education)
            if code is None:
                parsed.messages.append(
                    make(
                        "EDUCATION_UNKNOWN",
                        self.column("education_level"),
                        education,
                        value=education,
                    )
                )
            else:
                values["education_level"] = code

    def parse_programme_and_category(self, row, parsed):
        text = self.text(row, "category")
        if text:
            for piece in filter(None, (p.strip() for p in _split_list(text))):
                category = CATEGORY_INDEX.get(words(piece))
                if category is None:
                    parsed.messages.append(
                        make("CATEGORY_UNKNOWN", self.column("category"), piece, value=piece)
                    )
                else:
                    parsed.categories.add(category)
        text = self.text(row, "programme")
        if not text:
            return
        programme = self.programmes.find(text)
        column = self.column("programme")
        if programme is None:
            detail = f"{text}: person imported without participation"
            parsed.messages.append(make("PROGRAM_UNKNOWN", column, detail, value=text))
            return
        parsed.programme = programme
        allowed = programme.eligible_categories
        if len(allowed) == 1 and not parsed.categories and "category" not in self.index:
            # A sheet of a programme for one group: the programme says who the person is.
            parsed.categories.add(allowed[0])
            parsed.messages.append(
                make(
                    "CATEGORY_FROM_PROGRAMME",
                    column,
                    f"{allowed[0]} from {programme.code}",
                    category=Category(allowed[0]).label,
                    programme=programme.name,
                )
            )

    def parse_decile(self, row, parsed):
        text = self.text(row, "decile")
        if not text:
            return
        result = normalise.parse_decile(text)
        for message in result.messages:
            self.note(message, parsed)
        parsed.decile = result.decile
        parsed.decile_raw = (result.raw or "")[:50]
        parsed.decile_as_of = self.as_of
        as_of_text = self.text(row, "decile_as_of")
        if as_of_text:
            date = normalise.parse_date(
                as_of_text, as_of=self.as_of, field="decile_as_of", prefix="DECILE_AS_OF"
            )
            for message in date.messages:
                self.note(message, parsed)
            parsed.decile_as_of = date.date or self.as_of
        if result.decile is None and not result.raw:
            parsed.decile_raw = ""

    def parse_unknown(self, row, parsed):
        for index, header in self.notes_columns:
            cell = row.cells.get(index)
            if cell is not None and cell.text.strip():
                parsed.notes.append(f"{header}: {cell.text.strip()}")
                parsed.messages.append(
                    make("UNKNOWN_COLUMN_TO_NOTES", header, header, header=header)
                )
        for index, cell in row.cells.items():  # cells in columns without a header
            if index not in self.known_indexes and cell.text.strip():
                header = self.header_of(index)
                parsed.notes.append(f"{header}: {cell.text.strip()}")
                parsed.messages.append(
                    make("UNKNOWN_COLUMN_TO_NOTES", header, header, header=header)
                )


class _Domicile(NamedTuple):
    """What `nik_region_warnings` reads of a participant (cheaper than a model instance)."""

    nik: str
    regency_id: str | None
    province_id: str | None


def _split_list(text):
    for separator in (";", "/", "+", " dan ", " and "):
        text = text.replace(separator, ",")
    return text.split(",")
