"""Export of participants on PostgreSQL (issue 7), against bare writers of the same rows:

- `csv_bare`: `csv.writer.writerows` over `Participant.objects.order_by("pk").values_list(<the
  paths of the portal's plan>).iterator(chunk_size=2000)`, to /dev/null (the ceiling);
- `csv_portal`: `export_start(...)` and every byte of `stream_csv(run=...)` to /dev/null, as the
  download and the command line do: scoping, masking, formula neutralisation, ISO dates in the
  local zone, the people recorded (COPY), the SHA-256 of the file, the audit entry;
- `xlsx_bare`: an openpyxl write-only workbook appending the same `values_list` rows (time zones
  dropped from datetimes, which openpyxl refuses) and saved to a temporary file;
- `xlsx_portal`: `export_start(...)` and `write_xlsx(run=..., fileobj=<temporary file>)`.

The exporting user is a ministry admin the benchmark creates (`bench-exporter`, no password):
every participant visible, NIKs and restricted fields as that role's permissions say. To
measure 100,000 and 1,000,000 rows on one database, each case exports the first N participants
by primary key. The export layer has no pk filter, so the case process registers a
benchmark-only list `bench_participants` in `DATASETS`: the `participants` list itself (same
columns, same plan, same Writer) whose rows are `Participant.objects.visible_to(user)` with
`pk <= <pk of the Nth participant>`. The bare writers read the same range. A real filter
(province) was not used: it gives uneven, data-dependent sizes and a different query plan.

Reported per case: rows per second, the portal's rate against the bare writer's (aims: CSV at
least 0.5, XLSX at least 0.7), the peak resident memory while the case ran (the peak is reset
after Django is loaded, so the growth column is the case's own) and, for CSV, the time to the
first byte (the header) and to the first rows.

Each case runs in its own process, in autocommit as a download does: Django then reads through a
WITH HOLD server-side cursor, which PostgreSQL fills with the whole result before the first row
comes back (the "first rows" column grows with the rows). The portal cases then delete what
they recorded (the run, its exported people and its audit entry): nothing else is touched. The
database is filled with `generate_load` when it holds fewer participants than asked; a database
holding enough is used as it is.

    python benchmarks/export_participants.py [--csv-rows 100000 1000000] [--xlsx-rows 100000]
    python benchmarks/export_participants.py --quick          # 10,000 rows of each, for CI
"""

import argparse
import csv
import dataclasses
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.common import (  # noqa: E402
    ROOT,
    ensure_database,
    peak_memory_mb,
    run_case,
    save,
    setup_django,
    table,
)

USERNAME = "bench-exporter"
CODE = "bench_participants"
AIMS = {"csv": 0.5, "xlsx": 0.7}


# --- Data and user ---------------------------------------------------------------------------


def ensure_participants(rows):
    """Fill the database with `generate_load` when it holds fewer than `rows` participants.

    A smaller generated load is replaced (--reset); a database with enough is left alone."""
    from participants.models import Participant
    from portal.web.loadgen import load_present

    count = Participant.objects.count()
    if count >= rows:
        return count
    command = [sys.executable, "manage.py", "generate_load", "--participants", str(rows)]
    if load_present():
        command.append("--reset")
    print(f"The database holds {count:,} participants: generating {rows:,}.", flush=True)
    subprocess.run(  # noqa: S603 - our own command with our own arguments
        command, check=True, cwd=ROOT, env={**os.environ, "DJANGO_DEBUG": "1"},
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return Participant.objects.count()


def exporter():
    """The ministry admin who exports (no usable password: nobody logs in as it)."""
    from django.contrib.auth.models import Group

    from portal.accounts.models import User

    user, created = User.objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="ministry_admin"))
    return user


def pk_bound(rows):
    """The pk of the `rows`-th participant: `pk <= bound` selects the first `rows`."""
    from participants.models import Participant

    return Participant.objects.order_by("pk").values_list("pk", flat=True)[rows - 1]


