"""The load's organisations, agreements, tracks and staff logins (a few hundred rows, via the ORM).

Every generated organisation's slug starts with `load-`, every agreement number with `LOAD/`,
every track and batch code with `load-` and every login with `load-`.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from partners.models import (
    Agreement,
    AgreementParty,
    Membership,
    Organisation,
    Programme,
    ScopeItem,
)
from portal.accounts.models import Role, User
from portal.regions.models import Province, Regency
from training.models import Module, Track

from .people import PROVINCE_WEIGHTS

PREFIX = "load-"
KK_PROGRAMME = "kesempatan-kedua"
SR_PROGRAMME = "kelas-migran-sr"
RW_PROGRAMME = "reintegrasi-pmi"
BIG_PARTNER = "load-mitra-nusantara"

# kind, slug stem, name pattern, how many
ORGANISATION_SETS = [
    ("csr_company", "csr", "PT {} Sejahtera (CSR)", 6),
    ("training_provider", "lpk", "LPK {} Mandiri", 12),
    ("sekolah_rakyat", "sr", "Sekolah Rakyat Menengah Atas {}", 40),
    ("placement_agency", "p3mi", "PT {} Karya Utama (P3MI)", 15),
    ("rehabilitation_centre", "sentra", "Sentra Rehabilitasi {}", 6),
    ("corrections_facility", "lapas", "Lapas Kelas IIA {}", 20),
]

# code, name, kind, language, level, target hours, programme, modules
TRACKS = [
    ("load-las-smaw", "Las SMAW 3G/4G", "welding", "", "", 320, KK_PROGRAMME, 5),
    ("load-bahasa-jepang", "Bahasa Jepang JFT-Basic", "language", "ja", "A2", 240, KK_PROGRAMME, 4),
    ("load-karakter", "Pembinaan mental dan karakter", "character", "", "", 60, KK_PROGRAMME, 3),
    ("load-kurikulum-migran", "Kurikulum migran terpadu", "migrant_curriculum", "", "", 80,
     SR_PROGRAMME, 4),
    ("load-bahasa-korea", "Bahasa Korea EPS-TOPIK", "language", "ko", "A2", 240, SR_PROGRAMME, 4),
    ("load-bahasa-inggris", "Bahasa Inggris", "language", "en", "B1", 200, SR_PROGRAMME, 4),
    ("load-wirausaha", "Kewirausahaan purna PMI", "vocational", "", "", 60, RW_PROGRAMME, 3),
    ("load-tata-boga", "Tata boga", "vocational", "", "", 120, RW_PROGRAMME, 3),
]  # fmt: skip


@dataclass
class Reference:
    """What the chunks draw on: regions, programmes, organisations by kind and province."""

    provinces: list  # (code, weight, timezone)
    regencies: dict  # province code -> [(regency code, name)]
    programmes: dict  # code -> id
    orgs: dict = field(default_factory=dict)  # kind -> [(id, province code)]
    orgs_by_province: dict = field(default_factory=dict)  # (kind, province) -> [id]
    big_partner: int = 0
    tracks: dict = field(default_factory=dict)  # programme code -> [(track id, kind, [modules])]
    timezones: dict = field(default_factory=dict)  # province code -> zone
    rehab_centres: list = field(default_factory=list)

    def org_near(self, rng, kind, province):
        near = self.orgs_by_province.get((kind, province))
        if near and rng.random() < 0.8:
            return rng.choice(near)
        return rng.choice(self.orgs[kind])[0]


def _regions():
    provinces = list(Province.objects.order_by("code").values_list("code", "timezone"))
    if len(provinces) < 38:
        raise LookupError("Load the regions first: python manage.py load_regions")
    regencies = {}
    for code, name, province in Regency.objects.order_by("code").values_list(
        "code", "name", "province_id"
    ):
        regencies.setdefault(province, []).append((code.replace(".", ""), name))
    return provinces, regencies


def build_reference(rng, *, today):
    provinces, regencies = _regions()
    programmes = dict(Programme.objects.values_list("code", "id"))
    missing = {KK_PROGRAMME, SR_PROGRAMME, RW_PROGRAMME} - set(programmes)
    if missing:
        raise LookupError(f"Programmes missing (run migrate): {', '.join(sorted(missing))}")
    ref = Reference(
        provinces=[(code, PROVINCE_WEIGHTS.get(code, 1.0), tz) for code, tz in provinces],
        regencies=regencies,
        programmes=programmes,
        timezones=dict(provinces),
    )
    _organisations(rng, ref)
    _agreements(ref, today=today)
    _tracks(ref)
    _logins(ref)
    return ref


def _organisations(rng, ref):
    codes = [code for code, _, _ in ref.provinces]
    weights = [weight for _, weight, _ in ref.provinces]
    big = Organisation.objects.create(
        slug=BIG_PARTNER,
        name="PT Mitra Nusantara Jaya (CSR, beban uji)",
        kind=Organisation.Kind.CSR_COMPANY,
        province_id="31",
        regency_id="31.71",
        contact_person="Divisi CSR",
    )
    ref.big_partner = big.pk
    for kind, stem, pattern, count in ORGANISATION_SETS:
        for number in range(1, count + 1):
            # Spread the schools over every region; the rest follows population.
            province = codes[number % len(codes)] if kind == "sekolah_rakyat" else None
            province = province or rng.choices(codes, weights)[0]
            regency, town = rng.choice(ref.regencies[province])
            org = Organisation.objects.create(
                slug=f"{PREFIX}{stem}-{number:02d}",
                name=pattern.format(f"{town} {number}"),
                kind=kind,
                province_id=province,
                regency_id=f"{regency[:2]}.{regency[2:]}",
                licence_number=f"SIP3MI LOAD/{number}" if kind == "placement_agency" else "",
            )
            ref.orgs.setdefault(kind, []).append((org.pk, province))
            ref.orgs_by_province.setdefault((kind, province), []).append(org.pk)
    ref.rehab_centres = [pk for pk, _ in ref.orgs["rehabilitation_centre"]]


#: Which organisation kinds take responsibility for participants of each programme.
RESPONSIBLE_KINDS = {
    KK_PROGRAMME: ("csr_company", "training_provider"),
    SR_PROGRAMME: ("sekolah_rakyat",),
    RW_PROGRAMME: ("rehabilitation_centre", "training_provider"),
}


def _agreements(ref, *, today):
    signed = today - dt.timedelta(days=200)
    exchange = ScopeItem.objects.filter(covers_data_exchange=True)
    for code, kinds in RESPONSIBLE_KINDS.items():
        agreement = Agreement.objects.create(
            kind=Agreement.Kind.PKS,
            number=f"LOAD/PKS/{code}/{today:%Y}",
            title=f"Kerja sama uji beban {code}",
            signed_on=signed,
            valid_from=signed,
            valid_until=signed + dt.timedelta(days=5 * 365),
        )
        agreement.scope_items.set(exchange)
        parties = [ref.big_partner] + [pk for kind in kinds for pk, _ in ref.orgs[kind]]
        if code == RW_PROGRAMME:
            parties += [pk for pk, _ in ref.orgs["placement_agency"]]
        AgreementParty.objects.bulk_create(
            AgreementParty(agreement=agreement, organisation_id=pk, role="mitra")
            for pk in dict.fromkeys(parties)
        )
        Programme.objects.get(pk=ref.programmes[code]).agreements.add(agreement)
    # An expired agreement, so that lists show more than one status.
    Agreement.objects.create(
        kind=Agreement.Kind.MOU,
        number=f"LOAD/MOU/lama/{today:%Y}",
        title="Nota kesepahaman lama (berakhir)",
        signed_on=signed - dt.timedelta(days=2000),
        valid_from=signed - dt.timedelta(days=2000),
        valid_until=signed - dt.timedelta(days=300),
    )


def _tracks(ref):
    for code, name, kind, language, level, hours, programme, modules in TRACKS:
        track = Track.objects.create(
            code=code,
            name=f"{name} (uji beban)",
            kind=kind,
            language=language,
            language_level=level,
            target_hours=hours,
        )
        module_ids = [
            Module.objects.create(
                track=track, order=n, title=f"Modul {n}", hours=hours // modules
            ).pk
            for n in range(1, modules + 1)
        ]
        ref.tracks.setdefault(programme, []).append((track.pk, kind, module_ids))


def _logins(ref):
    """One partner-staff login (no usable password) per generated organisation that is party to
    an agreement: `load-<organisation slug without load->`."""
    group = Group.objects.get(name=Role.PARTNER_STAFF)
    organisations = Organisation.objects.filter(
        slug__startswith=PREFIX, agreement_parties__isnull=False
    ).distinct()
    for org in organisations:
        user = User(username=org.slug, email=f"{org.slug}@example.org")
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        Membership.objects.create(user=user, organisation=org, is_lead=True)
