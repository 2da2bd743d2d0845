"""The figures of a programme report, every one a database aggregate (a constant number of
queries whatever the number of rows), laid out as sheets of small tables.

Period semantics: stock figures as of the period's end (participants, placements by phase,
cases open), flow figures within the period (new participants and enrolments, sessions
attended, certificates issued, placements that departed or returned, cases opened or closed).

A partner's report covers only the participants its staff may see (the same rule as
`Participation.objects.shared_with`, judged on the period's last day) in the programmes under
the agreements it is party to; it has no case or trafficking figure at all, and every breakdown
passes through `suppression.suppress`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import CATEGORY_FIELDS, Category, Participant, Participation
from partners.models import Agreement, Commitment, Programme
from placements.models import Case, CaseUpdate, Phase, PhaseChange, Placement, Scheme
from training.models import Attendance, Enrolment

from .suppression import suppress, suppress_value

# The one-page summary: (key, label), in this order. Case figures are national only.
SUMMARY = [
    ("participants", gettext_lazy("Participants at the end of the period")),
    ("participants_new", gettext_lazy("New participants in the period")),
    ("enrolments", gettext_lazy("Enrolments at the end of the period")),
    ("enrolments_new", gettext_lazy("New enrolments in the period")),
    ("attended", gettext_lazy("Sessions attended in the period")),
    ("completed", gettext_lazy("Enrolments completed by the end of the period")),
    ("certificates", gettext_lazy("Certificates issued in the period")),
    ("placements", gettext_lazy("Placements at the end of the period (all phases)")),
    ("departed", gettext_lazy("Placements that departed in the period")),
    ("returned", gettext_lazy("Placements that returned in the period")),
    ("cases_open", gettext_lazy("Cases open at the end of the period")),
    ("cases_opened", gettext_lazy("Cases opened in the period")),
    ("agreements_active", gettext_lazy("Agreements in force at the end of the period")),
]
CASE_FIGURES = {"cases_open", "cases_opened"}
# Figures that count things rather than people: never suppressed.
NOT_PEOPLE = {"agreements_active"}
ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]


@dataclass
class Column:
    key: str
    header: str
    total: bool = True
    people: bool = True


@dataclass
class Table:
    title: str
    labels: list
    columns: list
    rows: list = field(default_factory=list)  # (label values, {column key: number})


@dataclass
class Sheet:
    title: str
    tables: list


@dataclass
class Report:
    """The sheets with every cell as shown, and the summary figures and column totals as shown
    (None: withheld, because a suppressed cell could be worked out from it)."""

    sheets: list
    summary: dict
    totals: dict  # column key -> total as shown (None: withheld)


def _shared(partner, period, ref):
    """Rows whose participant (`ref`) the partner's staff may see on the period's last day."""
    return Exists(
        Participation.objects.shared_with(partner.pk, on=period.end).filter(
            participant=OuterRef(ref)
        )
    )


def _partner_programmes(partner, period):
    agreements = Agreement.objects.active(period.end).with_party(partner.pk)
    return Programme.objects.filter(agreements__in=agreements.values("pk")).values("pk")


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value or _("Unknown")


def _country(row, prefix):
    english = (settings.LANGUAGE_CODE or "id").startswith("en")
    return row[f"{prefix}name_en" if english else f"{prefix}name_id"] or _("Unknown")


def participants_sheet(period, partner, since, until):
    people = Participant.objects.filter(created_at__lt=until)
    if partner:
        people = people.filter(_shared(partner, period, "pk"))
    new = Q(created_at__gte=since)
    by_province = (
        people.values("province__name", "status")
        .annotate(participants=Count("pk"), participants_new=Count("pk", filter=new))
        .order_by("province__name", "status")
    )
    province_table = Table(
        _("Participants by province and status"),
        [_("Province"), _("Status")],
        [
            Column("participants", _("Participants")),
            Column("participants_new", _("New in the period")),
        ],
    )
    for row in by_province:
        province_table.rows.append(
            (
                [row["province__name"] or _("Unknown"), _label(Participant.Status, row["status"])],
                {k: row[k] for k in ("participants", "participants_new")},
            )
        )
    aggregates = {}
    for code, flag in CATEGORY_FIELDS.items():
        aggregates[f"{code}"] = Count("pk", filter=Q(**{flag: True}))
        aggregates[f"{code}_new"] = Count("pk", filter=Q(**{flag: True}) & new)
    counts = people.aggregate(**aggregates)
    # A person may be in several categories: no total here (the table above has it).
    category_table = Table(
        _("Participants by category"),
        [_("Category")],
        [
            Column("category", _("Participants"), total=False),
            Column("category_new", _("New in the period"), total=False),
        ],
    )
    for code in CATEGORY_FIELDS:
        category_table.rows.append(
            (
                [str(Category(code).label)],
                {"category": counts[code], "category_new": counts[f"{code}_new"]},
            )
        )
    return Sheet(_("Participants"), [province_table, category_table])


def _enrolments(period, partner):
    enrolments = Enrolment.objects.all()
    if partner:
        enrolments = enrolments.filter(
            _shared(partner, period, "participant_id"),
            batch__programme_id__in=_partner_programmes(partner, period),
        )
    return enrolments


def training_sheet(period, partner, since, until):
    enrolments = _enrolments(period, partner)
    start, end = period.start, period.end
    grouped = (
        enrolments.filter(enrolled_on__lte=end)
        .values("batch_id", "batch__code", "batch__track__name")
        .annotate(
            enrolments=Count("pk"),
            enrolments_new=Count("pk", filter=Q(enrolled_on__gte=start)),
            completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED, ended_on__lte=end)),
            certificates=Count("certificate", filter=Q(certificate__issued_on__range=(start, end))),
        )
        .order_by()
    )
    attendance = (
        Attendance.objects.filter(
            session__starts_at__gte=since,
            session__starts_at__lt=until,
            enrolment__in=enrolments.values("pk"),
        )
        .values("enrolment__batch_id", "enrolment__batch__code", "enrolment__batch__track__name")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            absent=Count("pk", filter=Q(status=Attendance.Status.ABSENT)),
        )
        .order_by()
    )
    keys = ("enrolments", "enrolments_new", "attended", "absent", "completed", "certificates")
    batches = {}
    for row in grouped:
        batches[row["batch_id"]] = (
            [row["batch__track__name"], row["batch__code"]],
            {k: row.get(k, 0) for k in keys},
        )
    for row in attendance:
        labels = [row["enrolment__batch__track__name"], row["enrolment__batch__code"]]
        entry = batches.setdefault(row["enrolment__batch_id"], (labels, dict.fromkeys(keys, 0)))
        entry[1]["attended"], entry[1]["absent"] = row["attended"], row["absent"]
    table = Table(
        _("Training by track and batch"),
        [_("Track"), _("Batch")],
        [
            Column("enrolments", _("Enrolments at the end of the period")),
            Column("enrolments_new", _("New enrolments")),
            Column("attended", _("Sessions attended")),
            Column("absent", _("Absences")),
            Column("completed", _("Completed")),
            Column("certificates", _("Certificates issued")),
        ],
        sorted(batches.values(), key=lambda entry: (entry[0][0], entry[0][1])),
    )
    return Sheet(_("Training"), [table]), enrolments


def _phase_at_end(period):
    """The phase a placement was in at the end of the period: its last recorded change on or
    before that day (the current phase when no change was recorded)."""
    last = (
        PhaseChange.objects.filter(placement=OuterRef("pk"), on__lte=period.end)
        .order_by("-on", "-changed_at", "-pk")
        .values("to_phase")[:1]
    )
    return Coalesce(Subquery(last), F("phase"))


def placements_sheet(period, partner, since, until):
    placements = Placement.objects.filter(created_at__lt=until)
    if partner:
        placements = placements.filter(_shared(partner, period, "participant_id"))
    by_phase = (
        placements.annotate(phase_at_end=_phase_at_end(period))
        .values("phase_at_end")
        .annotate(placements=Count("pk"))
        .order_by()
    )
    phase_counts = {row["phase_at_end"]: row["placements"] for row in by_phase}
    phase_table = Table(
        _("Placements by phase at the end of the period"),
        [_("Phase")],
        [Column("placements", _("Placements"))],
        [
            ([str(phase.label)], {"placements": phase_counts[phase.value]})
            for phase in Phase
            if phase.value in phase_counts
        ],
    )
    by_destination = (
        placements.values("country_id", "country__name_id", "country__name_en", "scheme")
        .annotate(placements=Count("pk"))
        .order_by()
    )
    moves = (
        PhaseChange.objects.filter(
            on__range=(period.start, period.end),
            to_phase__in=[Phase.DEPARTED, Phase.RETURNED],
            placement__in=placements.values("pk"),
        )
        .values(
            "placement__country_id",
            "placement__country__name_id",
            "placement__country__name_en",
            "placement__scheme",
            "to_phase",
        )
        .annotate(n=Count("placement_id", distinct=True))
        .order_by()
    )
    destinations = {}
    for row in by_destination:
        destinations[(row["country_id"], row["scheme"])] = (
            [_country(row, "country__"), _label(Scheme, row["scheme"])],
            {"placements": row["placements"], "departed": 0, "returned": 0},
        )
    for row in moves:
        key = (row["placement__country_id"], row["placement__scheme"])
        labels = [_country(row, "placement__country__"), _label(Scheme, row["placement__scheme"])]
        entry = destinations.setdefault(
            key, (labels, {"placements": 0, "departed": 0, "returned": 0})
        )
        entry[1]["departed" if row["to_phase"] == Phase.DEPARTED else "returned"] = row["n"]
    destination_table = Table(
        _("Placements by destination country and scheme"),
        [_("Country"), _("Scheme")],
        [
            Column("placements", _("Placements at the end of the period")),
            Column("departed", _("Departed in the period")),
            Column("returned", _("Returned in the period")),
        ],
        sorted(destinations.values(), key=lambda entry: (entry[0][0], entry[0][1])),
    )
    return Sheet(_("Placements"), [phase_table, destination_table])


def _case_status_at_end(until):
    last = (
        CaseUpdate.objects.filter(case=OuterRef("pk"), at__lt=until)
        .exclude(to_status="")
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    # Closed today but open at the end of the period, with no update to tell: "open".
    current = models.Case(
        models.When(status=Case.Status.CLOSED, then=Value(Case.Status.OPEN.value)),
        default=F("status"),
        output_field=models.CharField(),
    )
    return Coalesce(Subquery(last), current)


def cases_sheet(period, since, until):
    """National reports only: partners get no case figures at all."""
    start, end = period.start, period.end
    open_at_end = (
        Case.objects.filter(opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .annotate(status_at_end=_case_status_at_end(until))
        .values("type", "status_at_end")
        .annotate(cases_open=Count("pk"))
        .order_by()
    )
    open_table = Table(
        _("Cases open at the end of the period by type and status"),
        [_("Type"), _("Status")],
        [Column("cases_open", _("Cases"))],
        sorted(
            (
                [_label(Case.Type, row["type"]), _label(Case.Status, row["status_at_end"])],
                {"cases_open": row["cases_open"]},
            )
            for row in open_at_end
        ),
    )
    flows = (
        Case.objects.filter(Q(opened_on__range=(start, end)) | Q(closed_on__range=(start, end)))
        .values("type")
        .annotate(
            cases_opened=Count("pk", filter=Q(opened_on__range=(start, end))),
            cases_closed=Count("pk", filter=Q(closed_on__range=(start, end))),
        )
        .order_by()
    )
    flow_table = Table(
        _("Cases opened and closed in the period by type"),
        [_("Type")],
        [Column("cases_opened", _("Opened")), Column("cases_closed", _("Closed"))],
        sorted(
            (
                [_label(Case.Type, row["type"])],
                {"cases_opened": row["cases_opened"], "cases_closed": row["cases_closed"]},
            )
            for row in flows
        ),
    )
    return Sheet(_("Cases"), [open_table, flow_table])


def agreements_sheet(period, partner, enrolments):
    agreements = Agreement.objects.filter(valid_from__lte=period.end).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=period.start)
    )
    if partner:
        agreements = agreements.filter(pk__in=Agreement.objects.with_party(partner.pk).values("pk"))
    agreement_rows = list(agreements.order_by("number"))
    statuses = {a.pk: a.status_on(period.end) for a in agreement_rows}
    agreement_table = Table(
        _("Agreements"),
        [_("Number"), _("Title"), _("Status at the end of the period"), _("Valid until")],
        [],
        [
            (
                [
                    a.number,
                    a.title,
                    str(Agreement.Status(statuses[a.pk]).label),
                    a.valid_until.isoformat() if a.valid_until else "",
                ],
                {},
            )
            for a in agreement_rows
        ],
    )
    commitments = list(
        Commitment.objects.filter(agreement__in=agreements.values("pk"))
        .select_related("agreement", "programme")
        .order_by("agreement__number", "kind", "pk")
    )
    enrolled = defaultdict(int)
    for row in (
        enrolments.filter(enrolled_on__lte=period.end)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("batch__programme_id", "batch__track__code")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        programme, track = row["batch__programme_id"], row["batch__track__code"]
        enrolled[(programme, None)] += row["n"]
        enrolled[(programme, track)] += row["n"]
        enrolled[(None, track)] += row["n"]
    quota_table = Table(
        _("Participant quotas and tracks"),
        [_("Agreement"), _("Commitment"), _("Programme"), _("Track")],
        [
            Column("target", _("Target"), total=False, people=False),
            Column("enrolled", _("Enrolled by the end of the period"), total=False),
        ],
    )
    budget_table = Table(
        _("Budgets"),
        [_("Agreement"), _("Description")],
        [
            Column("target", _("Target (rupiah)"), total=False, people=False),
            Column("achieved", _("Achieved (rupiah)"), total=False, people=False),
        ],
    )
    for commitment in commitments:
        if commitment.kind == Commitment.Kind.BUDGET:
            budget_table.rows.append(
                (
                    [commitment.agreement.number, commitment.description],
                    {"target": int(commitment.target), "achieved": int(commitment.achieved)},
                )
            )
            continue
        track = commitment.track_code or None
        if commitment.kind == Commitment.Kind.QUOTA:
            track = None
        quota_table.rows.append(
            (
                [
                    commitment.agreement.number,
                    commitment.get_kind_display(),
                    commitment.programme.name if commitment.programme else "",
                    commitment.track_code,
                ],
                {
                    "target": int(commitment.target),
                    "enrolled": enrolled[(commitment.programme_id, track)],
                },
            )
        )
    active = sum(1 for status in statuses.values() if status == Agreement.Status.ACTIVE)
    return Sheet(_("Agreements"), [agreement_table, quota_table, budget_table]), active


def _totals(sheets):
    """Raw column totals by key over the tables that have them (the summary's source)."""
    totals = {}
    for sheet in sheets:
        for table in sheet.tables:
            for column in table.columns:
                if column.total:
                    totals[column.key] = sum(values[column.key] for _l, values in table.rows)
    return totals


def _apply_suppression(sheets):
    """Suppress 1-4 in every people column; return the keys that had a suppressed cell."""
    suppressed = set()
    for sheet in sheets:
        for table in sheet.tables:
            for column in table.columns:
                if not column.people:
                    continue
                cells = {i: values[column.key] for i, (_l, values) in enumerate(table.rows)}
                shown, total = suppress(cells)
                if total is None:
                    suppressed.add(column.key)
                for i, (_l, values) in enumerate(table.rows):
                    values[column.key] = shown[i]
    return suppressed


def compute(*, period, partner=None):
    """The report for `period` (national when `partner` is None) as a `Report`."""
    since, until = period.bounds()
    training, enrolments = training_sheet(period, partner, since, until)
    sheets = [participants_sheet(period, partner, since, until), training]
    sheets.append(placements_sheet(period, partner, since, until))
    if partner is None:
        sheets.append(cases_sheet(period, since, until))
    agreements, active = agreements_sheet(period, partner, enrolments)
    sheets.append(agreements)
    totals = _totals(sheets)
    keys = [key for key, _label in SUMMARY if partner is None or key not in CASE_FIGURES]
    raw = totals | {"agreements_active": active}
    if partner is None:
        return Report(sheets, {key: raw.get(key, 0) for key in keys}, totals)
    suppressed = _apply_suppression(sheets)
    summary = {}
    for key in keys:
        value = raw.get(key, 0)
        if key in NOT_PEOPLE:
            summary[key] = value
        elif key in suppressed:
            summary[key] = None
        else:
            summary[key] = suppress_value(value)
    shown_totals = {key: None if key in suppressed else value for key, value in totals.items()}
    return Report(sheets, summary, shown_totals)


def summary_labels():
    return dict(SUMMARY)
