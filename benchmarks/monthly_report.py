"""The national monthly report on PostgreSQL, against the bare SQL aggregates of the same
figures (hand-written SQL with the same groupings, the rows fetched and nothing else).

- `sql`: the aggregates the report shows, one hand-written query per table (the baseline);
- `portal`: `report_build(kind="monthly")`, national: the same aggregates through the ORM, the
  workbook written with openpyxl (write-only) and stored, the run recorded.

Each case runs in its own process (peak memory is that process's) inside a transaction that is
rolled back, with MEDIA_ROOT in a temporary folder, so the database is left as it was. Fill the
database first, e.g. `manage.py generate_load --participants 20000`.

    python benchmarks/monthly_report.py [--period 2026-10] [--repeat 3]
"""

import argparse
import os
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

# One statement per table of the report, with the groupings the ORM uses.
SQL = {
    "participants_by_province": """
        SELECT pr.name, p.status, count(*), count(*) FILTER (WHERE p.created_at >= %(since)s)
        FROM participants_participant p LEFT JOIN regions_province pr ON pr.code = p.province_id
        WHERE p.created_at < %(until)s GROUP BY pr.name, p.status""",
    "participants_by_category": """
        SELECT count(*) FILTER (WHERE is_former_prisoner),
               count(*) FILTER (WHERE is_former_prisoner AND created_at >= %(since)s),
               count(*) FILTER (WHERE is_sr_student),
               count(*) FILTER (WHERE is_sr_student AND created_at >= %(since)s),
               count(*) FILTER (WHERE is_returning_worker),
               count(*) FILTER (WHERE is_returning_worker AND created_at >= %(since)s)
        FROM participants_participant WHERE created_at < %(until)s""",
    "enrolments_by_batch": """
        SELECT b.id, b.code, t.name, count(e.id),
               count(e.id) FILTER (WHERE e.enrolled_on >= %(start)s),
               count(e.id) FILTER (WHERE e.status = 'completed' AND e.ended_on <= %(end)s),
               count(c.id) FILTER (WHERE c.issued_on BETWEEN %(start)s AND %(end)s)
        FROM training_enrolment e JOIN training_batch b ON b.id = e.batch_id
        JOIN training_track t ON t.id = b.track_id
        LEFT JOIN training_certificate c ON c.enrolment_id = e.id
        WHERE e.enrolled_on <= %(end)s GROUP BY b.id, b.code, t.name""",
    "attendance_by_batch": """
        SELECT e.batch_id, count(*) FILTER (WHERE a.status IN ('present', 'late')),
               count(*) FILTER (WHERE a.status = 'absent')
        FROM training_attendance a JOIN training_session s ON s.id = a.session_id
        JOIN training_enrolment e ON e.id = a.enrolment_id
        WHERE s.starts_at >= %(since)s AND s.starts_at < %(until)s GROUP BY e.batch_id""",
    "placements_by_phase": """
        SELECT coalesce(last.to_phase, p.phase), count(*)
        FROM placements_placement p LEFT JOIN LATERAL (
            SELECT to_phase FROM placements_phasechange
            WHERE placement_id = p.id AND "on" <= %(end)s
            ORDER BY "on" DESC, changed_at DESC, id DESC LIMIT 1) last ON true
        WHERE p.created_at < %(until)s GROUP BY 1""",
    "placements_by_destination": """
        SELECT p.country_id, c.name_id, c.name_en, p.scheme, count(*)
        FROM placements_placement p JOIN regions_country c ON c.code = p.country_id
        WHERE p.created_at < %(until)s GROUP BY p.country_id, c.name_id, c.name_en, p.scheme""",
    "placement_moves": """
        SELECT p.country_id, p.scheme, pc.to_phase, count(DISTINCT pc.placement_id)
        FROM placements_phasechange pc JOIN placements_placement p ON p.id = pc.placement_id
        WHERE pc."on" BETWEEN %(start)s AND %(end)s AND pc.to_phase IN ('departed', 'returned')
          AND p.created_at < %(until)s
        GROUP BY p.country_id, p.scheme, pc.to_phase""",
    "cases_open_at_end": """
        SELECT c.type, coalesce(last.to_status,
               CASE WHEN c.status = 'closed' THEN 'open' ELSE c.status END), count(*)
        FROM placements_case c LEFT JOIN LATERAL (
            SELECT to_status FROM placements_caseupdate
            WHERE case_id = c.id AND at < %(until)s AND to_status <> ''
            ORDER BY at DESC, id DESC LIMIT 1) last ON true
        WHERE c.opened_on <= %(end)s AND (c.closed_on IS NULL OR c.closed_on > %(end)s)
        GROUP BY 1, 2""",
    "cases_opened_closed": """
        SELECT type, count(*) FILTER (WHERE opened_on BETWEEN %(start)s AND %(end)s),
               count(*) FILTER (WHERE closed_on BETWEEN %(start)s AND %(end)s)
        FROM placements_case
        WHERE opened_on BETWEEN %(start)s AND %(end)s OR closed_on BETWEEN %(start)s AND %(end)s
        GROUP BY type""",
    "agreements": """
        SELECT * FROM partners_agreement
        WHERE valid_from <= %(end)s AND (valid_until IS NULL OR valid_until >= %(start)s)""",
    "commitments": """
        SELECT m.*, a.number FROM partners_commitment m JOIN partners_agreement a
          ON a.id = m.agreement_id
        WHERE a.valid_from <= %(end)s AND (a.valid_until IS NULL OR a.valid_until >= %(start)s)""",
    "enrolled_by_programme_track": """
        SELECT b.programme_id, t.code, count(*)
        FROM training_enrolment e JOIN training_batch b ON b.id = e.batch_id
        JOIN training_track t ON t.id = b.track_id
        WHERE e.enrolled_on <= %(end)s AND e.status <> 'withdrawn'
        GROUP BY b.programme_id, t.code""",
}


