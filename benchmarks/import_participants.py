"""Import of generated participant rows on PostgreSQL, against three baselines on the same rows:

- COPY of the already-normalised rows into the participant table (the ceiling);
- django-import-export's default import (a plain ModelResource, no normalisation), measured on
  a slice because it is two orders of magnitude slower, reported as rows per second;
- django-import-export's best bulk configuration (use_bulk, batch_size 1000, skip_diff,
  force_init_instance, no per-row foreign-key lookups) on all rows, no normalisation;
- the portal's importer on the messy sheet (Indonesian headers, dotted NIKs, mixed date formats,
  phones in every form, regency names, programme aliases, deciles), every rule applied.

Each case runs in its own process (peak memory is that process's), inside a transaction that is
rolled back, so the database is left as it was.

    python benchmarks/import_participants.py [--rows 100000] [--library-rows 5000]
"""

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.common import (  # noqa: E402
    Timer,
    ensure_database,
    peak_memory_mb,
    run_case,
    save,
    setup_django,
    table,
)

WORK = Path(tempfile.gettempdir()) / "portal-bench-import"
CLEAN_COLUMNS = ["nik", "full_name", "sex", "birth_date", "phone", "regency_id", "province_id"]
MESSY_HEADERS = [
    "No",
    "Nama Lengkap",
    "NIK",
    "L/P",
    "Tempat Lahir",
    "Tgl Lahir",
    "Kab/Kota",
    "Provinsi",
    "No HP / WA",
    "Program",
    "Desil DTSEN",
]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]  # fmt: skip


class Rollback(Exception):
    pass


# --- Data: the same people, messy for the portal and clean for the baselines ----------------


