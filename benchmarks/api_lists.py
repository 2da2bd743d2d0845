"""API list endpoints (issue 13): participants, enrolments and placements, against
`values_list()` + `json.dumps` of the same page.

- "api": GET /api/v1/<endpoint>/ through the Django test client with a session of a ministry
  admin the benchmark creates (`bench-api`, everything visible): authentication, scoping,
  filters, cursor pagination, the serializer (annotations and prefetches included), the
  rendered JSON;
- "bare": `Model.objects` with the same cursor condition and order, `values_list()` of the
  serializer's own model columns, the first 50, `json.dumps`.

Cases per endpoint: the first page (the default order, `updated_at, pk`), and a page deep in
the cursor in the same order, with a cursor made for the middle of the list, as a sync walking
half the list holds (`generate_load`, like an import by COPY, stamps every row with one
`updated_at`: the keyset cursor of portal.api.pagination pages through those ties).
Each case is run once to warm up and then
`--repeat` times; the median counts. Aim: within 4x.

    python benchmarks/api_lists.py [--sizes 100000 1000000] [--repeat 5]
    python benchmarks/api_lists.py --quick      # 10,000 rows, for CI
"""

import argparse
import base64
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

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

USERNAME = "bench-api"
ENDPOINTS = ["participants", "enrolments", "placements"]
PAGE = 50
AIM_RATIO = 4.0


def viewset(endpoint):
    from portal.api import views

    for candidate in vars(views).values():
        if isinstance(candidate, type) and getattr(candidate, "endpoint", None) == endpoint:
            return candidate
    raise LookupError(endpoint)


def deep_cursor(model, ordering):
    """A cursor in the list's own sync order, positioned at the middle row: the keyset
    position holds every ordering field (portal.api.pagination)."""
    rows = model.objects.count()
    fields = [field for field in ordering if field != "pk"]
    middle = model.objects.order_by(*ordering).values_list(*fields, "pk")[rows // 2]
    position = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in middle])
    token = urlencode({"p": position})
    return (
        base64.b64encode(token.encode("ascii")).decode("ascii"),
        dict(zip(fields, middle[:-1], strict=True)),
        middle[-1],
    )


def run_one(endpoint, deep, repeat):
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    view = viewset(endpoint)
    model = view.serializer_class.Meta.model
    user = bench_user(USERNAME, "ministry_admin")
    client = logged_in_client(user)
    url = f"/api/v1/{endpoint}/"
    bare_rows = model.objects.order_by(*view.ordering)
    if deep:
        from django.db.models import F
        from django.db.models.fields.tuple_lookups import TupleGreaterThan

        cursor, values, pk = deep_cursor(model, view.ordering)
        url += "?" + urlencode({"cursor": cursor})
        after = TupleGreaterThan(tuple(F(f) for f in view.ordering), [*values.values(), pk])
        bare_rows = model.objects.order_by(*view.ordering).filter(after)
    names = {f.name: f.attname for f in model._meta.concrete_fields}
    columns = [names[name] for name in view.serializer_class.Meta.fields if name in names]

    def api():
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    def bare():
        return json.dumps(list(bare_rows.values_list(*columns)[:PAGE]), default=str)

    bare_seconds, _ = timed(bare, repeat)
    api_seconds, response = timed(api, repeat)
    with CaptureQueriesContext(connection) as queries:
        api()
    body = response.json()
    print(
        json.dumps(
            {
                "api_ms": round(api_seconds * 1000, 1),
                "bare_ms": round(bare_seconds * 1000, 2),
                "ratio": round(api_seconds / bare_seconds, 2),
                "rows_on_page": len(body["results"]),
                "queries": len(queries),
                "kilobytes": round(len(response.content) / 1024, 1),
                "list_rows": model.objects.count(),
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
    parser.add_argument("--endpoint", choices=ENDPOINTS)
    parser.add_argument("--deep", action="store_true")
    parser.add_argument("--prepare", action="store_true")
    arguments = parser.parse_args()
    if arguments.prepare:
        return prepare()
    if arguments.endpoint:
        return run_one(arguments.endpoint, arguments.deep, arguments.repeat)
    if arguments.quick:
        arguments.sizes, arguments.repeat = [10_000], 3

    ensure_static()
    results = {}
    for size in arguments.sizes:
        url = sized_database(size)
        run_case_on(url, HERE, "--prepare")
        for endpoint in ENDPOINTS:
            for deep in (False, True):
                case = f"{endpoint}_{'deep' if deep else 'first'}"
                extra = ["--deep"] if deep else []
                outcome = run_case_on(
                    url, HERE, "--endpoint", endpoint, *extra, "--repeat", arguments.repeat
                )
                outcome["aim_met"] = outcome["ratio"] <= AIM_RATIO
                results[f"{case}_{size}"] = {"case": case, "rows": size, **outcome}
    save(
        "api_lists",
        {
            "quick": arguments.quick,
            "repeat": arguments.repeat,
            "aim": f"within {AIM_RATIO:g}x of values_list() + json.dumps",
            "cases": results,
        },
    )
    print(
        table(
            [
                (
                    o["case"],
                    f"{o['rows']:,}",
                    f"{o['list_rows']:,}",
                    o["api_ms"],
                    o["bare_ms"],
                    o["ratio"],
                    o["queries"],
                    o["peak_mb"],
                    "yes" if o["aim_met"] else "NO",
                )
                for o in results.values()
            ],
            [
                "case",
                "participants",
                "list rows",
                "api ms",
                "bare ms",
                "ratio",
                "queries",
                "peak MB",
                "aim met",
            ],
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