class Rollback(Exception):
    pass


def _params(label):
    from portal.reports import periods

    period = periods.resolve(periods.MONTHLY, label)
    since, until = period.bounds()
    return period, {"since": since, "until": until, "start": period.start, "end": period.end}


def case_sql(label):
    from django.db import connection

    period, params = _params(label)
    rows = 0
    with Timer() as timer, connection.cursor() as cursor:
        for statement in SQL.values():
            cursor.execute(statement, params)
            rows += len(cursor.fetchall())
    return {"seconds": timer.seconds, "queries": len(SQL), "rows": rows, "period": period.label}


def case_portal(label):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from portal.reports.services import report_build

    period, _params_ = _params(label)
    result = {}
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            with Timer() as timer:
                run = report_build(kind="monthly", period=period, force=True)
            result = {
                "seconds": timer.seconds,
                "queries": len(queries),
                "file_bytes": run.file.size,
                "status": run.status,
                "period": period.label,
            }
            raise Rollback
    except Rollback:
        pass
    return result


def run_one(case, label):
    import json

    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="portal-bench-report-")
    setup_django()
    result = {"sql": case_sql, "portal": case_portal}[case](label)
    result["peak_memory_mb"] = round(peak_memory_mb(), 1)
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", help="2026-10 (default: the last complete month)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best counts")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_one(args.case, args.period)
        return
    ensure_database()
    from participants.models import Participant

    people = Participant.objects.count()
    extra = ["--period", args.period] if args.period else []
    results = {}
    for case in ("sql", "portal"):
        runs = [run_case(HERE, "--case", case, *extra) for _ in range(args.repeat)]
        results[case] = min(runs, key=lambda r: r["seconds"])
    ratio = results["portal"]["seconds"] / results["sql"]["seconds"]
    summary = {
        "participants": people,
        "period": results["portal"]["period"],
        "repeat": args.repeat,
        "cases": results,
        "ratio_portal_to_sql": round(ratio, 2),
    }
    save("monthly_report", summary)
    rows = [
        (
            name,
            f"{r['seconds']:.3f}",
            r["queries"],
            f"{r['peak_memory_mb']:.0f}",
            "1.00" if name == "sql" else f"{ratio:.2f}",
        )
        for name, r in results.items()
    ]
    print(f"monthly report {summary['period']}, {people} participants, best of {args.repeat}")
    print(table(rows, ["case", "seconds", "queries", "peak MB", "x SQL"]))


if __name__ == "__main__":
    main()
