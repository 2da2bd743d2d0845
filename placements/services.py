"""State changes of placements, job orders, check-ins, cases and referrals.

Keyword-only functions taking the acting user. Admin actions, the API, commands and tasks call
them; nothing else assigns a phase or a status. A refused move raises `PlacementRefused` with
one `Refusal` per failed guard; a ministry admin may override the overridable ones with a
written reason, which is stored on the phase change and audited.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Category, Consent, Participant
from participants.services import current_decile, profile_save
from portal.audit.services import Event, audit_event
from portal.regions.models import Country

from . import data, selectors
from .models import (
    MILESTONE_STEPS,
    Case,
    CaseUpdate,
    CheckIn,
    ChecklistItem,
    ContractChange,
    DestinationRule,
    Incident,
    JobOrder,
    Milestone,
    Phase,
    PhaseChange,
    Placement,
    Referral,
    Service,
    ServiceDelivery,
)


class PlacementError(Exception):
    """A refused action, with a message fit to show the user."""


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    overridable: bool = True

    def as_dict(self):
        return {"code": self.code, "message": str(self.message)}


class PlacementRefused(PlacementError):
    """A phase move refused by one or more guards."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        super().__init__("; ".join(str(r.message) for r in self.refusals))

    @property
    def overridable(self):
        return all(r.overridable for r in self.refusals)


def placement_rules_load():
    """Add the default checklist and destination rules that are missing; (checklist, rules)
    created. Never changes a row ministry staff may have edited."""
    made_items = made_rules = 0
    for phase, kind, scheme, country, max_age, validity, note in data.CHECKLIST:
        _item, created = ChecklistItem.objects.get_or_create(
            phase=phase,
            document_kind=kind,
            scheme=scheme,
            country_id=country,
            defaults={"max_age_days": max_age, "min_validity_days": validity, "note": note},
        )
        made_items += created
    known = set(Country.objects.values_list("code", flat=True))
    for country, scheme, sector, kind, limit, valid_from, basis in data.DESTINATION_RULES:
        if country not in known:
            continue
        _rule, created = DestinationRule.objects.get_or_create(
            country_id=country,
            scheme=scheme,
            sector=sector,
            kind=kind,
            valid_from=valid_from,
            defaults={"limit_months": limit, "basis": basis},
        )
        made_rules += created
    return made_items, made_rules


def _sector_ban(*, country, scheme, sector, on):
    rule = (
        DestinationRule.objects.in_force(country=country, scheme=scheme, sector=sector, on=on)
        .filter(kind=DestinationRule.Kind.SECTOR_BANNED)
        .select_related("country")
        .first()
    )
    return rule.reason() if rule else None


@transaction.atomic
def job_order_create(*, actor, on=None, **fields):
    """Record a job order; a sector closed in the destination is refused."""
    on = on or timezone.localdate()
    job_order = JobOrder(**fields)
    banned = _sector_ban(
        country=job_order.country_id, scheme=job_order.scheme, sector=job_order.sector, on=on
    )
    if banned:
        raise PlacementError(banned)
    job_order.full_clean()
    job_order.save()
    return job_order


def destination_refusals(*, participant, country, scheme, sector, on):
    """A refusal for each destination rule in force that bars this participant."""
    rules = DestinationRule.objects.in_force(
        country=country, scheme=scheme, sector=sector, on=on
    ).select_related("country")
    found = []
    for rule in rules:
        if Participant.objects.filter(pk=participant.pk).filter(rule.barred()).exists():
            found.append(Refusal("destination_bar", rule.reason()))
    return found


@transaction.atomic
def placement_create(
    *,
    participant,
    actor,
    job_order=None,
    country=None,
    scheme=None,
    sector=None,
    occupation="",
    on=None,
    reason="",
    **fields,
):
    """Register a placement (phase `registered`), from a job order or on its own."""
    on = on or timezone.localdate()
    if job_order is not None:
        country = country or job_order.country
        scheme = scheme or job_order.scheme
        sector = sector or job_order.sector
        occupation = occupation or job_order.occupation
        fields.setdefault("agency", job_order.agency)
        fields.setdefault("employer", job_order.employer)
    if country is None or not scheme or not sector:
        raise PlacementError(_("A placement needs a destination country, a scheme and a sector."))
    banned = _sector_ban(country=country, scheme=scheme, sector=sector, on=on)
    if banned:
        raise PlacementError(banned)
    if participant.placements.open().exists():
        raise PlacementError(
            _("%(name)s already has an open placement; close or withdraw it first.")
            % {"name": participant}
        )
    placement = Placement(
        participant=participant,
        job_order=job_order,
        country=country,
        scheme=scheme,
        sector=sector,
        occupation=occupation,
        phase=Phase.REGISTERED,
        phase_since=on,
        **fields,
    )
    placement.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError as error:
        raise PlacementError(
            _("%(name)s already has an open placement.") % {"name": participant}
        ) from error
    PhaseChange.objects.create(
        placement=placement,
        from_phase="",
        to_phase=Phase.REGISTERED,
        on=on,
        changed_by=_user(actor),
        reason=reason or _("registered"),
    )
    return placement


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _documents(participant):
    return list(participant.documents.order_by("-issued_on", "-pk"))


