"""Turn what people type into provinces and regencies, from an index built once per process.

The index is read from the region tables on first use (three queries) and kept until
`reset_index()`, which `load_regions` calls and tests call between database states.
"""

import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from .models import LegacyRegencyCode, Province, Regency

_KIND_PREFIX = re.compile(
    r"^(?:(?P<kabupaten>kabupaten|kab)|(?P<kota>kota|kodya|kotamadya))"
    r"(?: (?:administrasi|adm))?(?: |$)"
)
_PROVINCE_PREFIX = re.compile(r"^(?:provinsi|propinsi|prov|prop) ")
_REGENCY_CODE = re.compile(r"^(\d{2})[.\s-]?(\d{2})$")
_PROVINCE_CODE = re.compile(r"^(\d{2})(?:\.0+)?$")


def words(text):
    """Lower case, punctuation as spaces, single spaces, "kep" read as "kepulauan"."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    tokens = re.sub(r"[\W_]+", " ", text).split()
    return " ".join("kepulauan" if token == "kep" else token for token in tokens)


def compact(text):
    """`words()` without spaces: "Gunung Kidul", "Gunungkidul" and "Gunung-Kidul" meet here."""
    return words(text).replace(" ", "")


def split_kind(text):
    """("kabupaten" | "kota" | None, the name without its Kabupaten/Kota prefix), as words."""
    key = words(text)
    match = _KIND_PREFIX.match(key)
    if not match:
        return None, key
    kind = Regency.Kind.KABUPATEN if match.group("kabupaten") else Regency.Kind.KOTA
    return kind, key[match.end() :]


@dataclass(frozen=True)
class RegencyMatch:
    """What `resolve_regency` found.

    `regency` is None when nothing matched or when the text is `ambiguous`; then `candidates`
    lists the regencies it could mean. `via_alias` means a spelling from the alias list or one
    that differs from the name only in spaces; `via_code` a code such as "74.71" or "7471";
    `via_legacy_code` an old code (then `regency` is today's); `via_nik` that the NIK prefix
    chose between candidates; `province_mismatch` that the match lies outside the given province.
    """

    regency: Regency | None = None
    candidates: tuple[Regency, ...] = ()
    ambiguous: bool = False
    via_alias: bool = False
    via_code: bool = False
    via_legacy_code: bool = False
    via_nik: bool = False
    province_mismatch: bool = False

    def __bool__(self):
        return self.regency is not None


@dataclass
class RegionIndex:
    """Provinces and regencies keyed by every form the lookups accept."""

    provinces: dict[str, Province] = field(default_factory=dict)
    province_keys: dict[str, Province] = field(default_factory=dict)
    regencies: dict[str, Regency] = field(default_factory=dict)
    legacy: dict[str, Regency] = field(default_factory=dict)
    by_name: dict[str, list[Regency]] = field(default_factory=lambda: defaultdict(list))
    by_alias: dict[str, list[Regency]] = field(default_factory=lambda: defaultdict(list))
    by_compact: dict[str, list[Regency]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_database(cls):
        index = cls()
        for province in Province.objects.all():
            index.provinces[province.code] = province
            for text in (province.name, province.iso_code, *province.aliases):
                index.province_keys.setdefault(words(text), province)
                index.province_keys.setdefault(compact(text), province)
        for regency in Regency.objects.select_related("province"):
            index.regencies[regency.code] = regency
            _, name = split_kind(regency.name)
            index.by_name[name].append(regency)
            index.by_compact[name.replace(" ", "")].append(regency)
            for alias in regency.aliases:
                _, alias = split_kind(alias)
                index.by_alias[alias].append(regency)
                index.by_compact[alias.replace(" ", "")].append(regency)
        for legacy in LegacyRegencyCode.objects.all():
            index.legacy[legacy.code] = index.regencies[legacy.regency_id]
        for groups in (index.by_name, index.by_alias, index.by_compact):
            for key, found in groups.items():
                groups[key] = list(dict.fromkeys(found))
        return index

    def regency_for_code(self, code):
        """(regency, is_legacy) for a dotted code, today's regency for an old one."""
        if code in self.regencies:
            return self.regencies[code], False
        if code in self.legacy:
            return self.legacy[code], True
        return None, False


_index = None
_lock = threading.Lock()


def region_index():
    """The per-process index, built from the database on first use."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = RegionIndex.from_database()
    return _index


def reset_index():
    """Forget the index; the next lookup reads the tables again."""
    global _index
    _index = None


def resolve_province(text):
    """The province a code ("51", "ID-BA"), name or common spelling ("Jatim") means, or None."""
    if text is None:
        return None
    index = region_index()
    raw = str(text).strip()
    if match := _PROVINCE_CODE.match(raw):
        return index.provinces.get(match.group(1))
    key = _PROVINCE_PREFIX.sub("", words(raw))
    if not key:
        return None
    return index.province_keys.get(key) or index.province_keys.get(key.replace(" ", ""))


def legacy_regency(code):
    """Today's regency for a code retired since 2020 ("91.09" or "9109"), else None."""
    match = _REGENCY_CODE.match(str(code or "").strip())
    if not match:
        return None
    return region_index().legacy.get(f"{match.group(1)}.{match.group(2)}")


def _code_from_nik(nik_prefix):
    digits = re.sub(r"\D", "", str(nik_prefix or ""))
    return f"{digits[0:2]}.{digits[2:4]}" if len(digits) >= 4 else None


def resolve_regency(text, *, province=None, nik_prefix=None):
    """Find the regency or city `text` names, as a `RegencyMatch`.

    `text` may be a code ("74.71", "7471"), a name with or without its Kabupaten/Kota prefix,
    or a common spelling ("Solo", "KLU"). `province` (a Province or anything
    `resolve_province` accepts) narrows the candidates; `nik_prefix` (the NIK's first four
    digits, or the whole NIK) chooses between a kabupaten and a kota of the same name.
    """
    if text is None or not str(text).strip():
        return RegencyMatch()
    index = region_index()
    if province is not None and not isinstance(province, Province):
        province = resolve_province(province)

    if match := _REGENCY_CODE.match(str(text).strip()):
        regency, is_legacy = index.regency_for_code(f"{match.group(1)}.{match.group(2)}")
        if regency is None:
            return RegencyMatch()
        return RegencyMatch(
            regency=regency,
            candidates=(regency,),
            via_code=True,
            via_legacy_code=is_legacy,
            province_mismatch=bool(province and regency.province_id != province.code),
        )

    kind, name = split_kind(text)
    via_alias = False
    found = index.by_name.get(name)
    if not found:
        found, via_alias = index.by_alias.get(name), True
    if not found:
        found = index.by_compact.get(name.replace(" ", ""))
    if not found:
        return RegencyMatch()
    if kind:
        found = [regency for regency in found if regency.kind == kind]
        if not found:
            return RegencyMatch()

    province_mismatch = False
    if province is not None:
        inside = [regency for regency in found if regency.province_id == province.code]
        province_mismatch = not inside
        found = inside or found

    flags = {"via_alias": via_alias, "province_mismatch": province_mismatch}
    if len(found) == 1:
        return RegencyMatch(regency=found[0], candidates=tuple(found), **flags)
    nik_code = _code_from_nik(nik_prefix)
    if nik_code:
        nik_regency, _ = index.regency_for_code(nik_code)
        chosen = [regency for regency in found if regency is nik_regency]
        if len(chosen) == 1:
            return RegencyMatch(regency=chosen[0], candidates=tuple(found), via_nik=True, **flags)
    return RegencyMatch(candidates=tuple(found), ambiguous=True, **flags)
