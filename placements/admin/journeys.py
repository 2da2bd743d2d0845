"""Placements with their phases, phase changes and check-ins."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from participants.admin import (
    ReadOnlyInline,
    RestrictedFieldsMixin,
    may_see_restricted,
)
from participants.models import PersonalDocument
from portal.core.paginator import EstimatedCountPaginator

from .. import services
from ..models import (
    MILESTONE_STEPS,
    CheckIn,
    ContractChange,
    Incident,
    Milestone,
    Phase,
    PhaseChange,
    Placement,
)
from .common import (
    NoAddOrDeleteMixin,
    ParticipantColumnsMixin,
    PlacementScopedMixin,
    ServiceAddMixin,
    apply_each,
    audit_shown,
    copy_saved,
)

# --- Placements -------------------------------------------------------------------------------


class MilestoneInline(ReadOnlyInline):
    """Recorded through the "Record a milestone" page (`milestone_record`)."""

    model = Milestone
    fields = ("step", "achieved_on", "evidence", "reference", "recorded_by", "recorded_at")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("evidence__participant", "recorded_by")


class CheckInInline(RestrictedFieldsMixin, ReadOnlyInline):
    model = CheckIn
    fields = (
        "on",
        "channel",
        "wellbeing",
        "issues",
        "escalated_to_embassy",
        "escalation_note",
        "recorded_by",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class ContractChangeInline(ReadOnlyInline):
    model = ContractChange
    fields = ("on", "employer", "occupation", "contract_end", "salary", "reason", "recorded_by")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class IncidentInline(RestrictedFieldsMixin, ReadOnlyInline):
    model = Incident
    fields = ("on", "kind", "description", "escalated_to_embassy", "recorded_by")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class PlacementAddForm(forms.ModelForm):
    """Country, scheme, sector and occupation may come from the job order."""

    class Meta:
        model = Placement
        fields = (
            "participant",
            "job_order",
            "country",
            "scheme",
            "sector",
            "occupation",
            "agency",
            "employer",
            "contract_start",
            "contract_end",
            "siskop2mi_id",
            "officer",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("country", "scheme", "sector", "occupation"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Empty: taken from the job order.")


class MovePhaseForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("move to"))
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required for withdrawal, repatriation and closing."),
    )
    override_reason = forms.CharField(
        label=_("override reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Ministry admins only: with a written reason, the refusals that may be overridden "
            "are overridden. The reason is stored on the phase change and audited."
        ),
    )

    def __init__(self, *args, placement, may_override, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = placement.allowed_next()
        self.fields["to_phase"].choices = [(p.value, p.label) for p in Phase if p in allowed]
        if not may_override:
            del self.fields["override_reason"]


class MilestoneForm(forms.Form):
    step = forms.ChoiceField(label=_("step"), choices=[(p.value, p.label) for p in MILESTONE_STEPS])
    achieved_on = forms.DateField(
        label=_("achieved on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.ModelChoiceField(
        label=_("evidence document"), queryset=PersonalDocument.objects.none(), required=False
    )
    reference = forms.CharField(label=_("reference"), required=False, max_length=200)

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = documents


@admin.register(Placement)
class PlacementAdmin(ParticipantColumnsMixin, ServiceAddMixin, admin.ModelAdmin):
    """New placements go through `placement_create`; phases move only through the actions and
    the "Move phase" and "Record a milestone" pages."""

    change_form_template = "admin/placements/placement/change_form.html"
    list_display = (
        "participant_name",
        "participant_nik_masked",
        "country",
        "scheme",
        "sector",
        "job_order",
        "phase",
        "phase_since",
        "officer",
    )
    list_filter = ("phase", "scheme", "sector", "country", "participant__province")
    search_fields = ("participant__full_name", "=siskop2mi_id", "job_order__reference")
    search_help_text = _("A NIK (spaces, dots and dashes allowed), part of a name, a reference.")
    list_select_related = ("participant", "country", "job_order", "officer")
    autocomplete_fields = ("participant", "job_order", "country", "agency", "officer")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [MilestoneInline, CheckInInline, ContractChangeInline, IncidentInline]
    actions = ["advance", "advance_while_ready"]

    def get_queryset(self, request):
        # The participant and the country name each placement (also in autocomplete lists);
        # the changelist adds no join of its own once one is set.
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related(*self.list_select_related)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PlacementAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return PlacementAddForm._meta.fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("participant", "job_order", "phase", "phase_since", "created_at", "updated_at")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        extra = {
            name: data[name]
            for name in (
                "agency",
                "employer",
                "contract_start",
                "contract_end",
                "siskop2mi_id",
                "officer",
            )
            if data.get(name)
        }
        placement = services.placement_create(
            participant=data["participant"],
            actor=request.user,
            job_order=data.get("job_order"),
            country=data.get("country"),
            scheme=data.get("scheme") or None,
            sector=data.get("sector") or None,
            occupation=data.get("occupation") or "",
            **extra,
        )
        copy_saved(obj, placement)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit_shown(
                request,
                obj.participant,
                [*obj.check_ins.order_by(), *obj.incidents.order_by()],
            )
            context.update(
                move_url=reverse("admin:placements_placement_move", args=[obj.pk]),
                milestone_url=reverse("admin:placements_placement_milestone", args=[obj.pk]),
                phases_url=reverse("admin:placements_placement_phases", args=[obj.pk]),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- actions --

    @admin.action(
        description=_("Advance selected placements to the next phase"), permissions=["change"]
    )
    def advance(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("participant", "country"),
            lambda placement: services.placement_advance(placement=placement, actor=request.user),
            lambda n: ngettext(
                "Advanced %(count)d placement.", "Advanced %(count)d placements.", n
            ),
        )

    @admin.action(
        description=_("Advance selected placements as far as their requirements allow"),
        permissions=["change"],
    )
    def advance_while_ready(self, request, queryset):
        moved_any = 0
        for placement in queryset.select_related("participant", "country"):
            moved = services.placement_advance_while_ready(placement=placement, actor=request.user)
            if moved:
                moved_any += 1
                self.message_user(
                    request,
                    gettext("%(placement)s advanced through: %(phases)s.")
                    % {"placement": placement, "phases": phase_labels(moved)},
                    messages.SUCCESS,
                )
        if not moved_any:
            self.message_user(
                request, gettext("No placement met the next step's requirements."), messages.WARNING
            )

    # -- pages --

    def get_urls(self):
        def view(function, suffix):
            return path(
                f"<path:object_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"placements_placement_{suffix}",
            )

        return [
            view(self.move_view, "move"),
            view(self.milestone_view, "milestone"),
            view(self.phases_view, "phases"),
            *super().get_urls(),
        ]

    def _placement(self, request, object_id, *, change):
        placement = self.get_object(request, object_id)
        allowed = placement is not None and (
            self.has_change_permission(request, placement)
            if change
            else self.has_view_permission(request, placement)
        )
        return placement if allowed else None

    def _page(self, request, placement, title, template, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "original": placement,
            **extra,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)

    def _change_url(self, placement):
        return reverse("admin:placements_placement_change", args=[placement.pk])

    def move_view(self, request, object_id):
        """Choose the next phase and say why; every refusal is listed, and a ministry admin may
        override the overridable ones with a written reason."""
        placement = self._placement(request, object_id, change=True)
        if placement is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        may_override = request.user.is_ministry_admin
        form = MovePhaseForm(
            request.POST if request.method == "POST" else None,
            placement=placement,
            may_override=may_override,
        )
        refusals, error = [], None
        if form.is_bound and form.is_valid():
            to_phase = form.cleaned_data["to_phase"]
            override_reason = form.cleaned_data.get("override_reason", "")
            try:
                services.placement_advance(
                    placement=placement,
                    actor=request.user,
                    to_phase=to_phase,
                    reason=form.cleaned_data["reason"],
                    override_reason=override_reason,
                )
            except services.PlacementRefused as refused:
                refusals = refused.refusals
            except services.PlacementError as failure:
                error = str(failure)
            else:
                change = placement.phase_changes.order_by("-changed_at", "-pk").first()
                if change and change.overridden:
                    message = gettext(
                        "%(placement)s moved to %(phase)s; %(count)d refusal(s) overridden."
                    ) % {
                        "placement": placement.participant,
                        "phase": Phase(to_phase).label,
                        "count": len(change.overridden),
                    }
                else:
                    message = gettext("%(placement)s moved to %(phase)s.") % {
                        "placement": placement.participant,
                        "phase": Phase(to_phase).label,
                    }
                self.message_user(request, message, messages.SUCCESS)
                return redirect(self._change_url(placement))
        overridable = bool(refusals) and all(r.overridable for r in refusals)
        return self._page(
            request,
            placement,
            gettext("Move phase: %(placement)s") % {"placement": placement},
            "admin/placements/placement/move.html",
            form=form,
            refusals=refusals,
            error=error,
            may_override=may_override,
            can_override=may_override and overridable,
            overridable=overridable,
            change_url=self._change_url(placement),
        )

    def milestone_view(self, request, object_id):
        """Record a step reached before departure (`milestone_record`); the placement then
        advances as far as the requirements allow, and the page says how far."""
        placement = self._placement(request, object_id, change=True)
        if placement is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        documents = PersonalDocument.objects.filter(participant=placement.participant_id)
        if not may_see_restricted(request):
            documents = documents.exclude(kind__in=PersonalDocument.RESTRICTED_KINDS)
        form = MilestoneForm(
            request.POST if request.method == "POST" else None,
            documents=documents.select_related("participant"),
        )
        error = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                moved = services.milestone_record(
                    placement=placement,
                    step=data["step"],
                    achieved_on=data["achieved_on"],
                    evidence=data["evidence"],
                    reference=data["reference"],
                    actor=request.user,
                )
            except services.PlacementError as failure:
                error = str(failure)
            else:
                self._report_milestone(request, placement, data["step"], moved)
                return redirect(self._change_url(placement))
        return self._page(
            request,
            placement,
            gettext("Record a milestone: %(placement)s") % {"placement": placement},
            "admin/placements/placement/milestone.html",
            form=form,
            error=error,
            change_url=self._change_url(placement),
        )

    def _report_milestone(self, request, placement, step, moved):
        placement.refresh_from_db()
        recorded = gettext("Milestone %(step)s recorded.") % {"step": Phase(step).label}
        if moved:
            self.message_user(
                request,
                gettext("%(recorded)s The placement advanced through: %(phases)s.")
                % {"recorded": recorded, "phases": phase_labels(moved)},
                messages.SUCCESS,
            )
            return
        self.message_user(
            request,
            gettext("%(recorded)s The placement stays in %(phase)s.")
            % {"recorded": recorded, "phase": placement.get_phase_display()},
            messages.SUCCESS,
        )
        following = [
            p for p in placement.allowed_next() if p in MILESTONE_STEPS and p != Phase.WITHDRAWN
        ]
        for to_phase in following:
            refusals = services.placement_refusals(placement=placement, to_phase=to_phase)
            if refusals:
                self.message_user(
                    request,
                    gettext("Not yet %(phase)s: %(reasons)s")
                    % {
                        "phase": Phase(to_phase).label,
                        "reasons": "; ".join(str(r.message) for r in refusals),
                    },
                    messages.WARNING,
                )

    def phases_view(self, request, object_id):
        """Every phase change: from, to, date, by whom, why, and any guard overridden."""
        placement = self._placement(request, object_id, change=False)
        if placement is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        changes = placement.phase_changes.select_related("changed_by").order_by("changed_at", "pk")
        return self._page(
            request,
            placement,
            gettext("Phase history: %(placement)s") % {"placement": placement},
            "admin/placements/placement/phases.html",
            changes=changes,
            change_url=self._change_url(placement),
        )


def phase_labels(phases):
    return ", ".join(str(Phase(p).label) for p in phases)


@admin.register(PhaseChange)
class PhaseChangeAdmin(
    ParticipantColumnsMixin, PlacementScopedMixin, NoAddOrDeleteMixin, admin.ModelAdmin
):
    """Read-only: phase changes are written by the services."""

    participant_path = "placement__participant"
    list_display = (
        "participant_name",
        "participant_nik_masked",
        "from_phase",
        "to_phase",
        "on",
        "changed_by",
        "was_overridden",
        "reason",
    )
    list_filter = ("to_phase", "from_phase")
    search_fields = ("placement__participant__full_name",)
    list_select_related = ("placement__participant", "changed_by")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("guards overridden"), boolean=True)
    def was_overridden(self, obj):
        return bool(obj.overridden)


# --- Check-ins --------------------------------------------------------------------------------


@admin.register(CheckIn)
class CheckInAdmin(
    ParticipantColumnsMixin, RestrictedFieldsMixin, ServiceAddMixin, admin.ModelAdmin
):
    """New check-ins go through `checkin_record` (only while the worker is abroad)."""

    participant_path = "placement__participant"
    list_display = (
        "participant_name",
        "participant_nik_masked",
        "country",
        "on",
        "channel",
        "wellbeing",
        "escalated_to_embassy",
        "recorded_by",
    )
    list_filter = ("wellbeing", "channel", "escalated_to_embassy", "placement__country")
    search_fields = ("placement__participant__full_name",)
    list_select_related = ("placement__participant", "placement__country", "recorded_by")
    autocomplete_fields = ("placement",)
    fields = (
        "placement",
        "on",
        "channel",
        "wellbeing",
        "issues",
        "escalated_to_embassy",
        "escalation_note",
    )
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "placement"] if obj is not None else readonly

    @admin.display(description=_("destination"), ordering="placement__country")
    def country(self, obj):
        return obj.placement.country

    def has_delete_permission(self, request, obj=None):
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit_shown(request, obj.placement.participant, [obj])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        checkin = services.checkin_record(
            placement=data["placement"],
            on=data["on"],
            channel=data["channel"],
            wellbeing=data["wellbeing"],
            issues=data.get("issues", ""),
            escalated_to_embassy=data.get("escalated_to_embassy", False),
            escalation_note=data.get("escalation_note", ""),
            actor=request.user,
        )
        copy_saved(obj, checkin)