def placement_refusals(*, placement, to_phase, on=None, reason=""):
    """Every guard that stops `placement` moving to `to_phase` on `on` (empty: it may move)."""
    on = on or timezone.localdate()
    participant = placement.participant
    if to_phase not in placement.allowed_next():
        return [
            Refusal(
                "transition",
                _("A placement cannot move from %(from)s to %(to)s.")
                % {
                    "from": Phase(placement.phase).label,
                    "to": Phase(to_phase).label,
                },
                overridable=False,
            )
        ]
    found = []
    if to_phase in Placement.REASON_REQUIRED and not reason.strip():
        found.append(
            Refusal(
                "reason_required",
                _("Say why the placement moves to %(to)s.") % {"to": Phase(to_phase).label},
                overridable=False,
            )
        )
    if to_phase in MILESTONE_STEPS and not placement.milestones.filter(step=to_phase).exists():
        found.append(
            Refusal(
                "milestone",
                _("The step %(step)s is not recorded yet.") % {"step": Phase(to_phase).label},
            )
        )
    items = ChecklistItem.objects.applying_to(
        phase=to_phase, scheme=placement.scheme, country=placement.country_id
    )
    if items:
        documents = _documents(participant)
        for item in items:
            problem = item.problem(documents, on)
            if problem:
                found.append(Refusal("document", problem))
    if to_phase == Phase.SELECTED:
        found += destination_refusals(
            participant=participant,
            country=placement.country_id,
            scheme=placement.scheme,
            sector=placement.sector,
            on=on,
        )
        if placement.job_order_id:
            found += _job_order_refusals(placement, on)
    if to_phase == Phase.DEPARTED:
        block = participant.placement_not_before(on)
        if block:
            found.append(
                Refusal(
                    "not_before",
                    _("No departure before %(date)s (%(reason)s).")
                    % {"date": block[0].isoformat(), "reason": block[1]},
                    overridable=False,
                )
            )
        found += destination_refusals(
            participant=participant,
            country=placement.country_id,
            scheme=placement.scheme,
            sector=placement.sector,
            on=on,
        )
    return found


def _job_order_refusals(placement, on):
    """The job order's requirements (certificate, language, age) as refusals."""
    job_order = placement.job_order
    row = selectors.annotate_match(
        Participant.objects.filter(pk=placement.participant_id),
        job_order=job_order,
        on=on,
        rules=[],
    ).get()
    return [
        Refusal(f"job_{reason.code}", reason.text)
        for reason in selectors.reasons(row, job_order=job_order, on=on, rules=[])
        if reason.code not in {"placed", "not_before"}
    ]


@transaction.atomic
def placement_advance(*, placement, actor, to_phase=None, reason="", override_reason="", on=None):
    """Move `placement` to `to_phase` (default: the next step before departure), checking every
    guard. A ministry admin may override overridable refusals with a written reason."""
    on = on or timezone.localdate()
    placement = (
        Placement.objects.select_for_update().select_related("participant").get(pk=placement.pk)
    )
    to_phase = to_phase or _next_step(placement)
    if to_phase is None:
        raise PlacementError(
            _("Say which phase a placement in %(phase)s moves to.")
            % {"phase": placement.get_phase_display()}
        )
    refusals = placement_refusals(placement=placement, to_phase=to_phase, on=on, reason=reason)
    overridden = []
    if refusals:
        override_reason = override_reason.strip()
        may_override = getattr(actor, "is_ministry_admin", False)
        if not (override_reason and may_override and all(r.overridable for r in refusals)):
            raise PlacementRefused(refusals)
        overridden = [r.as_dict() for r in refusals]
    change = _move(placement, to_phase, actor=actor, on=on, reason=reason)
    if overridden:
        change.overridden = overridden
        change.override_reason = override_reason
        change.save(update_fields=["overridden", "override_reason"])
        audit_event(
            actor=actor,
            obj=placement,
            event=Event.OVERRIDE,
            data={"to_phase": to_phase, "overridden": overridden, "reason": override_reason},
        )
    return placement


