"""Default placement rules: the document checklist per step and the destination rules in force.

Loaded by `python manage.py load_placement_rules` (and by `seed_demo`); afterwards ministry staff
edit them in the admin. Loading again adds what is missing and never overwrites an edit.
"""

from datetime import date

# (phase, document kind, scheme or "", country or None, max age in days, min validity in days, note)
CHECKLIST = [
    ("selected", "ktp", "", None, None, None, "KTP (UU 18/2017 art. 13)"),
    ("selected", "kk", "", None, None, None, "Kartu Keluarga"),
    ("selected", "skck", "p2p", None, 180, None, "SKCK asked by agencies and employers"),
    ("medical_cleared", "medical", "", None, 90, None, "Medical check, at most 3 months old"),
    ("medical_cleared", "psychological", "", None, 90, None, "Psychological check"),
    ("certified", "competency_certificate", "", None, None, 0, "Competency certificate"),
    ("agreement_signed", "placement_agreement", "", None, None, None, "Signed at the LTSA"),
    ("agreement_signed", "work_contract", "", None, None, None, "Work contract"),
    ("agreement_signed", "marital_status", "", None, None, None, "Marital-status letter"),
    ("agreement_signed", "guardian_permission", "", None, None, None, "Family permission"),
    ("passport_issued", "passport", "", None, None, 540, "Passport valid 18 months or more"),
    ("visa_issued", "visa", "", None, None, 0, "Work visa"),
    ("insured", "bpjs", "", None, None, 0, "BPJS Ketenagakerjaan (JKK and JKM)"),
    ("departed", "medical", "", None, 90, None, "Medical check no older than 90 days"),
    ("departed", "passport", "", None, None, 180, "Passport valid 6 months beyond departure"),
    ("departed", "visa", "", None, None, 0, "Work visa valid on departure"),
]

# The 19 Middle East and North African countries closed to household placement
# (Kepmenaker 260/2015).
HOUSEHOLD_BAN_COUNTRIES = [
    "DZ", "SA", "BH", "IQ", "KW", "LB", "LY", "MA", "MR", "EG",
    "OM", "PS", "QA", "SS", "SY", "TN", "AE", "YE", "JO",
]  # fmt: skip

# (country, scheme, sector, kind, limit months, valid from, basis)
DESTINATION_RULES = [
    (
        "KR",
        "g2g",
        "",
        "no_prison_sentence",
        None,
        date(2004, 8, 17),
        "Korea EPS: applicants must never have been sentenced to imprisonment",
    ),
    (
        "JP",
        "",
        "",
        "sentence_below",
        12,
        date(1951, 10, 4),
        "Japan Immigration Control Act art. 5(1)(iv): sentence of one year or more",
    ),
    (
        "JP",
        "",
        "",
        "no_drug_offence",
        None,
        date(1951, 10, 4),
        "Japan Immigration Control Act art. 5(1)(v): any drug offence",
    ),
] + [
    (code, "", "household", "sector_banned", None, date(2015, 5, 26), "Kepmenaker 260/2015")
    for code in HOUSEHOLD_BAN_COUNTRIES
]
