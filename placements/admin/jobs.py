"""Job orders and the matching page."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participants.admin import (
    VIEW_NIK,
)
from portal.audit.masking import mask_nik
from portal.regions.models import Province

from .. import selectors, services
from ..models import (
    JobOrder,
)
from .common import (
    MATCHING_PAGE_SIZE,
    ServiceAddMixin,
    copy_saved,
)

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
