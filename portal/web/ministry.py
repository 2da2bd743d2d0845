"""/ministry/: the national overview for ministry staff.

Every figure is a database aggregate over the user's own `visible_to` querysets, so an officer
limited to provinces sees only the people living there (and their training, placements and
cases). Cases appear only to staff allowed to see them. A chooser opens `/partner/?org=<slug>`:
the partner dashboard exactly as that organisation's staff see it.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from participants.models import Participant, Participation
from partners.models import Organisation
from placements.models import AFTER, BEFORE_DEPARTURE, DURING, FINAL, Case, Phase, Placement
from training.models import Enrolment

from .partner.figures import breakdown

ENDED = [Enrolment.Status.COMPLETED, Enrolment.Status.FAILED, Enrolment.Status.WITHDRAWN]
STAGES = [
    ("before", BEFORE_DEPARTURE),
    ("during", DURING),
    ("after", AFTER),
    ("final", FINAL),
]


def _rate(part, whole):
    return round(100 * part / whole) if whole else None


def programmes(user):
    """Per programme: participations by status, and training completion and certification."""
    people = {
        row["programme__name"]: row
        for row in Participation.objects.visible_to(user)
        .values("programme__name")
        .annotate(
            participants=Count("pk"),
            active=Count("pk", filter=Q(status=Participation.Status.ACTIVE)),
            completed=Count("pk", filter=Q(status=Participation.Status.COMPLETED)),
        )
        .order_by()
    }
    training = {
        row["batch__programme__name"]: row
        for row in Enrolment.objects.visible_to(user)
        .values("batch__programme__name")
        .annotate(
            enrolments=Count("pk"),
            ended=Count("pk", filter=Q(status__in=ENDED)),
            enrolments_completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
            certificates=Count("certificate"),
        )
        .order_by()
    }
    rows = []
    for name in sorted(set(people) | set(training)):
        p, t = people.get(name, {}), training.get(name, {})
        completed = t.get("enrolments_completed", 0)
        rows.append(
            {
                "name": name,
                "participants": p.get("participants", 0),
                "active": p.get("active", 0),
                "completed": p.get("completed", 0),
                "enrolments": t.get("enrolments", 0),
                "ended": t.get("ended", 0),
                "enrolments_completed": completed,
                "completion_rate": _rate(completed, t.get("ended", 0)),
                "certificates": t.get("certificates", 0),
                "certification_rate": _rate(t.get("certificates", 0), completed),
            }
        )
    return rows


def provinces(user):
    cells = [
        (row["province__name"] or _("Unknown"), row["n"])
        for row in Participant.objects.visible_to(user)
        .values("province__name")
        .annotate(n=Count("pk"))
        .order_by("province__name")
    ]
    return breakdown(
        "provinces",
        _("Participants by province of domicile"),
        _("Province"),
        _("Participants"),
        cells,
        suppressing=False,
    )


def partners(user):
    """Per responsible organisation: the participants (visible to `user`) in its care."""
    return list(
        Participation.objects.visible_to(user)
        .filter(responsible_organisations__isnull=False)
        .values("responsible_organisations__slug", "responsible_organisations__name")
        .annotate(
            participants=Count("participant", distinct=True),
            active=Count(
                "participant", filter=Q(status=Participation.Status.ACTIVE), distinct=True
            ),
        )
        .order_by("responsible_organisations__name")
    )


def placements(user):
    """Placements through the phases, and per destination country by stage."""
    english = (get_language() or "id").startswith("en")
    grouped = (
        Placement.objects.visible_to(user)
        .values("phase", "country__name_id", "country__name_en")
        .annotate(n=Count("pk"))
        .order_by()
    )
    phases, countries = {}, {}
    stage_of = {phase: stage for stage, members in STAGES for phase in members}
    for row in grouped:
        phases[row["phase"]] = phases.get(row["phase"], 0) + row["n"]
        name = row["country__name_en"] if english else row["country__name_id"]
        entry = countries.setdefault(name, dict.fromkeys([s for s, _m in STAGES], 0))
        entry[stage_of.get(row["phase"], "final")] += row["n"]
    by_phase = breakdown(
        "phases",
        _("Placements through the phases"),
        _("Phase"),
        _("Placements"),
        [(p.label, phases.get(p.value, 0)) for p in Phase],
        suppressing=False,
    )
    destinations = [
        {"country": name, **stages, "total": sum(stages.values())}
        for name, stages in sorted(countries.items())
    ]
    return by_phase, destinations


def cases(user):
    """Cases by type and status, for staff allowed to see cases (None for the others)."""
    if not user.has_perm("placements.view_case"):
        return None
    grouped = Case.objects.visible_to(user).values("type", "status").annotate(n=Count("pk"))
    counts = {}
    for row in grouped.order_by():
        counts.setdefault(row["type"], {})[row["status"]] = row["n"]
    rows = []
    for kind in Case.Type:
        statuses = counts.get(kind.value, {})
        if statuses:
            closed = statuses.get(Case.Status.CLOSED, 0)
            total = sum(statuses.values())
            rows.append({"type": kind.label, "open": total - closed, "closed": closed})
    return rows


@require_GET
def overview(request):
    """The national overview (or the user's provinces), with the partner chooser."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user.is_ministry_staff:
        raise PermissionDenied
    by_phase, destinations = placements(user)
    context = {
        "province_names": list(user.provinces.values_list("name", flat=True))
        if user.province_codes
        else [],
        "programmes": programmes(user),
        "provinces": provinces(user),
        "partners": partners(user),
        "by_phase": by_phase,
        "destinations": destinations,
        "cases": cases(user),
        # Only staff not limited to provinces may look through a partner's eyes (see access.py).
        "organisations": []
        if user.province_codes
        else list(Organisation.objects.order_by("name").values("slug", "name")),
        "may_look_as_partner": not user.province_codes,
    }
    return render(request, "web/ministry/overview.html", context)