def _next_step(placement):
    """The next phase on the way to departure, or None after it."""
    order = [*MILESTONE_STEPS, Phase.DEPARTED]
    if placement.phase == Phase.REGISTERED:
        return Phase.SELECTED
    if placement.phase in order[:-1]:
        return order[order.index(placement.phase) + 1]
    return None


def _move(placement, to_phase, *, actor, on, reason):
    change = PhaseChange.objects.create(
        placement=placement,
        from_phase=placement.phase,
        to_phase=to_phase,
        on=on,
        changed_by=_user(actor),
        reason=reason,
    )
    placement.phase = to_phase
    placement.phase_since = on
    placement.save(update_fields=["phase", "phase_since", "updated_at"])
    if to_phase == Phase.RETURNED:
        _mark_returned(placement, actor=actor, on=on)
    return change


def _mark_returned(placement, *, actor, on):
    """A worker who came home is a returning worker, with this destination and date."""
    profile_save(
        participant=placement.participant,
        category=Category.RETURNING_WORKER,
        actor=actor,
        last_destination_id=placement.country_id,
        return_date=on,
    )


def placement_advance_while_ready(*, placement, actor, on=None):
    """Advance through the steps before departure as long as the next one's requirements are
    met (milestones may be recorded in any order). Departure stays an explicit move."""
    moved = []
    while True:
        placement.refresh_from_db()
        to_phase = _next_step(placement)
        if to_phase in (None, Phase.DEPARTED):
            return moved
        try:
            with transaction.atomic():
                placement_advance(
                    placement=placement,
                    actor=actor,
                    to_phase=to_phase,
                    on=on,
                    reason=_("requirements met"),
                )
        except PlacementRefused:
            return moved
        moved.append(to_phase)


@transaction.atomic
def milestone_record(
    *, placement, step, achieved_on, actor, evidence=None, reference="", advance=True
):
    """Record a step reached before departure, then advance the phase as far as the
    requirements allow on the day it was reached (or since the current phase began, if later).
    Returns the phases moved through."""
    if step not in MILESTONE_STEPS:
        raise PlacementError(_("%(step)s is not a step before departure.") % {"step": step})
    placement = Placement.objects.get(pk=placement.pk)
    if placement.stage != "before":
        raise PlacementError(_("The placement has already left the steps before departure."))
    if evidence is not None and evidence.participant_id != placement.participant_id:
        raise PlacementError(_("The evidence must be one of the participant's own documents."))
    Milestone.objects.update_or_create(
        placement=placement,
        step=step,
        defaults={
            "achieved_on": achieved_on,
            "evidence": evidence,
            "reference": reference,
            "recorded_by": _user(actor),
        },
    )
    if not advance:
        return []
    on = max(achieved_on, placement.phase_since)
    return placement_advance_while_ready(placement=placement, actor=actor, on=on)


ABROAD = {Phase.DEPARTED, Phase.WORKING, Phase.CONTRACT_ENDED}


@transaction.atomic
def checkin_record(
    *,
    placement,
    on,
    channel,
    wellbeing,
    actor,
    issues="",
    escalated_to_embassy=False,
    escalation_note="",
):
    """A welfare check-in with a worker abroad."""
    placement = Placement.objects.get(pk=placement.pk)
    if placement.phase not in ABROAD:
        raise PlacementError(_("Check-ins are recorded while the worker is abroad."))
    if escalated_to_embassy and not escalation_note.strip():
        raise PlacementError(_("Say what was escalated to the embassy."))
    return CheckIn.objects.create(
        placement=placement,
        on=on,
        channel=channel,
        wellbeing=wellbeing,
        issues=issues,
        escalated_to_embassy=escalated_to_embassy,
        escalation_note=escalation_note,
        recorded_by=_user(actor),
    )


