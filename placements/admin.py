"""Placements in the ministry admin: job orders and their matching, the rules ministry staff
edit, placements with their phases, check-ins, cases and referrals.

Every list starts from the model's `visible_to(request.user)` (or its placement's), so an
officer limited to provinces sees only their participants' rows; cases and referrals need
`placements.view_case`. State fields (phase, case and referral status, closing date) are
read-only: actions and the pages below change them through `placements.services` and report
each refusal. Restricted fields are handled as in the participants admin: hidden (with a
"recorded" line) from users without `participants.view_restricted`, audited when shown.
"""

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from participants import normalise
from participants.admin import (
    NIK_SEPARATORS,
    VIEW_NIK,
    ReadOnlyInline,
    RestrictedFieldsMixin,
    has_value,
    may_see_restricted,
)
from participants.models import PersonalDocument
from participants.services import restricted_values_shown
from portal.audit.masking import mask_nik
from portal.core.paginator import EstimatedCountPaginator
from portal.regions.models import Province
from training.admin import report

from . import selectors, services
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

VIEW_CASE = "placements.view_case"
MATCHING_PAGE_SIZE = 50


# --- Shared helpers ---------------------------------------------------------------------------


def apply_each(modeladmin, request, objects, action, done_message):
    """Call `action(obj)` for each object; report each PlacementError with the object's name,
    then a summary. `done_message(count)` words the summary (an `ngettext` with %(count)d)."""
    failures, done = [], 0
    for obj in objects:
        try:
            action(obj)
        except services.PlacementError as error:
            failures.append(f"{obj}: {error}")
        else:
            done += 1
    report(modeladmin, request, failures, done, done_message(done))


def audit_shown(request, participant, objects):
    """Record which restricted values of `objects` a user with the permission was shown (on the
    participant's audit trail, as the participants admin does)."""
    if not may_see_restricted(request):
        return
    fields = [
        f"{obj._meta.model_name}.{obj.pk}.{name}"
        for obj in objects
        for name in obj.RESTRICTED_FIELDS
        if has_value(getattr(obj, name))
    ]
    restricted_values_shown(user=request.user, participant=participant, fields=fields)


def copy_saved(obj, saved):
    """Make the admin's unsaved `obj` the row a service created (for the redirect after add)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceAddMixin:
    """A refusal of the service called by `save_model` on the add page becomes an error
    message, and the add page opens again."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except services.PlacementError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ParticipantColumnsMixin:
    """Participant name and NIK columns, and a search where a NIK is an exact match.

    The NIK is masked unless the user has `participants.view_nik`.
    """

    participant_path = "participant"

    def get_search_results(self, request, queryset, search_term):
        nik = normalise.normalise_nik(search_term, as_of=timezone.localdate()).nik
        digits = nik or NIK_SEPARATORS.sub("", search_term)
        if len(digits) == 16 and digits.isascii() and digits.isdigit():
            return queryset.filter(**{f"{self.participant_path}__nik": digits}), False
        return super().get_search_results(request, queryset, search_term)

    def get_list_display(self, request):
        shown = "participant_nik" if request.user.has_perm(VIEW_NIK) else "participant_nik_masked"
        return [shown if name == "participant_nik_masked" else name for name in self.list_display]

    def _participant(self, obj):
        for name in self.participant_path.split("__"):
            obj = getattr(obj, name)
        return obj

    @admin.display(description=_("participant"))
    def participant_name(self, obj):
        return self._participant(obj).full_name

    @admin.display(description=_("NIK"))
    def participant_nik(self, obj):
        return self._participant(obj).nik

    @admin.display(description=_("NIK"))
    def participant_nik_masked(self, obj):
        return mask_nik(self._participant(obj).nik)


class PlacementScopedMixin:
    """Rows of placements the user may see."""

    placement_path = "placement"

    def get_queryset(self, request):
        visible = Placement.objects.visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.placement_path}__in": visible})


