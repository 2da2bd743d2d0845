"""Placement journeys, job orders, destination rules, check-ins, cases and referrals.

The portal is not the system of record for placement (SISKOP2MI is): it keeps what the
programmes need to prepare, match, protect and help a worker before, during and after placement.
Phases move only through `placements.services.placement_advance`, which checks the allowed
transitions (`Placement.TRANSITIONS`), the milestones and the document checklist of the next
phase, "placement not before" and the destination rules, and records who, when and why.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from participants.models import Participant, PersonalDocument
from training.models import LanguageLevel, Track, WelderQualification


class Scheme(models.TextChoices):
    G_TO_G = "g2g", _("G to G (government)")
    P_TO_P = "p2p", _("P to P (placement agency)")
    UKPS = "ukps", _("UKPS (company placing its own employees)")
    INDIVIDUAL = "individual", _("Individual")


class Sector(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    SHIPBUILDING = "shipbuilding", _("Shipbuilding and offshore")
    AGRICULTURE = "agriculture", _("Agriculture and plantations")
    FISHERIES = "fisheries", _("Fisheries")
    CARE = "care", _("Care and nursing")
    HOSPITALITY = "hospitality", _("Hospitality and food service")
    HOUSEHOLD = "household", _("Household (domestic work)")
    OTHER = "other", _("Other")


def _ministry_scope(queryset, user, participant_path):
    """Rows of participants a province-limited officer may see (all for the others)."""
    if user.province_codes:
        return queryset.filter(**{f"{participant_path}__province_id__in": user.province_codes})
    return queryset


class JobOrderQuerySet(models.QuerySet):
    def open(self, on=None):
        on = on or timezone.localdate()
        return self.filter(status=JobOrder.Status.OPEN).filter(
            Q(deadline__isnull=True) | Q(deadline__gte=on)
        )

    def visible_to(self, user):
        """Ministry staff and analysts: all; partner staff: their agency's orders and every open
        order (demand tells providers where training must grow); participants: none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_ministry_staff or user.is_analyst:
            return self
        membership = getattr(user, "membership", None)
        if user.is_partner_staff and membership:
            return self.filter(Q(agency_id=membership.organisation_id) | Q(status="open"))
        return self.none()


