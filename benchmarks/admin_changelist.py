"""The participant changelist in the ministry admin (issue 13), against raw SQL fetching the
same page.

- "admin": GET of the changelist through the Django test client, logged in as a ministry admin
  the benchmark creates (`bench-admin`, every participant visible, full NIKs): middleware,
  session, the changelist's queries, the template, the whole response;
- "sql": one hand-written statement reading the same rows (the admin shows 50 a page) and
  columns (names of the regency, province and officer joined in, the open-warning flag as
  EXISTS), fetched with a cursor.

Cases: the first page; a deep page (page 1,000: OFFSET 49,950, the same at 100,000 and
1,000,000 rows; the middle page below 100,000); a filter (the most populous province, status
active); a search by NIK (16 digits: an exact match); a search by part of a name ("ompul", in
Sitompul: about 1.5 % of the generated people).
Each case is run once to warm up and then `--repeat` times; the median counts. The query count
of a page must be the same at every size.

Each size is its own database filled by `generate_load` alone (`common.sized_database`):
DATABASE_URL for its own size, `<name>_<rows>` siblings for the others.

    python benchmarks/admin_changelist.py [--sizes 100000 1000000] [--repeat 5]
    python benchmarks/admin_changelist.py --quick      # 10,000 rows, for CI
"""

import argparse
import json
import os
import sys
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

USERNAME = "bench-admin"
URL = "/admin/participants/participant/"
DEEP_PAGE = 1000
NAME_PART = "ompul"
AIM_RATIO = 5.0
AIM_MS = 150.0

SQL = """
    SELECT p.id, p.full_name, p.nik, p.is_former_prisoner, p.is_sr_student,
           p.is_returning_worker, r.name, pr.name, p.status, u.username,
           EXISTS (SELECT 1 FROM participants_datawarning w
                   WHERE w.participant_id = p.id AND w.state = 'open')
    FROM participants_participant p
    LEFT JOIN regions_regency r ON r.code = p.regency_id
    LEFT JOIN regions_province pr ON pr.code = p.province_id
    LEFT JOIN accounts_user u ON u.id = p.officer_id
    WHERE {where}
    ORDER BY p.full_name, p.id
    LIMIT %(limit)s OFFSET %(offset)s
"""


def parameters():
    """What the cases look for, read from the data: a NIK, the biggest province."""
    from django.contrib import admin
    from django.db.models import Count

    from participants.models import Participant

    middle = Participant.objects.count() // 2
    nik = Participant.objects.order_by("pk").values_list("nik", flat=True)[middle]
    province = (
        Participant.objects.values("province")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("province", flat=True)[0]
    )
    per_page = admin.site._registry[Participant].list_per_page
    deep = min(DEEP_PAGE, Participant.objects.count() // per_page // 2)
    return {"nik": nik, "province": province, "deep_page": deep, "per_page": per_page}


def cases(params):
    """name -> (query string of the admin page, WHERE of the SQL, its parameters, offset)."""
    nik, province, page = params["nik"], params["province"], params["deep_page"]
    deep = (page - 1) * params["per_page"]
    return {
        "first_page": ("", "true", {}, 0),
        "deep_page": (f"?p={page}", "true", {}, deep),
        "filter": (
            f"?province__code__exact={province}&status__exact=active",
            "p.province_id = %(province)s AND p.status = 'active'",
            {"province": province},
            0,
        ),
        "search_nik": (f"?q={nik}", "p.nik = %(nik)s", {"nik": nik}, 0),
        "search_name": (
            f"?q={NAME_PART}",
            "UPPER(p.full_name::text) LIKE UPPER(%(part)s)",
            {"part": f"%{NAME_PART}%"},
            0,
        ),
    }


def run_one(case, params, repeat):
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = bench_user(USERNAME, "ministry_admin")
    client = logged_in_client(user)
    query, where, sql_params, offset = cases(params)[case]

    def page():
        response = client.get(URL + query)
        assert response.status_code == 200, response.status_code
        return response

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                SQL.format(where=where),
                {**sql_params, "limit": params["per_page"], "offset": offset},
            )
            return cursor.fetchall()

    sql_seconds, rows = timed(raw, repeat)
    portal_seconds, response = timed(page, repeat)
    with CaptureQueriesContext(connection) as queries:
        page()
    html = response.content.decode()
    assert all(f'value="{row[0]}"' in html for row in rows), "the page lacks a row of the SQL"
    print(
        json.dumps(
            {
                "portal_ms": round(portal_seconds * 1000, 1),
                "sql_ms": round(sql_seconds * 1000, 2),
                "ratio": round(portal_seconds / sql_seconds, 2),
                "rows_on_page": len(rows),
                "queries": len(queries),
                "kilobytes": round(len(response.content) / 1024, 1),
                "peak_mb": round(peak_memory_mb(), 1),
            }
        )
    )


def prepare():
    setup_django()
    bench_user(USERNAME, "ministry_admin")
    print(json.dumps(parameters()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10,000 rows (CI)")
    parser.add_argument("--case")
    parser.add_argument("--params")
    parser.add_argument("--prepare", action="store_true")
    arguments = parser.parse_args()
    if arguments.prepare:
        return prepare()
    if arguments.case:
        return run_one(arguments.case, json.loads(arguments.params), arguments.repeat)
    if arguments.quick:
        arguments.sizes, arguments.repeat = [10_000], 3

    ensure_static()
    results = {}
    for size in arguments.sizes:
        url = sized_database(size)
        params = run_case_on(url, HERE, "--prepare")
        for case in cases(params):
            outcome = run_case_on(
                url, HERE, "--case", case, "--params", json.dumps(params),
                "--repeat", arguments.repeat,
            )  # fmt: skip
            outcome["aim_met"] = outcome["ratio"] <= AIM_RATIO and outcome["portal_ms"] < AIM_MS
            results[f"{case}_{size}"] = {"case": case, "rows": size, **outcome}
    save(
        "admin_changelist",
        {
            "quick": arguments.quick,
            "repeat": arguments.repeat,
            "aim": f"within {AIM_RATIO:g}x of raw SQL and under {AIM_MS:g} ms",
            "cases": results,
        },
    )
    print(
        table(
            [
                (
                    o["case"],
                    f"{o['rows']:,}",
                    o["portal_ms"],
                    o["sql_ms"],
                    o["ratio"],
                    o["queries"],
                    o["peak_mb"],
                    "yes" if o["aim_met"] else "NO",
                )
                for o in results.values()
            ],
            ["case", "rows", "admin ms", "sql ms", "ratio", "queries", "peak MB", "aim met"],
        )  # fmt: skip
    )
    counts = {o["case"]: set() for o in results.values()}
    for o in results.values():
        counts[o["case"]].add(o["queries"])
    grown = [case for case, seen in counts.items() if len(seen) > 1]
    print("query counts constant across sizes" if not grown else f"query count grew: {grown}")


if __name__ == "__main__":
    main()