class CaseAccessMixin:
    """Only for ministry staff who may see cases (`placements.view_case`)."""

    def _may_see_cases(self, request):
        return request.user.has_perm(VIEW_CASE)

    def has_module_permission(self, request):
        return self._may_see_cases(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_see_cases(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._may_see_cases(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_see_cases(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_see_cases(request) and super().has_delete_permission(request, obj)


class NoAddOrDeleteMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Rules ministry staff edit ------------------------------------------------------------------


@admin.register(DestinationRule)
class DestinationRuleAdmin(admin.ModelAdmin):
    list_display = (
        "country",
        "kind",
        "scheme",
        "sector",
        "limit_months",
        "valid_from",
        "valid_until",
        "basis",
    )
    list_filter = ("kind", "scheme", "sector")
    search_fields = ("country__name_en", "country__name_id", "=country__code", "basis")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = (
        "phase",
        "document_kind",
        "scheme",
        "country",
        "max_age_days",
        "min_validity_days",
        "active",
        "note",
    )
    list_filter = ("phase", "document_kind", "scheme", "active")
    search_fields = ("note", "country__name_en", "country__name_id")
    list_select_related = ("country",)
    autocomplete_fields = ("country",)


# --- Job orders and matching ------------------------------------------------------------------


@admin.register(JobOrder)
class JobOrderAdmin(ServiceAddMixin, admin.ModelAdmin):
    """New orders go through `job_order_create` (a sector closed in the destination is
    refused); the matching page lists who qualifies and why the others do not."""

    change_form_template = "admin/placements/joborder/change_form.html"
    list_display = (
        "reference",
        "title",
        "country",
        "scheme",
        "sector",
        "agency",
        "positions",
        "deadline",
        "status",
        "matching_link",
    )
    list_filter = ("status", "scheme", "sector", "country")
    search_fields = ("reference", "title", "employer", "occupation", "agency__name")
    list_select_related = ("country", "agency")
    autocomplete_fields = ("country", "agency")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("matching"))
    def matching_link(self, obj):
        url = reverse("admin:placements_joborder_matching", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Candidates"))

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        names = {field.name for field in JobOrder._meta.concrete_fields}
        fields = {name: value for name, value in form.cleaned_data.items() if name in names}
        copy_saved(obj, services.job_order_create(actor=request.user, **fields))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/matching/",
                self.admin_site.admin_view(self.matching_view),
                name="placements_joborder_matching",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["matching_url"] = reverse("admin:placements_joborder_matching", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def matching_view(self, request, object_id):
        """Candidates for the order, qualifying first, with the reasons of the others and the
        count per reason. Constant queries: the rules, the summary, the provinces, the count
        and the page."""
        job_order = self.get_object(request, object_id)
        if job_order is None or not self.has_view_permission(request, job_order):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        on = job_order.match_date
        queryset, rules = selectors.candidates(job_order=job_order, user=request.user, on=on)
        provinces = list(Province.objects.order_by("name").values_list("code", "name"))
        province = request.GET.get("province", "")
        if province in {code for code, _name in provinces}:
            queryset = queryset.filter(province_id=province)
        else:
            province = ""
        counts = selectors.summary(queryset, rules=rules)
        qualifies_only = request.GET.get("qualifies") == "1"
        if qualifies_only:
            queryset = queryset.filter(qualifies=True)
        page = Paginator(queryset.select_related("province"), MATCHING_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        show_nik = request.user.has_perm(VIEW_NIK)
        rows = [
            {
                "person": person,
                "nik": person.nik if show_nik else mask_nik(person.nik),
                "age": person.age(on),
                "reasons": selectors.reasons(person, job_order=job_order, on=on, rules=rules),
            }
            for person in page.object_list
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Matching: %(order)s") % {"order": job_order},
            "subtitle": None,
            "opts": self.opts,
            "original": job_order,
            "on": on,
            "rows": rows,
            "page": page,
            "summary": self._summary_rows(job_order, counts, rules),
            "total": counts["total"],
            "qualifying": counts["qualifies"],
            "provinces": provinces,
            "province": province,
            "qualifies_only": qualifies_only,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/placements/matching.html", context)

    def _summary_rows(self, job_order, counts, rules):
        """(requirement, people missing it) for each requirement the order sets."""
        labels = {}
        if job_order.required_track_kind:
            what = job_order.get_required_track_kind_display()
            if job_order.required_welding_standard:
                what = f"{what} ({job_order.get_required_welding_standard_display()})"
            labels["m_certificate"] = gettext("No valid %(certificate)s certificate") % {
                "certificate": what
            }
        if job_order.required_language:
            labels["m_language"] = gettext("No %(language)s result at level %(level)s or above") % {
                "language": job_order.get_required_language_display(),
                "level": job_order.required_language_level,
            }
        labels["m_age"] = gettext("Age outside the order's range or birth date unknown")
        labels["m_free"] = gettext("Under parole supervision on the match date")
        labels["m_available"] = gettext("Already in another placement")
        for rule in rules:
            labels[f"m_rule_{rule.pk}"] = rule.reason()
        return [(label, counts[name]) for name, label in labels.items() if name in counts]


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
        # The participant and the country name each placement (also in autocomplete lists).
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("participant", "country")
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


# --- Cases and referrals ----------------------------------------------------------------------


class CaseUpdateInline(RestrictedFieldsMixin, ReadOnlyInline):
    model = CaseUpdate
    fields = ("at", "from_status", "to_status", "note", "by")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("case log")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class ReferralInline(ReadOnlyInline):
    model = Referral
    fields = ("to_organisation", "services", "status", "referred_at", "answered_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("to_organisation")

    @admin.display(description=_("services asked"))
    def services(self, obj):
        return obj.get_services_requested_display()


class ServiceDeliveryInline(ReadOnlyInline):
    model = ServiceDelivery
    fields = ("kind", "delivered_on", "provider", "decile", "bansos_candidate", "description")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")


class CaseStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("move to"), choices=Case.Status.choices)
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when a case is closed or reopened."),
    )


class CaseAddForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ("participant", "placement", "type", "severity", "summary", "assigned_officer")


@admin.register(Case)
class CaseAdmin(ParticipantColumnsMixin, RestrictedFieldsMixin, ServiceAddMixin, admin.ModelAdmin):
    """Cases of troubled workers: opened through `case_open`, moved through `case_set_status`
    (the "Move status" action); the page shows the case log, referrals and services."""

    change_form_template = "admin/placements/case/change_form.html"
    list_display = (
        "number",
        "participant_name",
        "participant_nik_masked",
        "type",
        "severity",
        "status",
        "assigned_officer",
        "opened_on",
        "last_activity_at",
        "closed_on",
    )
    list_filter = ("status", "type", "severity", "participant__province")
    search_fields = ("participant__full_name",)
    list_select_related = ("participant", "assigned_officer")
    autocomplete_fields = ("participant", "placement", "assigned_officer")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [CaseUpdateInline, ReferralInline, ServiceDeliveryInline]
    actions = ["move_status"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("case"), ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CaseAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return CaseAddForm._meta.fields
        return super().get_fields(request, obj)

    def has_add_permission(self, request):
        # A case is opened with its summary, which is restricted.
        return may_see_restricted(request) and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        return [
            *readonly,
            "participant",
            "status",
            "closed_on",
            "opened_on",
            "last_activity_at",
            "created_at",
            "updated_at",
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        case = services.case_open(
            participant=data["participant"],
            placement=data.get("placement"),
            type=data["type"],
            severity=data["severity"],
            summary=data["summary"],
            assigned_officer=data.get("assigned_officer"),
            actor=request.user,
        )
        copy_saved(obj, case)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit_shown(request, obj.participant, [obj, *obj.updates.order_by()])
            context["refer_url"] = (
                reverse("admin:placements_referral_add") + f"?case={obj.pk}"
                if self.has_change_permission(request, obj)
                else None
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Move status of the selected cases"), permissions=["change"])
    def move_status(self, request, queryset):
        """An intermediate page asking for the new status and a note (closing and reopening
        need one); each case moves through `case_set_status`, each refusal is reported."""
        form = CaseStatusForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            apply_each(
                self,
                request,
                queryset.select_related("participant"),
                lambda case: services.case_set_status(
                    case=case, to_status=data["to_status"], note=data["note"], actor=request.user
                ),
                lambda n: ngettext("Moved %(count)d case.", "Moved %(count)d cases.", n),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Move status of the selected cases"),
            "subtitle": None,
            "cases": queryset.select_related("participant"),
            "form": form,
            "action": "move_status",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/placements/case/move_status.html", context)


class ReferralForm(forms.ModelForm):
    services_requested = forms.MultipleChoiceField(
        label=_("services asked"), choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Referral
        fields = ("case", "to_organisation", "reason", "services_requested")


@admin.register(Referral)
class ReferralAdmin(ParticipantColumnsMixin, CaseAccessMixin, ServiceAddMixin, admin.ModelAdmin):
    """Referrals are made through `referral_create` (the participant's standing referral
    consent is required); answers come from the receiving organisation."""

    participant_path = "case__participant"
    form = ReferralForm
    list_display = (
        "participant_name",
        "participant_nik_masked",
        "case_number",
        "to_organisation",
        "services",
        "status",
        "referred_by",
        "referred_at",
        "answered_at",
    )
    list_filter = ("status", "to_organisation__kind")
    search_fields = ("case__participant__full_name", "to_organisation__name")
    list_select_related = ("case__participant", "to_organisation", "referred_by")
    autocomplete_fields = ("case", "to_organisation")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm  # every field is read-only on the change page
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ReferralForm._meta.fields
        return (
            "case",
            "to_organisation",
            "reason",
            "services",
            "consent",
            "status",
            "answer",
            "services_given",
            "referred_by",
            "referred_at",
            "answered_by",
            "answered_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("case"), ordering="case")
    def case_number(self, obj):
        return f"#{obj.case_id}"

    @admin.display(description=_("services asked"))
    def services(self, obj):
        return obj.get_services_requested_display()

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        referral = services.referral_create(
            case=data["case"],
            to_organisation=data["to_organisation"],
            reason=data["reason"],
            services_requested=data["services_requested"],
            actor=request.user,
        )
        copy_saved(obj, referral)