class JobOrder(models.Model):
    """An employer's demand through a placement agency or a G to G channel."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("job order status", "Open")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(_("reference"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    country = models.ForeignKey(
        "regions.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    agency = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_orders",
        verbose_name=_("placement agency or channel"),
    )
    employer = models.CharField(_("employer"), max_length=200)
    occupation = models.CharField(_("occupation"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    positions = models.PositiveIntegerField(_("positions"), validators=[MinValueValidator(1)])
    required_track_kind = models.CharField(
        _("required certificate"),
        max_length=20,
        blank=True,
        choices=Track.Kind.choices,
        help_text=_("A valid certificate of a track of this kind."),
    )
    required_welding_standard = models.CharField(
        _("required welding standard"),
        max_length=12,
        blank=True,
        choices=WelderQualification.Standard.choices,
    )
    required_language = models.CharField(
        _("required language"),
        max_length=2,
        blank=True,
        choices=Track.Language.choices,
    )
    required_language_level = models.CharField(
        _("required language level"), max_length=2, blank=True, choices=LanguageLevel.choices
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    contract_months = models.PositiveSmallIntegerField(_("contract length (months)"))
    salary = models.DecimalField(_("monthly salary"), max_digits=12, decimal_places=2)
    salary_currency = models.CharField(_("currency"), max_length=3, default="USD")
    deadline = models.DateField(_("application deadline"), null=True, blank=True)
    expected_departure = models.DateField(_("expected departure"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = JobOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("job order")
        verbose_name_plural = _("job orders")
        constraints = [
            models.CheckConstraint(condition=Q(min_age__gte=18), name="job_order_adults_only"),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                name="job_order_age_range",
            ),
            models.CheckConstraint(
                condition=Q(required_language="") | ~Q(required_language_level=""),
                name="job_order_language_has_level",
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.title}"

    @property
    def match_date(self):
        """The day requirements are checked against: the expected departure, else today."""
        return max(self.expected_departure or timezone.localdate(), timezone.localdate())


class DestinationRuleQuerySet(models.QuerySet):
    def in_force(self, *, country, scheme="", sector="", on=None):
        on = on or timezone.localdate()
        return self.filter(
            Q(country_id=getattr(country, "pk", country)),
            Q(scheme="") | Q(scheme=scheme),
            Q(sector="") | Q(sector=sector),
            Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        )


class DestinationRule(models.Model):
    """A dated rule of a destination that bars some people or sectors (editable data)."""

    class Kind(models.TextChoices):
        NO_PRISON_SENTENCE = "no_prison_sentence", _("Never sentenced to prison")
        SENTENCE_BELOW = "sentence_below", _("Sentence shorter than a limit")
        NO_DRUG_OFFENCE = "no_drug_offence", _("No drug offence")
        SECTOR_BANNED = "sector_banned", _("Sector closed to placement")

    country = models.ForeignKey(
        "regions.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    scheme = models.CharField(
        _("scheme"), max_length=10, choices=Scheme.choices, blank=True, help_text=_("Empty: all.")
    )
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, blank=True, help_text=_("Empty: all.")
    )
    kind = models.CharField(_("rule"), max_length=20, choices=Kind.choices)
    limit_months = models.PositiveSmallIntegerField(
        _("sentence limit (months)"),
        null=True,
        blank=True,
        help_text=_("Barred when the sentence is this long or longer."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    basis = models.CharField(_("legal basis"), max_length=300)

    objects = DestinationRuleQuerySet.as_manager()

    class Meta:
        ordering = ["country", "kind"]
        verbose_name = _("destination rule")
        verbose_name_plural = _("destination rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="sector_banned") | ~Q(sector=""),
                name="sector_ban_names_a_sector",
            ),
            models.CheckConstraint(
                condition=~Q(kind="sentence_below") | Q(limit_months__isnull=False),
                name="sentence_rule_has_limit",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="destination_rule_dates",
            ),
        ]

    def __str__(self):
        return f"{self.country}: {self.get_kind_display()}"

    def barred(self):
        """A Q over Participant for the people this rule bars (a sector ban bars everyone).

        A former prisoner whose sentence length is not recorded counts as barred by a sentence
        rule: the officer records it to clear the bar.
        """
        prisoner = Q(is_former_prisoner=True)
        sentence = "former_prisoner_profile__sentence_months"
        if self.kind == self.Kind.NO_PRISON_SENTENCE:
            return prisoner & ~Q(**{sentence: 0})
        if self.kind == self.Kind.SENTENCE_BELOW:
            return prisoner & (
                Q(**{f"{sentence}__gte": self.limit_months}) | Q(**{f"{sentence}__isnull": True})
            )
        if self.kind == self.Kind.NO_DRUG_OFFENCE:
            return Q(former_prisoner_profile__offence_category="drug")
        return Q(pk__isnull=False)

    def reason(self):
        """What a refusal says (never the person's record, only the rule)."""
        scheme = f" ({self.get_scheme_display()})" if self.scheme else ""
        if self.kind == self.Kind.SENTENCE_BELOW:
            rule = _("no sentence of %(months)s months or more") % {"months": self.limit_months}
        elif self.kind == self.Kind.SECTOR_BANNED:
            rule = _("no placement in the %(sector)s sector") % {
                "sector": self.get_sector_display()
            }
        else:
            rule = self.get_kind_display()
        return _("%(country)s%(scheme)s requires: %(rule)s [%(basis)s]") % {
            "country": self.country,
            "scheme": scheme,
            "rule": rule,
            "basis": self.basis,
        }


class Phase(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SELECTED = "selected", _("Selected")
    MEDICAL_CLEARED = "medical_cleared", _("Medical and psychological check passed")
    CERTIFIED = "certified", _("Competency certified")
    AGREEMENT_SIGNED = "agreement_signed", _("Placement agreement signed")
    PASSPORT_ISSUED = "passport_issued", _("Passport issued")
    VISA_ISSUED = "visa_issued", _("Work visa issued")
    INSURED = "insured", _("Insured (BPJS)")
    ORIENTED = "oriented", _("Pre-departure orientation (OPP) done")
    DEPARTED = "departed", _("Departed")
    WORKING = "working", _("Working abroad")
    CONTRACT_ENDED = "contract_ended", _("Contract ended")
    REPATRIATED = "repatriated", _("Repatriated")
    RETURNED = "returned", _("Returned home")
    REINTEGRATING = "reintegrating", _("Reintegrating")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


BEFORE_DEPARTURE = [
    Phase.REGISTERED,
    Phase.SELECTED,
    Phase.MEDICAL_CLEARED,
    Phase.CERTIFIED,
    Phase.AGREEMENT_SIGNED,
    Phase.PASSPORT_ISSUED,
    Phase.VISA_ISSUED,
    Phase.INSURED,
    Phase.ORIENTED,
]
# Steps recorded as milestones with evidence, in any order; the phase advances through them.
MILESTONE_STEPS = BEFORE_DEPARTURE[1:]
DURING = [Phase.DEPARTED, Phase.WORKING]
AFTER = [Phase.CONTRACT_ENDED, Phase.REPATRIATED, Phase.RETURNED, Phase.REINTEGRATING]
FINAL = [Phase.CLOSED, Phase.WITHDRAWN]


def _transitions():
    table = {}
    for here, after in zip(BEFORE_DEPARTURE, BEFORE_DEPARTURE[1:] + [Phase.DEPARTED], strict=True):
        table[here] = {after, Phase.WITHDRAWN}
    table.update(
        {
            Phase.DEPARTED: {Phase.WORKING, Phase.REPATRIATED},
            Phase.WORKING: {Phase.CONTRACT_ENDED, Phase.REPATRIATED},
            Phase.CONTRACT_ENDED: {Phase.RETURNED, Phase.WORKING},
            Phase.REPATRIATED: {Phase.RETURNED},
            Phase.RETURNED: {Phase.REINTEGRATING, Phase.CLOSED},
            Phase.REINTEGRATING: {Phase.CLOSED},
            Phase.CLOSED: set(),
            Phase.WITHDRAWN: set(),
        }
    )
    return table


class PlacementQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(phase__in=FINAL)

    def visible_to(self, user):
        """The placements of the participants `user` may see."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_ministry_staff:
            return _ministry_scope(self, user, "participant")
        return self.filter(participant__in=Participant.objects.visible_to(user))


class Placement(models.Model):
    """One worker's journey to one job abroad, through the phases of UU 18/2017."""

    Phase = Phase
    TRANSITIONS = _transitions()
    # Moves that must say why.
    REASON_REQUIRED = {Phase.WITHDRAWN, Phase.REPATRIATED, Phase.CLOSED}

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="placements"
    )
    job_order = models.ForeignKey(
        JobOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("job order"),
    )
    country = models.ForeignKey(
        "regions.Country",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("destination country"),
    )
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    agency = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("placement agency"),
    )
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    siskop2mi_id = models.CharField(_("SISKOP2MI ID"), max_length=50, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements_responsible",
        verbose_name=_("responsible officer"),
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.REGISTERED, db_index=True
    )
    phase_since = models.DateField(_("in this phase since"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=~Q(phase__in=["closed", "withdrawn"]),
                name="one_open_placement_per_participant",
            ),
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gt=F("contract_start")),
                name="placement_contract_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["country", "phase"], name="placement_country_phase")]

    def __str__(self):
        return f"{self.participant} → {self.country} ({self.get_phase_display()})"

    def allowed_next(self):
        return self.TRANSITIONS[self.phase]

    @property
    def stage(self):
        """before, during or after placement (or final)."""
        if self.phase in BEFORE_DEPARTURE:
            return "before"
        if self.phase in DURING:
            return "during"
        if self.phase in AFTER:
            return "after"
        return "final"


