"""Columns of an export and how each value is written.

A column names a `values_list()` path, a kind (how the value is written) and an access level
(who may see it, and what pseudonymisation does to it). `compile_plan` turns the columns a user
may see into one row function, built once per export, so that writing a row costs one call.

Text cells that begin with =, +, -, @, tab or carriage return are neutralised with a leading
apostrophe (OWASP's advice against formula injection); validated values (E.164 phones, NIKs,
numbers, dates) are written as they are. Dates are ISO 8601; times in Asia/Jakarta.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.audit.masking import mask_nik

FORMULA_START = frozenset("=+-@\t\r")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class Kind(Enum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    DATETIME = "datetime"
    NUMBER = "number"
    BOOL = "bool"
    PHONE = "phone"
    NIK = "nik"
    HOURS = "hours"  # a duration written as hours


class Access(Enum):
    PUBLIC = "public"
    IDENTIFIER = "identifier"  # left out of a pseudonymised export
    GENERALISED = "generalised"  # a date reduced to its year in a pseudonymised export
    NIK = "nik"  # masked without participants.view_nik; left out when pseudonymised
    RESTRICTED = "restricted"  # only with participants.view_restricted (or the data subject)


@dataclass(frozen=True)
class Column:
    key: str
    header: object  # a lazy translation
    path: str
    kind: Kind = Kind.TEXT
    access: Access = Access.PUBLIC
    choices: object = None  # a TextChoices class for Kind.CHOICE
    zone_path: str = ""  # Kind.DATETIME: the path of the row's own time zone (a venue's)


@dataclass(frozen=True)
class Protection:
    """What an export does to the data: decided once from the user and the options."""

    pseudonymise: bool = False
    mask_nik: bool = True
    restricted: bool = False
    pseudonym_key: str = ""


@lru_cache(maxsize=64)
def zoneinfo(name):
    return ZoneInfo(name)


def neutralise(text):
    """'=1+1' -> "'=1+1": a spreadsheet shows the text instead of running it."""
    if text and text[0] in FORMULA_START:
        return "'" + text
    return text


def pseudonym(key, participant_id):
    """A pseudonym stable within one export (same key) and different between exports."""
    digest = hmac.new(key.encode(), str(participant_id).encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:12].upper()}"


def visible_columns(columns, protection):
    """The columns this export writes, in order."""
    shown = []
    for column in columns:
        if column.access == Access.RESTRICTED and not protection.restricted:
            continue
        if protection.pseudonymise and column.access in (Access.IDENTIFIER, Access.NIK):
            continue
        shown.append(column)
    return shown


def _text(value):
    # The hottest function of an export (most cells are text): no calls on the common path.
    if value.__class__ is not str:
        if value is None:
            return ""
        value = str(value)
    if value[:1] in FORMULA_START:
        return "'" + value
    return value


def _cell_text(value):
    """_text for a spreadsheet: an empty value is no cell at all (None), not an empty one."""
    if value.__class__ is not str:
        if value is None:
            return None
        value = str(value)
    if value[:1] in FORMULA_START:
        return "'" + value
    return value or None


def _converter(column, protection, typed):
    """A function of one raw value, or None when the value is written as it is (a CSV
    writer and a spreadsheet both write None as an empty cell)."""
    kind = column.kind
    text = _cell_text if typed else _text
    blank = None if typed else ""
    if kind == Kind.TEXT:
        return text
    if kind == Kind.CHOICE:
        # Labels are neutralised once; a value outside the choices is written as text.
        labels = {value: _text(str(label)) for value, label in column.choices.choices}
        labels[None] = blank
        return lambda value, get=labels.get: get(value) or text(value)
    if kind == Kind.BOOL:
        yes, no = _("yes"), _("no")
        return lambda value: blank if value is None else (yes if value else no)
    if kind == Kind.PHONE:
        return lambda value: value if value and E164.match(value) else text(value)
    if kind == Kind.NIK:
        if protection.mask_nik:
            return mask_nik
        return None
    if kind == Kind.DATE:
        if protection.pseudonymise and column.access == Access.GENERALISED:
            return lambda value: value.year if value else blank
        if typed:
            return None
        return lambda value: value.isoformat() if value else ""
    if kind == Kind.DATETIME:
        default = timezone.get_current_timezone()

        def local(value, zone=None):
            return value.astimezone(zoneinfo(zone) if zone else default)

        if typed:
            # Spreadsheet cells hold no time zone: local time (the header says which).
            return lambda value, zone=None: (
                None if value is None else local(value, zone).replace(tzinfo=None)
            )
        return lambda value, zone=None: (
            local(value, zone).isoformat(timespec="seconds") if value else ""
        )
    if kind == Kind.NUMBER:
        return None
    if kind == Kind.HOURS:
        return lambda value: blank if value is None else round(value.total_seconds() / 3600, 2)
    raise ValueError(kind)


@dataclass
class Plan:
    """The headers, the `values_list()` paths and the row function of one list."""

    headers: list
    paths: list
    row: object  # raw values tuple -> output tuple
    person_index: int | None  # index of the participant id in the raw tuple


def compile_plan(columns, protection, *, person_path=None, typed=False):
    """Build the row function for `columns` as this export may write them.

    With `person_path` the participant id is fetched last; a pseudonymised export writes the
    pseudonym first in place of the identifiers. `typed` keeps dates and times as objects (XLSX).
    """
    shown = visible_columns(columns, protection)
    language = "en" if (get_language() or "id").startswith("en") else "id"
    # "{lang}" in a path picks the column of the user's language (Country.name_id / name_en).
    paths = [column.path.format(lang=language) for column in shown]
    headers = [str(column.header) for column in shown]
    functions = [_converter(column, protection, typed) for column in shown]
    parts = []
    for i, (column, function) in enumerate(zip(shown, functions, strict=True)):
        if function is None:
            parts.append(f"r[{i}]")
        elif column.zone_path:
            paths.append(column.zone_path)
            parts.append(f"f{i}(r[{i}], r[{len(paths) - 1}])")
        else:
            parts.append(f"f{i}(r[{i}])")
    namespace = {f"f{i}": f for i, f in enumerate(functions) if f is not None}
    person_index = None
    if person_path:
        paths.append(person_path)
        person_index = len(paths) - 1
    if protection.pseudonymise and person_index is not None:
        headers.insert(0, _("Pseudonym"))
        namespace["pseudonym"] = pseudonym
        namespace["key"] = protection.pseudonym_key
        parts.insert(0, f"pseudonym(key, r[{person_index}])")
    # One generated function per export: a row costs one call instead of a loop over columns.
    source = f"lambda r: ({', '.join(parts)}{',' if len(parts) == 1 else ''})"
    row = eval(source, namespace)  # noqa: S307 - built from our own column indexes only
    return Plan(headers=headers, paths=paths, row=row, person_index=person_index)
