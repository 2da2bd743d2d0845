"""The reminder scan on the DATABASE_URL data set, against the bare SQL aggregate of the same
due sets.

- "sql": one hand-written SQL statement per rule counting the (object, recipient) pairs due, the
  floor any implementation needs to find them;
- "scan": `scan_reminders(send=False)` recording every notification (rules, rendering both
  languages, INSERT ... ON CONFLICT), on an empty log;
- "rescan": the same scan again when everything is already recorded (the hourly steady state).

Each case runs in a fresh process inside a transaction that is rolled back, so the database is
left as it was. The scan's counts must equal the SQL counts (checked and printed).

    python benchmarks/reminder_scan.py [--today 2026-11-30]
"""

import argparse
import datetime as dt
import json
import sys
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

EXPIRING_KINDS = [
    "passport",
    "visa",
    "medical",
    "competency_certificate",
    "placement_agreement",
    "work_contract",
]

# Every statement counts distinct (object, recipient) pairs with an active recipient.
# Parameters: %(today)s (date), %(now)s (timestamptz), %(kinds)s.
SQL = {
    "document_expiry": """
        SELECT count(DISTINCT (d.id, r.uid)) FROM participants_personaldocument d
        JOIN participants_participant p ON p.id = d.participant_id
        CROSS JOIN LATERAL (VALUES (p.user_id), (p.officer_id)) r(uid)
        JOIN accounts_user au ON au.id = r.uid AND au.is_active
        WHERE d.kind = ANY(%(kinds)s) AND p.status = 'active'
          AND d.expires_on BETWEEN %(today)s::date + 1 AND %(today)s::date + 90""",
    "certificate_expiry": """
        SELECT count(DISTINCT (c.id, r.uid)) FROM training_certificate c
        JOIN training_enrolment e ON e.id = c.enrolment_id
        JOIN participants_participant p ON p.id = e.participant_id
        CROSS JOIN LATERAL (VALUES (p.user_id), (p.officer_id)) r(uid)
        JOIN accounts_user au ON au.id = r.uid AND au.is_active
        WHERE p.status = 'active'
          AND c.expires_on BETWEEN %(today)s::date + 1 AND %(today)s::date + 90""",
    "contract_expiry": """
        SELECT count(DISTINCT (pl.id, r.uid)) FROM placements_placement pl
        JOIN participants_participant p ON p.id = pl.participant_id
        CROSS JOIN LATERAL (VALUES (p.user_id), (coalesce(pl.officer_id, p.officer_id))) r(uid)
        JOIN accounts_user au ON au.id = r.uid AND au.is_active
        WHERE pl.phase IN ('departed', 'working')
          AND pl.contract_end BETWEEN %(today)s::date + 1 AND %(today)s::date + 90""",
    "agreement_expiry": """
        WITH due AS (
            SELECT a.id FROM partners_agreement a
            WHERE a.signed_on IS NOT NULL
              AND (a.terminated_on IS NULL OR a.terminated_on > %(today)s::date)
              AND a.valid_until BETWEEN %(today)s::date + 1 AND %(today)s::date + 90
        ), staff AS (
            SELECT DISTINCT u.id FROM accounts_user u
            JOIN accounts_user_groups ug ON ug.user_id = u.id
            JOIN auth_group g ON g.id = ug.group_id
            WHERE u.is_active AND g.name IN ('ministry_admin', 'ministry_officer')
        )
        SELECT count(*) FROM (
            SELECT due.id, staff.id FROM due CROSS JOIN staff
            UNION
            SELECT due.id, m.user_id FROM due
            JOIN partners_agreementparty ap ON ap.agreement_id = due.id
            JOIN partners_membership m ON m.organisation_id = ap.organisation_id
            JOIN accounts_user u ON u.id = m.user_id AND u.is_active
        ) pairs""",
    "checkin_overdue": """
        SELECT count(*) FROM placements_placement pl
        JOIN participants_participant p ON p.id = pl.participant_id
        JOIN accounts_user u ON u.id = coalesce(pl.officer_id, p.officer_id) AND u.is_active
        LEFT JOIN (SELECT placement_id, max("on") AS last FROM placements_checkin
                   GROUP BY placement_id) c ON c.placement_id = pl.id
        WHERE pl.phase = 'working'
          AND greatest(pl.phase_since, coalesce(c.last, pl.phase_since))
              <= %(today)s::date - 30""",
    "case_followup": """
        SELECT count(*) FROM placements_case k
        JOIN accounts_user u ON u.id = k.assigned_officer_id AND u.is_active
        LEFT JOIN (SELECT case_id, max(at) AS last FROM placements_caseupdate
                   GROUP BY case_id) cu ON cu.case_id = k.id
        WHERE k.status <> 'closed'
          AND greatest(k.last_activity_at, coalesce(cu.last, k.last_activity_at))
              < (%(today)s::date - 13)::timestamp AT TIME ZONE 'Asia/Jakarta'""",
    "placement_not_before": """
        SELECT count(*) FROM (
            SELECT greatest(
                CASE WHEN (p.birth_date + interval '18 years')::date > %(today)s::date
                     THEN (p.birth_date + interval '18 years')::date END,
                CASE WHEN f.supervision_end_date > %(today)s::date
                     THEN f.supervision_end_date END) AS lifts
            FROM participants_participant p
            JOIN accounts_user u ON u.id = p.officer_id AND u.is_active
            LEFT JOIN participants_formerprisonerprofile f ON f.participant_id = p.id
            WHERE p.status = 'active'
        ) blocks WHERE lifts BETWEEN %(today)s::date + 1 AND %(today)s::date + 7""",
    "session_upcoming": """
        SELECT count(DISTINCT (s.id, p.user_id)) FROM training_session s
        JOIN training_batch b ON b.id = s.batch_id
        JOIN training_enrolment e ON e.batch_id = b.id
        JOIN participants_participant p ON p.id = e.participant_id
        JOIN accounts_user u ON u.id = p.user_id AND u.is_active
        WHERE b.status IN ('planned', 'running') AND s.starts_at > %(now)s
          AND s.starts_at < (date_trunc('day', %(now)s AT TIME ZONE b.timezone)
                             + interval '2 days') AT TIME ZONE b.timezone
          AND e.status IN ('applied', 'enrolled', 'active') AND p.status = 'active'""",
    "attendance_absences": """
        WITH runs AS (
            SELECT a.enrolment_id, s.starts_at, a.status,
                   lag(a.status, 1, '') OVER w AS b1, lag(a.status, 2, '') OVER w AS b2,
                   lag(a.status, 3, '') OVER w AS b3
            FROM training_attendance a
            JOIN training_session s ON s.id = a.session_id
            JOIN training_enrolment e ON e.id = a.enrolment_id
            JOIN training_batch b ON b.id = e.batch_id
            WHERE e.status IN ('applied', 'enrolled', 'active') AND b.status = 'running'
              AND s.starts_at <= %(now)s AND s.starts_at >= %(now)s - interval '60 days'
            WINDOW w AS (PARTITION BY a.enrolment_id ORDER BY s.starts_at, s.id)
        ), alerts AS (
            SELECT DISTINCT enrolment_id FROM runs
            WHERE status = 'absent' AND b1 = 'absent' AND b2 = 'absent' AND b3 <> 'absent'
              AND starts_at >= %(now)s - interval '14 days'
        )
        SELECT count(DISTINCT (al.enrolment_id, r.uid)) FROM alerts al
        JOIN training_enrolment e ON e.id = al.enrolment_id
        JOIN training_batch b ON b.id = e.batch_id
        JOIN participants_participant p ON p.id = e.participant_id
        CROSS JOIN LATERAL (
            SELECT p.officer_id UNION ALL
            SELECT m.user_id FROM partners_membership m WHERE m.organisation_id = b.provider_id
        ) r(uid) JOIN accounts_user au ON au.id = r.uid AND au.is_active""",
    "attendance_low": """
        WITH held AS (
            SELECT batch_id, count(*) AS n FROM training_session
            WHERE starts_at <= %(now)s GROUP BY batch_id
        ), attended AS (
            SELECT a.enrolment_id, count(*) AS n FROM training_attendance a
            JOIN training_session s ON s.id = a.session_id
            WHERE a.status IN ('present', 'late') AND s.starts_at <= %(now)s
            GROUP BY a.enrolment_id
        ), alerts AS (
            SELECT e.id, e.participant_id, b.provider_id FROM training_enrolment e
            JOIN training_batch b ON b.id = e.batch_id
            JOIN training_track t ON t.id = b.track_id
            JOIN held h ON h.batch_id = b.id
            LEFT JOIN attended at ON at.enrolment_id = e.id
            WHERE e.status IN ('applied', 'enrolled', 'active') AND b.status = 'running'
              AND h.n >= 5 AND coalesce(at.n, 0) < t.min_attendance_share * h.n
        )
        SELECT count(DISTINCT (al.id, r.uid)) FROM alerts al
        JOIN participants_participant p ON p.id = al.participant_id
        CROSS JOIN LATERAL (
            SELECT p.officer_id UNION ALL
            SELECT m.user_id FROM partners_membership m WHERE m.organisation_id = al.provider_id
        ) r(uid) JOIN accounts_user au ON au.id = r.uid AND au.is_active""",
}


