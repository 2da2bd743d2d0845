"""What a finished load must satisfy; each check is one query (or a small sample)."""

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from participants.models import Consent, Participant, Participation
from participants.normalise import normalise_kk, normalise_nik
from partners.models import Organisation
from placements.models import Case, Phase, PhaseChange, Placement, Referral

from .people import LOAD_NIK_REGEX, years_before
from .reference import BIG_PARTNER


def run_checks(*, participants):
    """[(name, ok, detail)] for the load in the database."""
    today = timezone.localdate()
    people = Participant.objects.filter(nik__regex=LOAD_NIK_REGEX)
    results = []

    def check(name, ok, detail):
        results.append((name, bool(ok), detail))

    found = people.count()
    check("participants", found == participants, f"{found:,} of {participants:,}")

    without = people.exclude(Exists(Participation.objects.filter(participant=OuterRef("pk"))))
    missing = without.count()
    check("every participant has a participation", missing == 0, f"{missing} without")

    placements = Placement.objects.filter(participant__in=people.values("pk"))
    phases = dict(placements.order_by().values_list("phase").annotate(n=Count("pk")))
    absent = [p for p in Phase.values if p not in phases]
    total = sum(phases.values())
    if total >= len(Phase.values):
        check("every phase has placements", not absent, f"missing: {absent}" if absent else
              ", ".join(f"{p} {phases[p]:,}" for p in Phase.values))  # fmt: skip
    else:
        check("every phase has placements", True, f"skipped: only {total} placements")

    latest = PhaseChange.objects.filter(placement=OuterRef("pk")).order_by("-changed_at", "-pk")
    wrong = (
        placements.annotate(last=Subquery(latest.values("to_phase")[:1]))
        .exclude(last=F("phase"))
        .count()
    )
    check("latest phase change is the phase", wrong == 0, f"{wrong} of {total:,} differ")

    sample = PhaseChange.objects.filter(placement__in=placements.order_by("pk").values("pk")[:500])
    bad_moves = [
        (c.from_phase, c.to_phase)
        for c in sample.only("from_phase", "to_phase")
        if c.from_phase and c.to_phase not in Placement.TRANSITIONS[c.from_phase]
    ]
    check("phase history follows TRANSITIONS (sample)", not bad_moves, f"{bad_moves[:3]}")

    minors = people.filter(birth_date__gt=years_before(today, 18))
    not_guardian = Consent.objects.filter(participant__in=minors.values("pk")).exclude(
        given_by=Consent.GivenBy.GUARDIAN
    )
    sharing = Consent.objects.standing().filter(
        participant=OuterRef("pk"), purpose=Consent.Purpose.PARTNER_SHARING, given_by="guardian"
    )
    unconsented = minors.exclude(Exists(sharing)).count()
    n_minors = minors.count()
    check(
        "minors' consents given by a guardian",
        not not_guardian.exists() and unconsented == 0,
        f"{n_minors:,} minors, {unconsented} without guardian consent",
    )
    too_young = placements.filter(participant__birth_date__gt=years_before(today, 18)).count()
    check("no placement of a minor", too_young == 0, f"{too_young} found")

    cases = Case.objects.filter(participant__in=people.values("pk"))
    odd = cases.filter(Q(status="closed", closed_on__isnull=True) |
                       Q(~Q(status="closed"), closed_on__isnull=False)).count()  # fmt: skip
    check("cases closed on iff closed", odd == 0, f"{cases.count():,} cases, {odd} wrong")

    referrals = Referral.objects.filter(case__in=cases.values("pk"))
    stray = referrals.exclude(
        consent__participant=F("case__participant"), consent__purpose="referral"
    ).count()
    check("referrals rely on the person's referral consent", stray == 0,
          f"{referrals.count():,} referrals, {stray} wrong")  # fmt: skip

    shared = Participation.objects.shared_with(_big_partner_id()).filter(
        participant__in=people.values("pk")
    )
    visible = shared.values("participant").distinct().count()
    check("the big partner sees its share", visible > 0 or participants < 50,
          f"{visible:,} participants ({visible / max(found, 1):.1%})")  # fmt: skip

    bad_ids = []
    for nik, kk, birth in people.order_by("pk").values_list("nik", "kk_number", "birth_date")[
        :1000
    ]:
        result = normalise_nik(nik, as_of=today)
        kk_result = normalise_kk(kk, nik=nik, as_of=today)
        if not result.ok or result.birth_date != birth or kk_result.messages:
            bad_ids.append(nik)
    check("NIKs and KKs valid (first 1,000)", not bad_ids, f"{bad_ids[:3]}")
    return results


def _big_partner_id():
    return Organisation.objects.get(slug=BIG_PARTNER).pk
