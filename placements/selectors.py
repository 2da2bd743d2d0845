"""Matching participants to a job order: who qualifies, and why each other person does not.

Everything is computed in the database as annotations on a Participant queryset, so a page of
candidates and the summary of reasons cost a constant number of queries at any scale.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from participants.models import Participant
from training.models import Certificate, LanguageLevel, Track

from .models import DestinationRule, Placement


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _flag(condition):
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _valid_certificates(on):
    return Certificate.objects.filter(enrolment__participant=OuterRef("pk")).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


def rules_for(job_order, on):
    return list(
        DestinationRule.objects.in_force(
            country=job_order.country_id, scheme=job_order.scheme, sector=job_order.sector, on=on
        ).select_related("country")
    )


def annotate_match(queryset, *, job_order, on, rules):
    """Annotate each participant with one boolean per requirement and `qualifies`."""
    flags = {}
    if job_order.required_track_kind:
        certificates = _valid_certificates(on).filter(
            enrolment__batch__track__kind=job_order.required_track_kind
        )
        if job_order.required_welding_standard:
            certificates = certificates.filter(
                Q(welder_qualification__standard=job_order.required_welding_standard),
                Q(welder_qualification__expires_on__isnull=True)
                | Q(welder_qualification__expires_on__gte=on),
            )
        flags["m_certificate"] = Exists(certificates)
    if job_order.required_language:
        flags["m_language"] = Exists(
            _valid_certificates(on).filter(
                enrolment__batch__track__kind=Track.Kind.LANGUAGE,
                enrolment__batch__track__language=job_order.required_language,
                enrolment__batch__track__language_level__in=LanguageLevel.at_least(
                    job_order.required_language_level
                ),
            )
        )
    age = Q(birth_date__lte=years_before(on, job_order.min_age))
    if job_order.max_age is not None:
        age &= Q(birth_date__gt=years_before(on, job_order.max_age + 1))
    flags["m_age"] = _flag(age)
    flags["m_free"] = _flag(
        Q(former_prisoner_profile__supervision_end_date__isnull=True)
        | Q(former_prisoner_profile__supervision_end_date__lte=on)
    )
    flags["m_available"] = ~Exists(
        Placement.objects.open()
        .filter(participant=OuterRef("pk"))
        .exclude(job_order_id=job_order.pk)
    )
    for rule in rules:
        flags[f"m_rule_{rule.pk}"] = _flag(~rule.barred())
    queryset = queryset.annotate(**flags)
    return queryset.annotate(qualifies=_flag(Q(**dict.fromkeys(flags, True))))


def candidates(*, job_order, user, on=None):
    """(queryset, rules): the active participants `user` may see, annotated for matching,
    qualifying people first."""
    on = on or job_order.match_date
    rules = rules_for(job_order, on)
    queryset = Participant.objects.visible_to(user).filter(status=Participant.Status.ACTIVE)
    queryset = annotate_match(queryset, job_order=job_order, on=on, rules=rules)
    return queryset.order_by("-qualifies", "full_name", "pk"), rules


def reasons(row, *, job_order, on, rules):
    """Why an annotated participant does not qualify, in plain words (empty when they do)."""
    found = []
    if getattr(row, "m_certificate", True) is False:
        what = job_order.get_required_track_kind_display()
        if job_order.required_welding_standard:
            what = f"{what} ({job_order.get_required_welding_standard_display()})"
        found.append(
            Reason("certificate", _("no valid %(certificate)s certificate") % {"certificate": what})
        )
    if getattr(row, "m_language", True) is False:
        found.append(
            Reason(
                "language",
                _("no %(language)s result at level %(level)s or above")
                % {
                    "language": job_order.get_required_language_display(),
                    "level": job_order.required_language_level,
                },
            )
        )
    if row.m_age is False:
        if row.birth_date is None:
            text = _("birth date unknown")
        else:
            span = (
                f"{job_order.min_age}-{job_order.max_age}"
                if job_order.max_age
                else (f"{job_order.min_age}+")
            )
            text = _("age %(age)s on %(date)s, outside %(span)s") % {
                "age": row.age(on),
                "date": on.isoformat(),
                "span": span,
            }
        found.append(Reason("age", text))
    if row.m_free is False:
        found.append(
            Reason(
                "not_before",
                _("placement not before the end of parole supervision"),
            )
        )
    if row.m_available is False:
        found.append(Reason("placed", _("already in another placement")))
    for rule in rules:
        if getattr(row, f"m_rule_{rule.pk}") is False:
            found.append(Reason("destination_bar", rule.reason()))
    return found


def summary(queryset, *, rules):
    """How many qualify, and how many miss each requirement (one query).

    Sums of the flags cast to integers: Django drops annotations that are referenced only from
    an aggregate's FILTER clause, so `Count(filter=Q(flag=False))` would count nothing.
    """
    names = [
        name
        for name in ("m_certificate", "m_language", "m_age", "m_free", "m_available")
        if name in queryset.query.annotations
    ] + [f"m_rule_{rule.pk}" for rule in rules]
    met = queryset.order_by().aggregate(
        total=Count("pk"),
        **{f"met_{name}": Sum(Cast(name, IntegerField())) for name in ["qualifies", *names]},
    )
    total = met["total"]
    counts = {"total": total, "qualifies": met["met_qualifies"] or 0}
    counts.update({name: total - (met[f"met_{name}"] or 0) for name in names})
    return counts