class PhaseChange(models.Model):
    """One move of a placement: from, to, who, when, why, and any guard overridden."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(_("from"), max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(_("to"), max_length=20, choices=Phase.choices)
    on = models.DateField(_("date"))
    changed_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    overridden = models.JSONField(
        _("guards overridden"),
        default=list,
        blank=True,
        help_text=_("The refusals a ministry admin overrode, with the written reason."),
    )
    override_reason = models.TextField(_("override reason"), blank=True)

    class Meta:
        ordering = ["placement", "changed_at", "pk"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(overridden=[]) | ~Q(override_reason=""),
                name="override_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.placement}: {self.from_phase or '-'} → {self.to_phase}"


class Milestone(models.Model):
    """A pre-departure step reached, with its evidence; steps may come in any order."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="milestones")
    step = models.CharField(
        _("step"), max_length=20, choices=[(p.value, p.label) for p in MILESTONE_STEPS]
    )
    achieved_on = models.DateField(_("achieved on"))
    evidence = models.ForeignKey(
        PersonalDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence document"),
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["placement", "achieved_on"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["placement", "step"], name="one_milestone_per_step")
        ]

    def __str__(self):
        return f"{self.placement}: {self.get_step_display()}"


class ChecklistItemQuerySet(models.QuerySet):
    def applying_to(self, *, phase, scheme, country):
        return self.filter(
            Q(phase=phase),
            Q(active=True),
            Q(scheme="") | Q(scheme=scheme),
            Q(country__isnull=True) | Q(country_id=getattr(country, "pk", country)),
        )