OFFICERS = 50


class Rollback(Exception):
    pass


def assign_officers():
    """Give every participant, placement and open case a responsible officer (the generated
    load has none, so without this most reminders would have no recipient). Inside the case's
    rolled-back transaction: the database is left as it was."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from portal.accounts.models import User

    group = Group.objects.get(name="ministry_officer")
    officers = User.objects.bulk_create(
        User(username=f"bench-officer-{i}", email=f"bench-officer-{i}@example.org", is_staff=True)
        for i in range(OFFICERS)
    )
    group.user_set.add(*officers)
    ids = [officer.pk for officer in officers]
    with connection.cursor() as cursor:
        for table, column in [
            ("participants_participant", "officer_id"),
            ("placements_placement", "officer_id"),
            ("placements_case", "assigned_officer_id"),
        ]:
            cursor.execute(
                f"UPDATE {table} SET {column} = (%s::bigint[])[1 + id %% %s]",  # noqa: S608
                [ids, len(ids)],
            )


def _clock(today):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(today, dt.time(12)))


def case_sql(today):
    from django.db import connection, transaction

    params = {"today": today, "now": _clock(today), "kinds": EXPIRING_KINDS}
    counts = {}
    try:
        with transaction.atomic():
            assign_officers()
            with Timer() as timer, connection.cursor() as cursor:
                for kind, sql in SQL.items():
                    cursor.execute(sql, params)
                    counts[kind] = cursor.fetchone()[0]
            raise Rollback
    except Rollback:
        pass
    return {"seconds": timer.seconds, "queries": len(SQL), "counts": counts}


def case_scan(today, *, twice):
    from django.db import connection, transaction

    from portal.notifications.models import Notification
    from portal.notifications.services import scan_reminders

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    result = {}
    try:
        with transaction.atomic():
            Notification.objects.all().delete()
            assign_officers()
            if twice:
                scan_reminders(today=today, now=_clock(today), send=False)
            with connection.execute_wrapper(count), Timer() as timer:
                counts = scan_reminders(today=today, now=_clock(today), send=False)
            result = {"seconds": timer.seconds, "queries": len(queries), "counts": counts}
            raise Rollback
    except Rollback:
        pass
    return result


def run_one(case, today):
    setup_django()
    baseline = peak_memory_mb()
    result = case_sql(today) if case == "sql" else case_scan(today, twice=case == "rescan")
    result["peak_mb"] = round(peak_memory_mb(), 1)
    result["growth_mb"] = round(peak_memory_mb() - baseline, 1)
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--case")
    arguments = parser.parse_args()
    today = arguments.today or dt.date.today()
    if arguments.case:
        return run_one(arguments.case, today)

    ensure_database()
    from participants.models import Participant

    participants = Participant.objects.count()
    cases = [
        ("bare SQL aggregate (counts per rule)", "sql"),
        ("scan_reminders, empty log (records all)", "scan"),
        ("scan_reminders, all recorded (steady state)", "rescan"),
    ]
    results = {}
    for label, case in cases:
        results[case] = {"label": label, **run_case(HERE, "--case", case, "--today", today)}
    baseline = results["sql"]["seconds"]
    for outcome in results.values():
        outcome["ratio_to_sql"] = outcome["seconds"] / baseline if baseline else None
    mismatches = {
        kind: (results["sql"]["counts"][kind], results["scan"]["counts"].get(kind))
        for kind in SQL
        if results["sql"]["counts"][kind] != results["scan"]["counts"].get(kind)
    }
    save(
        "reminder_scan",
        {
            "participants": participants,
            "today": today.isoformat(),
            "cases": results,
            "mismatches": mismatches,
        },
    )
    print(f"{participants:,} participants, scan as of {today}")
    print(
        table(
            [
                (
                    o["label"],
                    f"{o['seconds']:.2f}",
                    f"{o['ratio_to_sql']:.1f}x" if o["ratio_to_sql"] else "-",
                    o["queries"],
                    sum(o["counts"].values()),
                    o["peak_mb"],
                    o["growth_mb"],
                )
                for o in results.values()
            ],
            ["case", "seconds", "vs SQL", "queries", "recorded/due", "peak MB", "growth MB"],
        )
    )
    print()
    print(
        table(
            [
                (kind, results["sql"]["counts"][kind], results["scan"]["counts"].get(kind))
                for kind in SQL
            ],
            ["rule", "SQL due", "scan recorded"],
        )
    )
    if mismatches:
        print(f"\nMISMATCH between the scan and the SQL: {mismatches}")


if __name__ == "__main__":
    main()
