"""The headline figures of the partner dashboard, every one a database aggregate.

`dashboard_figures(viewer)` reads everything through the viewer's `visible_to` querysets (partner
staff, or a `PartnerLens` when ministry staff look through a partner's eyes), so the figures
cover exactly what that organisation may see. A constant number of queries whatever the number
of rows. Partner staff see no case figure at all, and every breakdown they see passes through
`portal.reports.suppression`: 1-4 shows as "<5" and a total that would give a suppressed cell
away is withheld (None).

The enrolments behind the training figures are those of the batches the organisation provides,
and those of the participants shared with it in the programmes of its agreements.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from participants.models import CATEGORY_FIELDS, Category, Participant
from partners.models import Agreement, Commitment, Programme
from placements.models import Phase, Placement
from portal.reports.suppression import is_suppressed, suppress, suppress_value
from training.models import Attendance, Batch, Enrolment

ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]
ABROAD = [Phase.DEPARTED, Phase.WORKING]
RETURNED = [Phase.RETURNED, Phase.REINTEGRATING]
MONTHS = 12


@dataclass
class Breakdown:
    """A small table: one label column and one count column, as shown to the viewer.

    `total` is the shown total (None when withheld or when the rows may overlap, see
    `has_total`); `chart` is the data a chart draws (suppressed cells are null: no bar)."""

    key: str
    title: str
    header: str
    value_header: str
    rows: list = field(default_factory=list)  # (label, shown value)
    total: object = None
    has_total: bool = True
    suppressed: bool = False  # some cell shows "<5"

    @property
    def chart(self):
        return {
            "labels": [str(label) for label, _value in self.rows],
            "values": [value if isinstance(value, int) else None for _label, value in self.rows],
            "label": str(self.value_header),
        }


def breakdown(key, title, header, value_header, cells, *, suppressing, has_total=True):
    """A `Breakdown` of `cells` [(label, count)], suppressed when `suppressing`."""
    counts = {i: count for i, (_label, count) in enumerate(cells)}
    if suppressing:
        shown, total = suppress(counts)
    else:
        shown, total = counts, sum(counts.values())
    return Breakdown(
        key=key,
        title=title,
        header=header,
        value_header=value_header,
        rows=[(str(label), shown[i]) for i, (label, _count) in enumerate(cells)],
        total=total if has_total else None,
        has_total=has_total,
        suppressed=suppressing and any(is_suppressed(c) for c in counts.values()),
    )


def month_start(today):
    """The first instant of `today`'s month in the current time zone (Asia/Jakarta)."""
    first = today.replace(day=1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time.min))


def last_months(today, n=MONTHS):
    """The first days of the last `n` months, oldest first, ending with `today`'s month."""
    months = []
    year, month = today.year, today.month
    for _i in range(n):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def training_enrolments(viewer):
    """The enrolments behind the viewer's training figures (see the module docstring)."""
    enrolments = Enrolment.objects.visible_to(viewer)
    if getattr(viewer, "is_partner_staff", False):
        programmes = Programme.objects.filter(
            agreements__in=Agreement.objects.visible_to(viewer).active().values("pk")
        ).values("pk")
        shared = Enrolment.objects.filter(
            participant__in=Participant.objects.visible_to(viewer).values("pk"),
            batch__programme_id__in=programmes,
        )
        # Measured at a million participants (benchmarks/dashboards.py): this form counts in
        # about 1 s with fresh statistics; OR-ed EXISTS took 15 s and `|` of the two querysets
        # over two minutes. Without statistics (before ANALYZE) PostgreSQL misplans it.
        enrolments = Enrolment.objects.filter(
            Q(pk__in=enrolments.values("pk")) | Q(pk__in=shared.values("pk"))
        )
    return enrolments