def cleanup(user):
    """Delete what the portal cases recorded: the user's runs, their people and audit entries."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from portal.exports.models import ExportedPerson, ExportRun

    runs = ExportRun.objects.filter(user=user)
    ExportedPerson.objects.filter(run__in=runs)._raw_delete(ExportedPerson.objects.db)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ExportRun),
        object_pk__in=[str(pk) for pk in runs.values_list("pk", flat=True)],
    ).delete()
    runs.delete()


# --- Cases (each in its own process) ---------------------------------------------------------


def register(bound):
    """The benchmark-only list: the participants list limited to `pk <= bound`."""
    from portal.exports.datasets import DATASETS, PARTICIPANTS

    DATASETS[CODE] = dataclasses.replace(
        PARTICIPANTS,
        code=CODE,
        visible=lambda user: PARTICIPANTS.visible(user).filter(pk__lte=bound),
    )


def bare_plan(user, *, typed):
    """The paths and headers the portal's plan uses for `user`, and the datetime columns."""
    from portal.exports.columns import Kind, Protection, compile_plan, visible_columns
    from portal.exports.datasets import NIK_PERMISSION, PARTICIPANTS, RESTRICTED_PERMISSION

    protection = Protection(
        mask_nik=not user.has_perm(NIK_PERMISSION), restricted=user.has_perm(RESTRICTED_PERMISSION)
    )
    plan = compile_plan(PARTICIPANTS.columns, protection, person_path="pk", typed=typed)
    shown = visible_columns(PARTICIPANTS.columns, protection)
    datetimes = [i for i, column in enumerate(shown) if column.kind == Kind.DATETIME]
    return plan.paths, plan.headers, datetimes


def bare_rows(bound, paths):
    from participants.models import Participant

    queryset = Participant.objects.filter(pk__lte=bound).order_by("pk").values_list(*paths)
    return queryset.iterator(chunk_size=2000)


def case_csv_bare(user, bound):
    paths, headers, _datetimes = bare_plan(user, typed=False)
    with open(os.devnull, "w", newline="", encoding="utf-8") as sink:
        start = time.perf_counter()
        out = csv.writer(sink)
        out.writerow(headers)
        first_byte = time.perf_counter() - start
        rows = bare_rows(bound, paths)
        first = next(rows)
        out.writerow(first)
        first_rows = time.perf_counter() - start
        out.writerows(rows)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "first_byte": first_byte, "first_rows": first_rows}


def case_csv_portal(user, bound):
    from portal.exports.models import ExportRun
    from portal.exports.services import export_start, stream_csv

    register(bound)
    first_byte = first_rows = None
    size = 0
    with open(os.devnull, "wb") as sink:
        start = time.perf_counter()
        run = export_start(user=user, datasets=[CODE], format="csv")
        for chunk in stream_csv(run=run):
            if first_byte is None:
                first_byte = time.perf_counter() - start
            elif first_rows is None:
                first_rows = time.perf_counter() - start
            sink.write(chunk)
            size += len(chunk)
        seconds = time.perf_counter() - start
    run.refresh_from_db()
    assert run.status == ExportRun.Status.DONE, run.status
    return {"seconds": seconds, "first_byte": first_byte, "first_rows": first_rows,
            "rows": run.row_count, "megabytes": round(size / 1e6, 1)}  # fmt: skip


def case_xlsx_bare(user, bound):
    from openpyxl import Workbook

    paths, headers, datetimes = bare_plan(user, typed=True)
    with tempfile.TemporaryFile() as handle:
        start = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Participants")
        sheet.append(headers)
        for raw in bare_rows(bound, paths):
            row = list(raw)
            for i in datetimes:
                if row[i] is not None:
                    row[i] = row[i].replace(tzinfo=None)
            sheet.append(row)
        workbook.save(handle)
        seconds = time.perf_counter() - start
        size = handle.tell()
    return {"seconds": seconds, "megabytes": round(size / 1e6, 1)}


def case_xlsx_portal(user, bound):
    from portal.exports.services import export_start, write_xlsx

    register(bound)
    with tempfile.TemporaryFile() as handle:
        start = time.perf_counter()
        run = export_start(user=user, datasets=[CODE], format="xlsx")
        rows, _excluded = write_xlsx(run=run, fileobj=handle)
        seconds = time.perf_counter() - start
        size = handle.tell()
    return {"seconds": seconds, "rows": rows, "megabytes": round(size / 1e6, 1)}


CASES = {
    "csv_bare": case_csv_bare,
    "csv_portal": case_csv_portal,
    "xlsx_bare": case_xlsx_bare,
    "xlsx_portal": case_xlsx_portal,
}


