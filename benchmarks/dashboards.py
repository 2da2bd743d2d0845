"""The partner dashboard and the national overview (issue 13), against the same aggregates run
as bare SQL.

- "page": GET /partner/?org=<the load's big partner> (the dashboard exactly as that partner's
  staff see it, through the ministry's partner lens) and GET /ministry/ (the national overview),
  through the Django test client as a ministry admin the benchmark creates (`bench-dashboard`):
  middleware, session, every figure, suppression, the template;
- "sql": the aggregate statements that page ran (its SELECTs, captured; request plumbing such
  as the session, user and permission reads left out), executed again one after the other through a
  bare cursor: the database's own time for exactly those figures, with no ORM, Python or
  template around them. The slowest statements are listed in the results.

The big partner of `generate_load` sees about 9 % of the people: about 92,000 participants at
1,000,000 (the "partner with 100,000 participants" of the issue) and about 9,000 at 100,000.
Each case is run once to warm up and then `--repeat` times; the median counts (once only past
5 s). A statement running longer than 120 s is cancelled and the case recorded as timed out.
Aim: within 1.5x and under 300 ms.

    python benchmarks/dashboards.py [--sizes 100000 1000000] [--repeat 5]
    python benchmarks/dashboards.py --quick      # 10,000 rows, for CI
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.common import (  # noqa: E402
    bench_user,
    ensure_static,
    logged_in_client,
    peak_memory_mb,
    run_case_on,
    save,
    setup_django,
    sized_database,
    table,
    timed,
)

USERNAME = "bench-dashboard"
AIM_RATIO = 1.5
AIM_MS = 300.0
LIMIT = 120  # seconds a statement may run before the case counts as over the limit
PLUMBING = re.compile(
    r'FROM "(django_session|accounts_user|auth_\w+|django_content_type|otp_\w+|axes_\w+)"'
)


def url_of(case):
    from portal.web.loadgen.checks import BIG_PARTNER

    return {"partner": f"/partner/?org={BIG_PARTNER}", "national": "/ministry/"}[case]


def partner_participants():
    from participants.models import Participant
    from partners.lens import PartnerLens
    from partners.models import Organisation
    from portal.web.loadgen.checks import BIG_PARTNER

    lens = PartnerLens(Organisation.objects.get(slug=BIG_PARTNER), actor=None)
    return Participant.objects.visible_to(lens).count()


def run_one(case, repeat):
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    setup_django()
    from django.db import OperationalError, connection, connections
    from django.test.utils import CaptureQueriesContext

    # A statement running past the limit is cancelled and the case recorded as over it.
    connections["default"].settings_dict["OPTIONS"]["options"] = f"-c statement_timeout={LIMIT}s"
    connections["default"].close()
    client = logged_in_client(bench_user(USERNAME, "ministry_admin"))
    url = url_of(case)

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    try:
        page_seconds, response = timed(page, repeat)
    except OperationalError as error:
        seen = partner_participants() if case == "partner" else None
        timed_out = {"timed_out": True, "limit_s": LIMIT, "error": str(error)[:300]}
        print(json.dumps({**timed_out, "partner_participants": seen}))
        return
    with CaptureQueriesContext(connection) as captured:
        page()
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        and not PLUMBING.search(q["sql"])
    ]

    def replay():
        spent = []
        with connection.cursor() as cursor:
            for sql in statements:
                start = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                spent.append(time.perf_counter() - start)
        return spent

    sql_seconds, spent = timed(lambda: sum(replay()), repeat)
    slowest = sorted(zip(replay(), statements, strict=True), reverse=True)[:3]
    print(
        json.dumps(
            {
                "page_ms": round(page_seconds * 1000, 1),
                "sql_ms": round(sql_seconds * 1000, 1),
                "ratio": round(page_seconds / sql_seconds, 2),
                "queries": len(captured),
                "aggregate_statements": len(statements),
                "slowest_sql": [{"ms": round(s * 1000, 1), "sql": sql[:400]} for s, sql in slowest],
                "partner_participants": partner_participants() if case == "partner" else None,
                "kilobytes": round(len(response.content) / 1024, 1),
                "peak_mb": round(peak_memory_mb(), 1),
            }
        )
    )


def prepare():
    setup_django()
    bench_user(USERNAME, "ministry_admin")
    print("{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10,000 rows (CI)")
    parser.add_argument("--case", choices=["partner", "national"])
    parser.add_argument("--prepare", action="store_true")
    arguments = parser.parse_args()
    if arguments.prepare:
        return prepare()
    if arguments.case:
        return run_one(arguments.case, arguments.repeat)
    if arguments.quick:
        arguments.sizes, arguments.repeat = [10_000], 3

    ensure_static()
    results = {}
    for size in arguments.sizes:
        url = sized_database(size)
        run_case_on(url, HERE, "--prepare")
        for case in ("partner", "national"):
            outcome = run_case_on(url, HERE, "--case", case, "--repeat", arguments.repeat)
            outcome["aim_met"] = not outcome.get("timed_out") and (
                outcome["ratio"] <= AIM_RATIO and outcome["page_ms"] < AIM_MS
            )
            results[f"{case}_{size}"] = {"case": case, "rows": size, **outcome}
    save(
        "dashboards",
        {
            "quick": arguments.quick,
            "repeat": arguments.repeat,
            "aim": f"within {AIM_RATIO:g}x of the same aggregates as bare SQL, under {AIM_MS:g} ms",
            "cases": results,
        },
    )
    print(
        table(
            [
                (
                    o["case"],
                    f"{o['rows']:,}",
                    f"{o['partner_participants']:,}" if o["partner_participants"] else "all",
                    o.get("page_ms", f"> {LIMIT} s"),
                    o.get("sql_ms", ""),
                    o.get("ratio", ""),
                    o.get("queries", ""),
                    o.get("peak_mb", ""),
                    "yes" if o["aim_met"] else "NO",
                )
                for o in results.values()
            ],
            [
                "case",
                "participants",
                "seen",
                "page ms",
                "sql ms",
                "ratio",
                "queries",
                "peak MB",
                "aim met",
            ],
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