def generate(rows, seed=2026):
    """Write the messy CSV and the clean CSV of the same `rows` people."""
    from portal.regions.models import Regency
    from portal.web.loadgen import people

    rng = random.Random(seed)
    regencies = list(Regency.objects.select_related("province").order_by("code"))
    WORK.mkdir(parents=True, exist_ok=True)
    spread = people.spread_for(rows)
    with (
        open(WORK / "messy.csv", "w", newline="", encoding="utf-8") as messy_file,
        open(WORK / "clean.csv", "w", newline="", encoding="utf-8") as clean_file,
    ):
        messy, clean = csv.writer(messy_file), csv.writer(clean_file)
        messy.writerow(MESSY_HEADERS)
        for index in range(rows):
            regency = rng.choice(regencies)
            female = rng.random() < 0.45
            birth = people.align_birth(
                index,
                people.random_date(rng, dt.date(1975, 1, 1), dt.date(2004, 12, 31)),
                spread,
            )
            region = regency.code.replace(".", "")
            district = 1 + index % people.DISTRICTS
            serial = 8000 + (index // people.DISTRICTS) % people.SERIALS
            day = birth.day + (40 if female else 0)
            nik = f"{region}{district:02d}{day:02d}{birth:%m%y}{serial:04d}"
            name = people.full_name(rng, female=female)
            phone = people.phone(rng)
            clean.writerow(
                [nik, name, "F" if female else "M", birth.isoformat(), phone, regency.code,
                 regency.province_id]
            )  # fmt: skip
            messy.writerow(
                [
                    index + 1,
                    name.upper() if rng.random() < 0.3 else name,
                    _messy_nik(rng, nik),
                    ("P" if female else "L") if rng.random() < 0.7 else ("F" if female else "M"),
                    regency.name.title(),
                    _messy_date(rng, birth),
                    regency.name if rng.random() < 0.7 else regency.code,
                    regency.province.name,
                    _messy_phone(rng, phone),
                    rng.choice(["Kesempatan Kedua", "Second Chance", "Reintegrasi PMI", ""]),
                    rng.choice(["1", "D2", "Desil 3", "4", ""]),
                ]
            )


def _messy_nik(rng, nik):
    roll = rng.random()
    if roll < 0.1:
        return f"{nik[:6]}.{nik[6:12]}.{nik[12:]}"
    if roll < 0.2:
        return f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    return nik


def _messy_date(rng, day):
    roll = rng.random()
    if roll < 0.4:
        return day.strftime("%d/%m/%Y")
    if roll < 0.6:
        return day.strftime("%d-%m-%Y")
    if roll < 0.8:
        return day.isoformat()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _messy_phone(rng, e164):
    national = e164[3:]
    roll = rng.random()
    if roll < 0.4:
        return f"0{national}"
    if roll < 0.6:
        return f"+62 {national[:3]}-{national[3:7]}-{national[7:]}"
    if roll < 0.8:
        return national  # Excel dropped the leading zero
    return f"62{national}"


# --- Cases -----------------------------------------------------------------------------------


def case_copy(rows):
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    with open(WORK / "clean.csv", newline="", encoding="utf-8") as handle:
        data = list(csv.reader(handle))[:rows]
    columns = [*CLEAN_COLUMNS, "status", "created_at", "updated_at"] + [
        "kk_number", "birth_place", "phone_is_guardian", "second_phone", "email", "address",
        "education_level", "is_former_prisoner", "is_sr_student", "is_returning_worker",
        "siskop2mi_id", "restricted_notes",
    ]  # fmt: skip
    extra = ["", "", False, "", "", "", "", False, False, False, "", ""]
    with Timer() as timer:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.copy(
                    f"COPY participants_participant ({', '.join(columns)}) FROM STDIN"
                ) as copy:
                    for row in data:
                        copy.write_row([*row, "active", now, now, *extra])
                raise Rollback
        except Rollback:
            pass
    return {"rows": len(data), "seconds": timer.seconds}


def _library_resource(bulk):
    from import_export import fields, resources

    from participants.models import Participant

    class Plain(resources.ModelResource):
        regency = fields.Field(attribute="regency_id", column_name="regency_id")
        province = fields.Field(attribute="province_id", column_name="province_id")

        class Meta:
            model = Participant
            fields = ("nik", "full_name", "sex", "birth_date", "phone")
            import_id_fields = ("nik",)
            if bulk:
                use_bulk = True
                batch_size = 1000
                skip_diff = True
                force_init_instance = True

    return Plain()


def case_library(rows, bulk):
    import tablib
    from django.db import transaction

    with open(WORK / "clean.csv", newline="", encoding="utf-8") as handle:
        data = list(csv.reader(handle))[:rows]
    dataset = tablib.Dataset(*data, headers=CLEAN_COLUMNS)
    resource = _library_resource(bulk)
    with Timer() as timer:
        try:
            with transaction.atomic():
                result = resource.import_data(dataset, dry_run=False, raise_errors=True)
                raise Rollback
        except Rollback:
            pass
    assert not result.has_errors()
    return {"rows": len(data), "seconds": timer.seconds}


def case_portal(rows):
    from django.db import transaction

    from participants.importer import import_participants
    from portal.accounts.models import User

    user, _ = User.objects.get_or_create(username="bench-importer")
    user.is_superuser = True
    source = WORK / f"messy-{rows}.csv"
    with open(WORK / "messy.csv", "rb") as whole, open(source, "wb") as part:
        for _ in range(rows + 1):  # the header and `rows` rows, streamed
            line = whole.readline()
            if not line:
                break
            part.write(line)
    source = open(source, "rb")  # noqa: SIM115 - closed by the importer's caller at exit
    with Timer() as timer:
        try:
            with transaction.atomic():
                report = import_participants(fileobj=source, user=user, filename="bench.csv")
                raise Rollback
        except Rollback:
            pass
    assert report.refused is None, report.refused
    counts = report.counts
    assert counts.get("rejected", 0) == 0, counts
    return {"rows": sum(counts.values()) - counts.get("skipped", 0), "seconds": timer.seconds,
            "counts": counts}  # fmt: skip


def run_one(case, rows):
    setup_django()
    import django.db  # noqa: F401 - loaded before the baseline

    baseline = peak_memory_mb()
    if case == "copy":
        result = case_copy(rows)
    elif case == "library_default":
        result = case_library(rows, bulk=False)
    elif case == "library_bulk":
        result = case_library(rows, bulk=True)
    else:
        result = case_portal(rows)
    result["peak_mb"] = round(peak_memory_mb(), 1)
    result["growth_mb"] = round(peak_memory_mb() - baseline, 1)
    print(__import__("json").dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--library-rows", type=int, default=5_000)
    parser.add_argument("--case")
    arguments = parser.parse_args()
    if arguments.case:
        return run_one(arguments.case, arguments.rows)

    ensure_database()
    generate(arguments.rows)
    library_rows = min(arguments.library_rows, arguments.rows)
    cases = [
        ("COPY (normalised rows)", "copy", arguments.rows),
        ("django-import-export default", "library_default", library_rows),
        ("django-import-export bulk", "library_bulk", arguments.rows),
        ("portal importer (every rule)", "portal", arguments.rows),
        ("portal importer, a tenth of the rows", "portal", max(arguments.rows // 10, 1)),
    ]
    results = {}
    for label, case, rows in cases:
        outcome = run_case(HERE, "--case", case, "--rows", rows)
        outcome["rows_per_second"] = outcome["rows"] / outcome["seconds"]
        results[case if case not in results else f"{case}_tenth"] = {"label": label, **outcome}
    baseline = results["copy"]["rows_per_second"]
    for outcome in results.values():
        outcome["ratio_to_copy"] = outcome["rows_per_second"] / baseline
    save("import_participants", {"rows": arguments.rows, "cases": results})
    print(
        table(
            [
                (
                    o["label"],
                    f"{o['rows']:,}",
                    f"{o['seconds']:.2f}",
                    f"{o['rows_per_second']:,.0f}",
                    f"1/{1 / o['ratio_to_copy']:.1f}" if 0 < o["ratio_to_copy"] < 1 else "1",
                    o["peak_mb"],
                    o["growth_mb"],
                )
                for o in results.values()
            ],
            ["case", "rows", "seconds", "rows/s", "vs COPY", "peak MB", "growth MB"],
        )
    )


if __name__ == "__main__":
    main()