def _status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak():
    """Start the peak-memory count afresh (Linux: clear_refs 5 resets VmHWM); returns the
    resident memory now. Where that is not possible the peak counts from the process's start."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return _status_mb("VmRSS")
    except OSError:
        return peak_memory_mb()


def peak_mb():
    try:
        return _status_mb("VmHWM")
    except OSError:
        return peak_memory_mb()


def run_one(case, rows, bound):
    setup_django()
    import openpyxl  # noqa: F401 - loaded before the memory baseline, as Django is

    from portal.accounts.models import User

    user = User.objects.get(username=USERNAME)
    before = reset_peak()
    try:
        result = CASES[case](user, bound)
        peak = peak_mb()
    finally:
        if case.endswith("_portal"):
            cleanup(user)
    result.setdefault("rows", rows)
    assert result["rows"] == rows, (result["rows"], rows)
    result["peak_mb"] = round(peak, 1)
    result["growth_mb"] = round(peak - before, 1)
    print(json.dumps(result))


# --- The run ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--xlsx-rows", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each case; the fastest counts"
    )
    parser.add_argument("--quick", action="store_true", help="10,000 rows of each (CI)")
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--bound", type=int)
    arguments = parser.parse_args()
    if arguments.case:
        return run_one(arguments.case, arguments.rows, arguments.bound)
    if arguments.quick:
        arguments.csv_rows = arguments.xlsx_rows = [10_000]

    ensure_database()
    available = ensure_participants(max(arguments.csv_rows + arguments.xlsx_rows))
    user = exporter()
    cleanup(user)  # what an interrupted earlier run may have left
    plan = [("csv", rows) for rows in arguments.csv_rows]
    plan += [("xlsx", rows) for rows in arguments.xlsx_rows]
    results = {}
    for kind, rows in plan:
        bound = pk_bound(rows)
        for attempt in range(arguments.repeat):
            for variant in ("bare", "portal"):
                case = f"{kind}_{variant}"
                outcome = run_case(HERE, "--case", case, "--rows", rows, "--bound", bound)
                outcome["rows_per_second"] = round(rows / outcome["seconds"])
                best = results.get(f"{case}_{rows}")
                if best is None or outcome["seconds"] < best["seconds"]:
                    results[f"{case}_{rows}"] = {"case": case, "runs": attempt + 1, **outcome}
                else:
                    best["runs"] = attempt + 1
        portal, bare = results[f"{kind}_portal_{rows}"], results[f"{kind}_bare_{rows}"]
        portal["ratio_to_bare"] = round(portal["rows_per_second"] / bare["rows_per_second"], 3)
        portal["aim"] = AIMS[kind]
        portal["aim_met"] = portal["ratio_to_bare"] >= AIMS[kind]
    save(
        "export_participants",
        {
            "database_participants": available,
            "quick": arguments.quick,
            "repeat": arguments.repeat,
            "cases": results,
        },  # fmt: skip
    )
    print(
        table(
            [
                (
                    o["case"],
                    f"{o['rows']:,}",
                    f"{o['seconds']:.2f}",
                    f"{o['rows_per_second']:,}",
                    f"{o['ratio_to_bare']:.2f} (aim {o['aim']})" if "aim" in o else "1",
                    f"{o['first_byte'] * 1000:.0f}" if "first_byte" in o else "",
                    f"{o['first_rows'] * 1000:.0f}" if "first_rows" in o else "",
                    o["peak_mb"],
                    o["growth_mb"],
                )
                for o in results.values()
            ],
            [
                "case",
                "rows",
                "seconds",
                "rows/s",
                "vs bare",
                "first byte ms",
                "first rows ms",
                "peak MB",
                "growth MB",
            ],
        )  # fmt: skip
    )
    for kind in ("csv", "xlsx"):
        sizes = [rows for k, rows in plan if k == kind]
        if len(sizes) > 1:
            small, large = (
                results[f"{kind}_portal_{min(sizes)}"],
                results[f"{kind}_portal_{max(sizes)}"],
            )
            print(
                f"{kind} portal peak memory: {small['peak_mb']} MB at {min(sizes):,} rows, "
                f"{large['peak_mb']} MB at {max(sizes):,} rows"
            )


if __name__ == "__main__":
    main()