@transaction.atomic
def contract_change_record(
    *, placement, on, reason, actor, employer="", occupation="", contract_end=None, salary=None
):
    """Record a contract change abroad and apply it to the placement."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.phase not in ABROAD:
        raise PlacementError(_("Contract changes are recorded while the worker is abroad."))
    if not reason.strip():
        raise PlacementError(_("Say why the contract changed."))
    if contract_end and placement.contract_start and contract_end <= placement.contract_start:
        raise PlacementError(_("The new contract end is before the contract start."))
    change = ContractChange.objects.create(
        placement=placement,
        on=on,
        employer=employer,
        occupation=occupation,
        contract_end=contract_end,
        salary=salary,
        reason=reason,
        recorded_by=_user(actor),
    )
    updates = {
        name: value
        for name, value in (
            ("employer", employer),
            ("occupation", occupation),
            ("contract_end", contract_end),
        )
        if value
    }
    if updates:
        Placement.objects.filter(pk=placement.pk).update(**updates, updated_at=timezone.now())
    return change


@transaction.atomic
def incident_record(
    *,
    placement,
    on,
    kind,
    description,
    actor,
    escalated_to_embassy=False,
    case_type=None,
    severity=Case.Severity.HIGH,
):
    """Record an incident abroad; with `case_type`, open a case linked to the placement."""
    placement = Placement.objects.select_related("participant").get(pk=placement.pk)
    if placement.phase not in ABROAD | {Phase.REPATRIATED}:
        raise PlacementError(_("Incidents are recorded for a worker abroad or repatriated."))
    incident = Incident.objects.create(
        placement=placement,
        on=on,
        kind=kind,
        description=description,
        escalated_to_embassy=escalated_to_embassy,
        recorded_by=_user(actor),
    )
    case = None
    if case_type:
        case = case_open(
            participant=placement.participant,
            placement=placement,
            type=case_type,
            severity=severity,
            summary=description,
            actor=actor,
            on=on,
        )
    return incident, case


@transaction.atomic
def case_open(
    *, participant, type, severity, summary, actor, placement=None, assigned_officer=None, on=None
):
    """Open a case for a troubled worker, trafficking victim or returning worker."""
    if placement is not None and placement.participant_id != participant.pk:
        raise PlacementError(_("The placement belongs to another participant."))
    if not summary.strip():
        raise PlacementError(_("Describe the case."))
    case = Case.objects.create(
        participant=participant,
        placement=placement,
        type=type,
        severity=severity,
        summary=summary,
        assigned_officer=assigned_officer or participant.officer,
        opened_on=on or timezone.localdate(),
    )
    CaseUpdate.objects.create(case=case, to_status=Case.Status.OPEN, by=_user(actor))
    return case


@transaction.atomic
def case_set_status(
    *, case, to_status, actor, note="", assessment=None, service_plan=None, on=None
):
    """Move a case along open → assessment → service plan → services → monitoring → closed, or
    reopen it. The service plan needs an assessment, services need a plan, closing needs every
    referral answered and a note, reopening a note."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    on = on or timezone.localdate()
    if to_status not in Case.TRANSITIONS[case.status]:
        raise PlacementError(
            _("A case cannot move from %(from)s to %(to)s.")
            % {"from": case.get_status_display(), "to": Case.Status(to_status).label}
        )
    if assessment is not None:
        case.assessment = assessment
    if service_plan is not None:
        case.service_plan = service_plan
    if to_status == Case.Status.SERVICE_PLAN and not case.assessment.strip():
        raise PlacementError(_("Record the assessment before the service plan."))
    if to_status == Case.Status.SERVICES and not case.service_plan.strip():
        raise PlacementError(_("Record the service plan before the services."))
    if to_status in {Case.Status.CLOSED, Case.Status.OPEN} and not note.strip():
        raise PlacementError(_("Say why the case is closed or reopened."))
    if to_status == Case.Status.CLOSED:
        waiting = case.referrals.filter(
            status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED]
        ).select_related("to_organisation")
        if waiting:
            raise PlacementError(
                _("Referrals still open: %(names)s.")
                % {"names": ", ".join(str(r.to_organisation) for r in waiting)}
            )
    previous = case.status
    case.status = to_status
    case.closed_on = on if to_status == Case.Status.CLOSED else None
    case.last_activity_at = timezone.now()
    case.save()
    CaseUpdate.objects.create(
        case=case, from_status=previous, to_status=to_status, note=note, by=_user(actor)
    )
    return case


def _touch(case):
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


@transaction.atomic
def case_note_add(*, case, note, actor):
    if not note.strip():
        raise PlacementError(_("The note is empty."))
    _touch(case)
    return CaseUpdate.objects.create(case=case, note=note, by=_user(actor))


@transaction.atomic
def referral_create(*, case, to_organisation, reason, services_requested, actor):
    """Refer a case; refused unless the participant (or the guardian) consented to referral."""
    if case.status == Case.Status.CLOSED:
        raise PlacementError(_("The case is closed; reopen it to refer it."))
    unknown = set(services_requested) - set(Service.values)
    if not services_requested or unknown:
        raise PlacementError(_("Name the services asked for."))
    if not reason.strip():
        raise PlacementError(_("Give the reason for the referral."))
    consent = (
        Consent.objects.standing()
        .filter(participant=case.participant_id, purpose=Consent.Purpose.REFERRAL)
        .order_by("-given_at")
        .first()
    )
    if consent is None:
        raise PlacementError(
            _("%(name)s has not consented to referral: record the consent first.")
            % {"name": case.participant}
        )
    if case.participant.is_minor() and consent.given_by != Consent.GivenBy.GUARDIAN:
        raise PlacementError(_("A minor's referral needs the guardian's consent."))
    referral = Referral.objects.create(
        case=case,
        to_organisation=to_organisation,
        reason=reason,
        services_requested=list(services_requested),
        consent=consent,
        referred_by=_user(actor),
    )
    _touch(case)
    return referral


