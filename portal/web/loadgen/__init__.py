"""`generate_load`: a large, internally consistent data set for benchmarks.

Rows go in by COPY on PostgreSQL and `bulk_create` elsewhere, in chunks of people (each chunk in
its own transaction, so memory stays bounded), bypassing services, signals and the audit log:
the generator itself keeps the models' rules (one open placement per participant, phase history
along `Placement.TRANSITIONS`, closed cases with a closing date, guardian consent for minors,
referrals relying on a referral consent) and `checks.run_checks` verifies them afterwards.

A load is recognisable: its people have NIK serials 9000-9999 (reserved for loads), and its
organisations, logins, tracks and batches have `load-` codes, its agreements and job orders
`LOAD` numbers. A database holds at most one load: `generate_load` refuses when one is there,
and `--reset` removes it first (`reset.remove_load`), leaving demo data alone. The same seed
on the same day gives the same data (dates are relative to today).
"""

import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from partners.models import Organisation

from .journeys import make_cases, make_placements, make_training
from .people_rows import make_people
from .reference import PREFIX, build_reference
from .sink import Sink

CHUNK = 25_000
MAX_PARTICIPANTS = 10_000_000


class LoadError(Exception):
    pass


@dataclass
class LoadReport:
    participants: int
    method: str
    seconds: float
    tables: list = field(default_factory=list)  # (label, rows, seconds writing)

    @property
    def total_rows(self):
        return sum(rows for _, rows, _ in self.tables)

    def rows(self, label):
        return {name: rows for name, rows, _ in self.tables}.get(label, 0)


def load_present():
    return Organisation.objects.filter(slug__startswith=PREFIX).exists()


def generate_load(*, participants, seed=0, chunk=CHUNK, progress=None):
    """Write a load of `participants` people and everything around them; returns a LoadReport."""
    if not 1 <= participants <= MAX_PARTICIPANTS:
        raise LoadError(f"--participants must be between 1 and {MAX_PARTICIPANTS:,}")
    if load_present():
        raise LoadError(
            "This database already holds a generated load (organisations named load-*). "
            "Run again with --reset to remove it first."
        )
    started = time.perf_counter()
    today = timezone.localdate()
    sink = Sink()
    with transaction.atomic():
        ref = build_reference(random.Random(f"{seed}:reference"), today=today)
    for start in range(0, participants, chunk):
        count = min(chunk, participants - start)
        rng = random.Random(f"{seed}:{start}")
        with transaction.atomic():
            persons = make_people(rng, sink, ref, start=start, count=count,
                                  total=participants, today=today)  # fmt: skip
            make_training(rng, sink, ref, persons, today=today, chunk=start // chunk + 1)
            placed = make_placements(rng, sink, ref, persons, today=today)
            make_cases(rng, sink, ref, persons, placed, today=today)
            sink.sync_sequences()
        if progress:
            progress(start + count, time.perf_counter() - started)
    sink.analyze()
    return LoadReport(
        participants=participants,
        method=sink.method,
        seconds=time.perf_counter() - started,
        tables=[(model._meta.label, sink.rows[model], sink.seconds[model]) for model in sink.rows],
    )