class ChecklistItem(models.Model):
    """A document a phase requires, per scheme and destination, with its validity rule."""

    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=[(p.value, p.label) for p in MILESTONE_STEPS + [Phase.DEPARTED]],
    )
    document_kind = models.CharField(
        _("document"), max_length=25, choices=PersonalDocument.Kind.choices
    )
    scheme = models.CharField(
        _("scheme"), max_length=10, choices=Scheme.choices, blank=True, help_text=_("Empty: all.")
    )
    country = models.ForeignKey(
        "regions.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination"),
        help_text=_("Empty: all destinations."),
    )
    max_age_days = models.PositiveSmallIntegerField(
        _("issued no more than (days) before"), null=True, blank=True
    )
    min_validity_days = models.PositiveSmallIntegerField(
        _("still valid for at least (days)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["phase", "document_kind", "scheme"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "document_kind", "scheme", "country"],
                name="checklist_item_unique",
            ),
            models.UniqueConstraint(
                fields=["phase", "document_kind", "scheme"],
                condition=Q(country__isnull=True),
                name="checklist_item_unique_all_countries",
            ),
        ]

    def __str__(self):
        return f"{self.get_phase_display()}: {self.get_document_kind_display()}"

    def problem(self, documents, on):
        """None when one of `documents` (of any kind; newest first) satisfies the item on `on`,
        else the reason it does not. A document issued after `on` does not count."""
        mine = [
            d
            for d in documents
            if d.kind == self.document_kind and (d.issued_on is None or d.issued_on <= on)
        ]
        label = self.get_document_kind_display()
        if not mine:
            return _("%(document)s missing") % {"document": label}
        problems = []
        for doc in mine:
            if self.max_age_days is not None and (
                doc.issued_on is None or doc.issued_on < on - timedelta(days=self.max_age_days)
            ):
                problems.append(
                    _("%(document)s older than %(days)s days")
                    % {"document": label, "days": self.max_age_days}
                )
                continue
            until = on + timedelta(days=self.min_validity_days or 0)
            if doc.expires_on is not None and doc.expires_on < until:
                problems.append(
                    _("%(document)s expires on %(date)s")
                    % {"document": label, "date": doc.expires_on.isoformat()}
                    if doc.expires_on >= on
                    else _("%(document)s expired on %(date)s")
                    % {"document": label, "date": doc.expires_on.isoformat()}
                )
                continue
            return None
        return problems[0]


class CheckInQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(placement__in=Placement.objects.visible_to(user))


class CheckIn(models.Model):
    """A welfare check-in with a worker abroad."""

    RESTRICTED_FIELDS = ("issues", "escalation_note")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        WHATSAPP = "whatsapp", _("WhatsApp")
        VIDEO = "video", _("Video call")
        VISIT = "visit", _("Visit")
        EMBASSY = "embassy", _("Through the embassy (Peduli WNI)")

    class Wellbeing(models.TextChoices):
        GOOD = "good", _("Good")
        CONCERNS = "concerns", _("Some concerns")
        AT_RISK = "at_risk", _("At risk")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="check_ins")
    on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    wellbeing = models.CharField(_("wellbeing"), max_length=10, choices=Wellbeing.choices)
    issues = models.TextField(_("issues raised"), blank=True)
    escalated_to_embassy = models.BooleanField(_("escalated to the embassy"), default=False)
    escalation_note = models.TextField(_("escalation note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["placement", "-on", "-pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["placement", "-on"], name="checkin_placement_on")]

    def __str__(self):
        return f"{self.placement.participant}: {self.on} ({self.get_wellbeing_display()})"


class ContractChange(models.Model):
    """A change to the work contract while abroad (employer, occupation, end, salary)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="contract_changes"
    )
    on = models.DateField(_("date"))
    employer = models.CharField(_("new employer"), max_length=200, blank=True)
    occupation = models.CharField(_("new occupation"), max_length=200, blank=True)
    contract_end = models.DateField(_("new contract end"), null=True, blank=True)
    salary = models.DecimalField(
        _("new monthly salary"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["placement", "-on"]
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")

    def __str__(self):
        return f"{self.placement.participant}: {self.on}"


class Incident(models.Model):
    """Something that happened to a worker abroad; serious ones open a case."""

    RESTRICTED_FIELDS = ("description",)

    class Kind(models.TextChoices):
        ACCIDENT = "accident", _("Work accident")
        ILLNESS = "illness", _("Illness")
        ABUSE = "abuse", _("Abuse or violence")
        UNPAID_WAGES = "unpaid_wages", _("Unpaid wages")
        DOCUMENTS_HELD = "documents_held", _("Documents held by the employer")
        DETENTION = "detention", _("Arrest or detention")
        OTHER = "other", _("Other")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="incidents")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"))
    escalated_to_embassy = models.BooleanField(_("escalated to the embassy"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["placement", "-on"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self):
        return f"{self.placement.participant}: {self.get_kind_display()} {self.on}"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Case.Status.CLOSED)

    def visible_to(self, user):
        """Ministry staff with the case permission (within their provinces); nobody else."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff and user.has_perm("placements.view_case"):
            return _ministry_scope(self, user, "participant")
        return self.none()