def _may_answer(actor, referral):
    if getattr(actor, "is_ministry_staff", False):
        return True
    membership = getattr(actor, "membership", None)
    return membership is not None and membership.organisation_id == referral.to_organisation_id


@transaction.atomic
def referral_answer(*, referral, accept, actor, answer=""):
    """The receiving organisation accepts or rejects a referral (a rejection says why)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not _may_answer(actor, referral):
        raise PlacementError(_("Only the receiving organisation answers a referral."))
    to_status = Referral.Status.ACCEPTED if accept else Referral.Status.REJECTED
    if to_status not in Referral.TRANSITIONS[referral.status]:
        raise PlacementError(
            _("This referral is already %(status)s.") % {"status": referral.get_status_display()}
        )
    if not accept and not answer.strip():
        raise PlacementError(_("Say why the referral is rejected."))
    referral.status = to_status
    referral.answer = answer
    referral.answered_by = _user(actor)
    referral.answered_at = timezone.now()
    referral.save()
    _touch(referral.case)
    return referral


@transaction.atomic
def referral_complete(*, referral, services_given, actor, delivered_on=None, kinds=None):
    """The receiving organisation reports the services given; each is recorded on the case."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if not _may_answer(actor, referral):
        raise PlacementError(_("Only the receiving organisation completes a referral."))
    if referral.status != Referral.Status.ACCEPTED:
        raise PlacementError(
            _("Only an accepted referral can be completed; this one is %(status)s.")
            % {"status": referral.get_status_display()}
        )
    if not services_given.strip():
        raise PlacementError(_("Describe the services given."))
    delivered_on = delivered_on or timezone.localdate()
    for kind in kinds or referral.services_requested:
        service_deliver(
            case=referral.case,
            kind=kind,
            delivered_on=delivered_on,
            provider=referral.to_organisation,
            referral=referral,
            description=services_given,
            actor=actor,
            exception_reason=_("referral: %(reason)s") % {"reason": referral.reason},
        )
    referral.status = Referral.Status.DONE
    referral.services_given = services_given
    referral.save()
    return referral


@transaction.atomic
def service_deliver(
    *,
    case,
    kind,
    delivered_on,
    actor,
    provider=None,
    referral=None,
    description="",
    exception_reason="",
):
    """Record a service given within a case. Social assistance records the family's decile
    and bansos candidacy (deciles 1-4); outside them it needs a written reason."""
    delivery = ServiceDelivery(
        case=case,
        referral=referral,
        kind=kind,
        provider=provider,
        delivered_on=delivered_on,
        description=description,
        recorded_by=_user(actor),
    )
    if kind == Service.SOCIAL_ASSISTANCE:
        record = current_decile(participant=case.participant)
        delivery.decile = record.decile if record else None
        delivery.decile_as_of = record.as_of if record else None
        delivery.bansos_candidate = record.bansos_candidate if record else None
        if not delivery.bansos_candidate:
            if not exception_reason.strip():
                raise PlacementError(
                    _(
                        "The family is not a bansos candidate (decile %(decile)s): give the "
                        "reason for assistance outside deciles 1-4."
                    )
                    % {"decile": delivery.decile if delivery.decile else _("unknown")}
                )
            delivery.exception_reason = exception_reason
    delivery.save()
    _touch(case)
    return delivery


def placement_next_step(placement):
    """The next phase of `placement` on the way to departure, or None after it (for pages)."""
    return _next_step(placement)


def destination_outcomes(*, participant, on=None):
    """The destination rules in force that bar this person, as (rule, reason) pairs, e.g.
    "not eligible for Korea EPS". Sector bans (which bar everyone) are left out. Only the
    outcome and the rule are given, never the record behind them."""
    on = on or timezone.localdate()
    rules = (
        DestinationRule.objects.filter(valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .exclude(kind=DestinationRule.Kind.SECTOR_BANNED)
        .select_related("country")
    )
    person = Participant.objects.filter(pk=participant.pk)
    return [(rule, rule.reason()) for rule in rules if person.filter(rule.barred()).exists()]
