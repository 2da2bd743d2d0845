"""Cases and referrals (ministry staff with placements.view_case only)."""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from participants.admin import (
    ReadOnlyInline,
    RestrictedFieldsMixin,
    may_see_restricted,
)
from portal.core.paginator import EstimatedCountPaginator

from .. import services
from ..models import (
    Case,
    CaseUpdate,
    Referral,
    Service,
    ServiceDelivery,
)
from .common import (
    CaseAccessMixin,
    ParticipantColumnsMixin,
    ServiceAddMixin,
    apply_each,
    audit_shown,
    copy_saved,
)

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
