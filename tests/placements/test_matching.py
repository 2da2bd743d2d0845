"""Matching a job order: who qualifies and, for everyone else, why not."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import FormerPrisonerProfile
from placements import selectors
from tests.factories import (
    EnrolmentFactory,
    JobOrderFactory,
    ParticipantFactory,
    PlacementFactory,
    TrackFactory,
)
from training.models import Certificate

from .helpers import TODAY

pytestmark = pytest.mark.django_db


def certify(participant, track, *, expires_on=None):
    enrolment = EnrolmentFactory(participant=participant, batch__track=track, status="completed")
    return Certificate.objects.create(
        enrolment=enrolment,
        number=f"C-{enrolment.pk}",
        issuer="LSP",
        issued_on=TODAY - dt.timedelta(days=30),
        expires_on=expires_on,
    )


@pytest.fixture
def tracks():
    return {
        "welding": TrackFactory(code="las", kind="welding"),
        "ja_a2": TrackFactory(code="ja-a2", kind="language", language="ja", language_level="A2"),
        "ja_a1": TrackFactory(code="ja-a1", kind="language", language="ja", language_level="A1"),
        "ja_b1": TrackFactory(code="ja-b1", kind="language", language="ja", language_level="B1"),
    }


@pytest.fixture
def job_order():
    return JobOrderFactory(
        country_id="JP",
        required_track_kind="welding",
        required_language="ja",
        required_language_level="A2",
        min_age=20,
        max_age=40,
    )


def person(name, tracks, *, certificates=("welding", "ja_a2"), birth=dt.date(1995, 1, 1), **kw):
    participant = ParticipantFactory(full_name=name, birth_date=birth, **kw)
    for code in certificates:
        certify(participant, tracks[code])
    return participant


def reason_codes(job_order, user):
    rows, rules = selectors.candidates(job_order=job_order, user=user)
    on = job_order.match_date
    return {
        row.full_name: [
            r.code for r in selectors.reasons(row, job_order=job_order, on=on, rules=rules)
        ]
        for row in rows
    }


def test_it_says_why_each_person_does_not_qualify(ministry_officer, tracks, job_order):
    person("Ayu Qualified", tracks)
    person("Budi Higher Level", tracks, certificates=("welding", "ja_b1"))
    person("Candra No Welding", tracks, certificates=("ja_a2",))
    person("Dedi Low Japanese", tracks, certificates=("welding", "ja_a1"))
    person("Eko Too Old", tracks, birth=dt.date(1975, 1, 1))
    expired = person("Fajar Expired", tracks, certificates=("ja_a2",))
    certify(expired, tracks["welding"], expires_on=TODAY - dt.timedelta(days=1))
    parolee = person("Gede Parole", tracks, is_former_prisoner=True)
    FormerPrisonerProfile.objects.create(
        participant=parolee,
        sentence_months=6,
        offence_category="other",
        supervision_end_date=TODAY + dt.timedelta(days=90),
    )
    drug = person("Hadi Drug", tracks, is_former_prisoner=True)
    FormerPrisonerProfile.objects.create(
        participant=drug, sentence_months=6, offence_category="drug"
    )
    placed = person("Indra Placed", tracks)
    PlacementFactory(participant=placed, phase="selected")

    found = reason_codes(job_order, ministry_officer)

    assert found == {
        "Ayu Qualified": [],
        "Budi Higher Level": [],
        "Candra No Welding": ["certificate"],
        "Dedi Low Japanese": ["language"],
        "Eko Too Old": ["age"],
        "Fajar Expired": ["certificate"],
        "Gede Parole": ["not_before"],
        "Hadi Drug": ["destination_bar"],
        "Indra Placed": ["placed"],
    }


def test_qualifying_people_come_first_and_the_summary_counts_each_reason(
    ministry_officer, tracks, job_order
):
    person("Zaki Qualified", tracks)
    person("Ayu No Japanese", tracks, certificates=("welding",))
    person("Bima Nothing", tracks, certificates=())

    rows, rules = selectors.candidates(job_order=job_order, user=ministry_officer)
    counts = selectors.summary(rows, rules=rules)

    assert [r.full_name for r in rows][0] == "Zaki Qualified"
    assert counts["total"] == 3
    assert counts["qualifies"] == 1
    assert counts["m_certificate"] == 1
    assert counts["m_language"] == 2


def test_a_person_placed_for_this_same_job_order_still_matches_it(
    ministry_officer, tracks, job_order
):
    placed = person("Ayu Selected", tracks)
    PlacementFactory(participant=placed, job_order=job_order, phase="selected")

    assert reason_codes(job_order, ministry_officer) == {"Ayu Selected": []}


def test_the_candidates_are_only_those_the_user_may_see(partner_user, tracks, job_order):
    person("Hidden From Partner", tracks)

    assert reason_codes(job_order, partner_user) == {}


def test_matching_costs_the_same_queries_for_five_or_fifteen_people(
    ministry_officer, tracks, job_order
):
    def run():
        with CaptureQueriesContext(connection) as queries:
            rows, rules = selectors.candidates(job_order=job_order, user=ministry_officer)
            for row in rows:
                selectors.reasons(row, job_order=job_order, on=TODAY, rules=rules)
            selectors.summary(rows, rules=rules)
        return len(queries)

    for n in range(5):
        person(f"Orang {n}", tracks, certificates=("welding",) if n % 2 else ())
    run()  # warms the user's permission cache
    five = run()
    for n in range(5, 15):
        person(f"Orang {n}", tracks, certificates=("welding",) if n % 2 else ())

    # rules in force (1), the candidate page (1), the summary (1)
    assert run() == five == 3