def _people(viewer, suppressing):
    people = Participant.objects.visible_to(viewer)
    aggregates = {
        f"cat_{code}": Count("pk", filter=Q(**{flag: True}))
        for code, flag in CATEGORY_FIELDS.items()
    }
    aggregates |= {
        f"status_{status}": Count("pk", filter=Q(status=status))
        for status in Participant.Status.values
    }
    counts = people.aggregate(**aggregates)
    by_category = breakdown(
        "category",
        _("Participants by category"),
        _("Category"),
        _("Participants"),
        [(Category(code).label, counts[f"cat_{code}"]) for code in CATEGORY_FIELDS],
        suppressing=suppressing,
        has_total=False,  # a person may be in several categories
    )
    by_status = breakdown(
        "status",
        _("Participants by status"),
        _("Status"),
        _("Participants"),
        [(s.label, counts[f"status_{s.value}"]) for s in Participant.Status],
        suppressing=suppressing,
    )
    return by_category, by_status


def _training(viewer, enrolments, today, suppressing):
    counts = enrolments.aggregate(
        enrolments=Count("pk", filter=~Q(status=Enrolment.Status.WITHDRAWN)),
        passed=Count("pk", filter=Q(assessments__passed=True), distinct=True),
        certificates=Count("certificate", distinct=True),
    )
    batches = Batch.objects.visible_to(viewer).aggregate(
        running=Count("pk", filter=Q(status=Batch.Status.RUNNING))
    )
    since = month_start(today)
    by_batch = list(
        Attendance.objects.filter(enrolment__in=enrolments.values("pk"))
        .values("enrolment__batch__code", "enrolment__batch__name")
        .annotate(
            recorded=Count("pk"),
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            month_recorded=Count("pk", filter=Q(session__starts_at__gte=since)),
            month_attended=Count(
                "pk", filter=Q(session__starts_at__gte=since, status__in=ATTENDED)
            ),
        )
        .order_by("enrolment__batch__code")
    )
    months = last_months(today)
    monthly = {
        row["month"]: row["n"]
        for row in enrolments.filter(enrolled_on__gte=months[0])
        .annotate(month=TruncMonth("enrolled_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    monthly = {(m.year, m.month): n for m, n in monthly.items() if m}
    enrolment_months = breakdown(
        "enrolment_months",
        _("New enrolments by month"),
        _("Month"),
        _("Enrolments"),
        [(date_format(m, "M Y"), monthly.get((m.year, m.month), 0)) for m in months],
        suppressing=suppressing,
    )
    return counts, batches, by_batch, enrolment_months


def attendance_table(by_batch, suppressing):
    """Attendance by batch: [(batch name, attended, recorded, share %)] as shown, and the
    headline of this month ({"attended", "recorded", "share"}, None where withheld)."""
    rows = []
    for row in by_batch:
        recorded, attended = row["recorded"], row["attended"]
        hidden = suppressing and (is_suppressed(recorded) or is_suppressed(attended))
        share = None if hidden or not recorded else round(100 * attended / recorded)
        shown = suppress_value if suppressing else (lambda n: n)
        rows.append((row["enrolment__batch__name"], shown(attended), shown(recorded), share))
    month = {
        "attended": sum(r["month_attended"] for r in by_batch),
        "recorded": sum(r["month_recorded"] for r in by_batch),
    }
    month_cells = [r["month_attended"] for r in by_batch] + [r["month_recorded"] for r in by_batch]
    if suppressing and any(is_suppressed(n) for n in month_cells):
        month = {"attended": None, "recorded": None, "share": None}
    else:
        month["share"] = (
            round(100 * month["attended"] / month["recorded"]) if month["recorded"] else None
        )
    return rows, month


def _placements(viewer, suppressing):
    grouped = list(
        Placement.objects.visible_to(viewer)
        .values("phase", "country_id", "country__name_id", "country__name_en")
        .annotate(n=Count("pk"))
        .order_by()
    )
    phases = {}
    abroad = {}
    english = (get_language() or "id").startswith("en")
    for row in grouped:
        phases[row["phase"]] = phases.get(row["phase"], 0) + row["n"]
        if row["phase"] in ABROAD:
            name = row["country__name_en"] if english else row["country__name_id"]
            abroad[name] = abroad.get(name, 0) + row["n"]
    by_phase = breakdown(
        "phases",
        _("Placements by phase"),
        _("Phase"),
        _("Placements"),
        [(p.label, phases[p.value]) for p in Phase if phases.get(p.value)],
        suppressing=suppressing,
    )
    by_country = breakdown(
        "abroad",
        _("Abroad by country (departed or working)"),
        _("Country"),
        _("Workers abroad"),
        sorted(abroad.items()),
        suppressing=suppressing,
    )
    returned_cells = [phases.get(p, 0) for p in RETURNED]
    returned = sum(returned_cells)
    if suppressing:
        returned = None if any(is_suppressed(n) for n in returned_cells) else returned
    return by_phase, by_country, returned


def _commitments(viewer, enrolments, suppressing):
    commitments = list(
        Commitment.objects.filter(
            agreement__in=Agreement.objects.visible_to(viewer).active().values("pk")
        )
        .select_related("agreement", "programme")
        .order_by("agreement__number", "kind", "pk")
    )
    open_enrolments = enrolments.exclude(status=Enrolment.Status.WITHDRAWN)
    by_programme = {
        row["batch__programme_id"]: row["n"]
        for row in open_enrolments.values("batch__programme_id")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    }
    by_track = {
        (row["batch__programme_id"], row["batch__track__code"]): row["n"]
        for row in open_enrolments.values("batch__programme_id", "batch__track__code")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    }
    rows = []
    for commitment in commitments:
        target = int(commitment.target)
        if commitment.kind == Commitment.Kind.BUDGET:
            achieved, unit = int(commitment.achieved), "rupiah"
        else:
            if commitment.kind == Commitment.Kind.TRACK and commitment.track_code:
                key = (commitment.programme_id, commitment.track_code)
                achieved = by_track.get(key, 0)
            else:
                achieved = by_programme.get(commitment.programme_id, 0)
            unit = "people"
        share = round(100 * achieved / target) if target else None
        if unit == "people" and suppressing and is_suppressed(achieved):
            achieved, share = suppress_value(achieved), None
        rows.append(
            {
                "commitment": commitment,
                "target": target,
                "achieved": achieved,
                "share": share,
                "unit": unit,
            }
        )
    return rows


def dashboard_figures(viewer, *, today=None):
    """Everything the partner dashboard shows, for `viewer` (partner staff or a lens).

    Suppression applies whenever the viewer is partner staff (a lens included)."""
    today = today or timezone.localdate()
    suppressing = bool(getattr(viewer, "is_partner_staff", False))
    enrolments = training_enrolments(viewer)
    by_category, by_status = _people(viewer, suppressing)
    counts, batches, by_batch, enrolment_months = _training(viewer, enrolments, today, suppressing)
    attendance_rows, attendance_month = attendance_table(by_batch, suppressing)
    by_phase, by_country, returned = _placements(viewer, suppressing)
    shown = suppress_value if suppressing else (lambda n: n)
    headline = {
        "participants": by_status.total,
        "active_batches": batches["running"],  # batches, not people: never suppressed
        "enrolments": shown(counts["enrolments"]),
        "attended_this_month": attendance_month["attended"],
        "attendance_share_this_month": attendance_month["share"],
        "assessments_passed": shown(counts["passed"]),
        "certificates": shown(counts["certificates"]),
        "placements": by_phase.total,
        "abroad": by_country.total,
        "returned": returned,
    }
    return {
        "headline": headline,
        "by_category": by_category,
        "by_status": by_status,
        "enrolment_months": enrolment_months,
        "attendance_rows": attendance_rows,
        "attendance_chart": {
            "labels": [str(row[0]) for row in attendance_rows],
            "values": [row[3] for row in attendance_rows],
            "label": str(_("Attendance (%)")),
            "max": 100,
        },
        "by_phase": by_phase,
        "by_country": by_country,
        "commitments": _commitments(viewer, enrolments, suppressing),
        "suppressing": suppressing,
        "today": today,
    }
