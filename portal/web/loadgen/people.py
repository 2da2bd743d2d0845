"""Pure helpers for generated people: names, NIKs, KK numbers, phones and weights (no database).

NIKs are unique by construction: the load's i-th person gets district `1 + i % 40`, serial
`9000 + (i // 40) % 1000` (the range reserved for generated loads) and a birth date whose ordinal
is `i // 40000` modulo `spread`, where `spread` is large enough for the whole load.
"""

import datetime as dt
import math

#: NIK serials 9000-9999 are reserved for generated loads; `--reset` removes exactly those people.
SERIAL_BASE = 9000
DISTRICTS = 40
SERIALS = 1000
SLOTS = DISTRICTS * SERIALS
#: A NIK whose last four digits are 9xxx (LIKE/regex pattern).
LOAD_NIK_REGEX = r"^[0-9]{12}9[0-9]{3}$"


def _words(text):
    return text.split()


MALE = _words("""
    Agus Budi Dedi Eko Fajar Gede Hendra Iwan Joko Komang
    Made Nyoman Putu Ketut Rahmat Rizky Slamet Sugeng Teguh Wayan
    Yusuf Ahmad Andi Arif Bambang Dimas Fikri Hadi Ilham Irfan
    Kurniawan Lukman Muhammad Nur Rudi Sandi Taufik Wahyu Yoga Zainal
    Bayu Darmawan
""")
FEMALE = _words("""
    Ayu Dewi Eka Fitri Intan Kadek Lestari Mega Nining Nur
    Putri Ratna Rina Sari Siti Sri Tuti Wulan Yanti Yuni
    Ani Desi Dian Endang Indah Kartika Lina Maya Novi Nurul
    Puspita Rahayu Rini Septi Suci Tari Utami Vina Wati Yulia
    Zahra Anisa
""")
FAMILY = _words("""
    Saputra Saputri Wijaya Santoso Hidayat Setiawan Pratama Kusuma
    Nugroho Susanto Wibowo Rahman Hakim Siregar Nasution Harahap
    Lubis Simanjuntak Sinaga Pane Manurung Sembiring Tarigan Ginting
    Daulay Hasibuan Purba Sitompul Pangaribuan Kurniawati Handayani Permata
    Utomo Firmansyah Ramadhan Syahputra Gunawan Suryadi Suparman Hartono
    Purnomo Mahendra
""")
SYLLABLES = _words("""
    ar bu di ka la ma na ni ra ri sa si ta ti wa ya yu ha in an da de su mi
""")
STREETS = _words("""
    Merdeka Sudirman Diponegoro Gajah Mada Kartini Pahlawan Melati Kenanga Flamboyan
""")
MOBILE_PREFIXES = _words("""
    811 812 813 821 822 823 852 853 851 855 856 857 858 814 815 816 817 818 819 877
    878 831 832 833 838 881 882 883 884 885 886 887 888 889 895 896 897 898 899
""")

#: Rough population weights (millions) of the 38 provinces; unknown codes weigh 1.
PROVINCE_WEIGHTS = {
    "11": 5.5, "12": 15.6, "13": 5.8, "14": 6.8, "15": 3.7, "16": 8.8, "17": 2.1, "18": 9.3,
    "19": 1.5, "21": 2.2, "31": 10.7, "32": 50.0, "33": 37.5, "34": 3.7, "35": 41.5, "36": 12.4,
    "51": 4.4, "52": 5.6, "53": 5.6, "61": 5.6, "62": 2.8, "63": 4.2, "64": 4.0, "65": 0.7,
    "71": 2.7, "72": 3.1, "73": 9.4, "74": 2.8, "75": 1.2, "76": 1.5, "81": 1.9, "82": 1.3,
    "91": 1.0, "92": 0.6, "93": 0.5, "94": 1.4, "95": 1.4, "96": 0.6,
}  # fmt: skip
#: Former prisoners in the programme come mostly from these provinces (Bali first).
PRISONER_BOOST = {"51": 60.0, "35": 25.0, "32": 20.0, "52": 15.0, "33": 12.0, "12": 8.0}
#: Returning migrant workers come mostly from the sending provinces.
WORKER_BOOST = {"35": 40.0, "33": 30.0, "32": 30.0, "52": 25.0, "53": 12.0, "18": 10.0}


def spread_for(total):
    """How many birth-date residues the load needs so that `total` NIKs are unique."""
    return max(1, math.ceil(total / SLOTS))


def nik_for(index, *, region, birth, female):
    """The NIK of the load's `index`-th person (birth already aligned by `align_birth`)."""
    district = 1 + index % DISTRICTS
    serial = SERIAL_BASE + (index // DISTRICTS) % SERIALS
    day = birth.day + (40 if female else 0)
    return f"{region}{district:02d}{day:02d}{birth:%m%y}{serial:04d}"


def align_birth(index, birth, spread):
    """Move `birth` forward (less than `spread` days) so its ordinal encodes `index // SLOTS`."""
    want = (index // SLOTS) % spread
    return birth + dt.timedelta(days=(want - birth.toordinal()) % spread)


def kk_for(rng, region, district):
    """A family card number: region, district, issue date DDMMYY, serial 0001-8999 (a NIK
    of the load always has 9xxx, so the two never coincide)."""
    issued = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(6200))
    return f"{region}{district:02d}{issued:%d%m%y}{rng.randrange(1, 9000):04d}"


def phone(rng):
    return f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def full_name(rng, *, female, bali=False):
    if bali and rng.random() < 0.7:
        order = rng.choice(["Putu", "Made", "Nyoman", "Ketut", "Gede", "Kadek", "Komang"])
        first = f"{'Ni' if female else 'I'} {order}"
        return f"{first} {rng.choice(FEMALE if female else MALE)}"
    given = rng.choice(FEMALE if female else MALE)
    roll = rng.random()
    if roll < 0.2:
        coined = "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4))).title()
        return f"{given} {coined}"
    if roll < 0.35:
        return f"{given} {rng.choice(FEMALE if female else MALE)} {rng.choice(FAMILY)}"
    if roll < 0.45:
        return given
    return f"{given} {rng.choice(FAMILY)}"


def address(rng, regency_name):
    return f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 200)}, {regency_name}"


def random_date(rng, start, end):
    """A date in [start, end]."""
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