class Case(models.Model):
    """A troubled worker, trafficking victim or returning worker helped through a service plan
    (Kemensos' flow: assessment, service plan, services, monitoring, termination). Restricted."""

    RESTRICTED_FIELDS = ("summary", "assessment", "service_plan")

    class Type(models.TextChoices):
        TRAFFICKING = "trafficking", _("Trafficking (TPPO) victim")
        UNPAID_WAGES = "unpaid_wages", _("Unpaid wages")
        ABUSE = "abuse", _("Abuse")
        DEPORTATION = "deportation", _("Deportation")
        HEALTH = "health", _("Health")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "Open")
        ASSESSMENT = "assessment", _("Assessment")
        SERVICE_PLAN = "service_plan", _("Service plan")
        SERVICES = "services", _("Services")
        MONITORING = "monitoring", _("Monitoring")
        CLOSED = "closed", _("Closed")

    _ORDER = ["open", "assessment", "service_plan", "services", "monitoring"]
    TRANSITIONS = {
        **{
            here: {after, "closed"}
            for here, after in zip(_ORDER, _ORDER[1:] + ["closed"], strict=True)
        },
        "closed": {"open"},
    }

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="cases")
    placement = models.ForeignKey(
        Placement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("placement"),
    )
    type = models.CharField(_("type"), max_length=15, choices=Type.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned officer"),
    )
    summary = models.TextField(_("summary"))
    assessment = models.TextField(_("assessment"), blank=True)
    service_plan = models.TextField(_("service plan"), blank=True)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="case_closed_on_when_closed",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_type_display()} – {self.participant}"


class CaseUpdate(models.Model):
    """The case's log: every status change and note, with who and when."""

    RESTRICTED_FIELDS = ("note",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    from_status = models.CharField(
        _("from"), max_length=15, choices=Case.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=15, choices=Case.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "at", "pk"]
        verbose_name = _("case update")
        verbose_name_plural = _("case updates")

    def __str__(self):
        return f"{self.case}: {self.from_status} → {self.to_status}"


class Service(models.TextChoices):
    REHABILITATION = "rehabilitation", _("Social rehabilitation")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance (bansos)")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EMPOWERMENT = "empowerment", _("Economic empowerment")
    HEALTH = "health", _("Health care")
    COUNSELLING = "counselling", _("Psychological counselling")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ministry staff who may see cases; staff of the receiving organisation (the referral,
        never the case file); nobody else."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff and user.has_perm("placements.view_case"):
            return _ministry_scope(self, user, "case__participant")
        membership = getattr(user, "membership", None)
        if user.is_partner_staff and membership:
            return self.filter(to_organisation_id=membership.organisation_id)
        return self.none()


class Referral(models.Model):
    """A case referred to a rehabilitation centre or another organisation, with consent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DONE = "done", _("Done")

    TRANSITIONS = {
        "pending": {"accepted", "rejected"},
        "accepted": {"done"},
        "rejected": set(),
        "done": set(),
    }

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    to_organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("referred to"),
    )
    reason = models.TextField(_("reason for referral"))
    services_requested = models.JSONField(_("services asked"), default=list)
    consent = models.ForeignKey(
        "participants.Consent",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("consent relied on"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    services_given = models.TextField(_("services given"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred_at = models.DateTimeField(_("referred at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.case.participant} → {self.to_organisation}"

    def get_services_requested_display(self):
        return ", ".join(str(Service(code).label) for code in self.services_requested)


class ServiceDelivery(models.Model):
    """A service given within a case; social assistance records the family's bansos candidacy."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    kind = models.CharField(_("service"), max_length=20, choices=Service.choices)
    provider = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provided by"),
    )
    delivered_on = models.DateField(_("delivered on"))
    description = models.TextField(_("description"), blank=True)
    decile = models.PositiveSmallIntegerField(_("family decile at the time"), null=True, blank=True)
    decile_as_of = models.DateField(_("decile as of"), null=True, blank=True)
    bansos_candidate = models.BooleanField(_("bansos candidate (deciles 1-4)"), null=True)
    exception_reason = models.TextField(_("reason for assistance outside deciles 1-4"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["case", "-delivered_on"]
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")

    def __str__(self):
        return f"{self.case}: {self.get_kind_display()} {self.delivered_on}"
