"""`make bench`: every benchmark in turn on DATABASE_URL (PostgreSQL); QUICK=1 for a smoke run.

Results go to benchmarks/results/<name>.json and a table per benchmark is printed.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = {
    "import_participants": {"full": ["--rows", "100000"], "quick": ["--rows", "10000",
                                                                     "--library-rows", "1000"]},
    "export_participants": {"full": ["--csv-rows", "100000", "1000000", "--xlsx-rows", "100000"],
                            "quick": ["--quick"]},
    "reminder_scan": {"full": [], "quick": []},
    "monthly_report": {"full": [], "quick": ["--repeat", "1"]},
    # Pages, API and web: each at 100,000 and 1,000,000 participants (a sibling database
    # <name>_100000 is created and loaded for the smaller size), 10,000 when quick.
    "admin_changelist": {"full": [], "quick": ["--quick"]},
    "api_lists": {"full": [], "quick": ["--quick"]},
    "dashboards": {"full": [], "quick": ["--quick"]},
    "web_throughput": {"full": [], "quick": ["--quick"]},
}  # fmt: skip


def main():
    quick = "--quick" in sys.argv
    for name, arguments in BENCHMARKS.items():
        print(f"\n== {name} ==", flush=True)
        subprocess.run(  # noqa: S603 - our own scripts
            [sys.executable, str(HERE / f"{name}.py"), *arguments["quick" if quick else "full"]],
            check=True,
        )


if __name__ == "__main__":
    main()
