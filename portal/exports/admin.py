"""The export records in the ministry admin: read-only (each run is the record of a spreadsheet
handed out), filterable, and searchable by the NIK of a person to answer "which exports
included this person". Ministry admins see every export; other ministry staff their own and the
data-exchange log. `ExportedPerson` rows are reached only through that search."""

import re

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from participants.models import Participant

from .datasets import DATASETS
from .models import ExportedPerson, ExportRun

NIK_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]")


class ExchangeFilter(admin.SimpleListFilter):
    title = _("data exchange")
    parameter_name = "exchange"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(recipient__isnull=self.value() == "no")
        return queryset


@admin.register(ExportRun)
class ExportRunAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "user",
        "lists",
        "format",
        "row_count",
        "excluded_count",
        "pseudonymised",
        "nik_masked",
        "restricted_included",
        "recipient",
        "status",
    )
    list_filter = ("format", "status", ExchangeFilter, "pseudonymised")
    list_select_related = ("user", "recipient")
    list_per_page = 50
    # Searched by `get_search_results` (an exact NIK), never by these lookups.
    search_fields = ("people__participant__nik",)
    search_help_text = _("NIK of a person: the exports that included them.")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "created_at",
                    "finished_at",
                    "user",
                    "lists",
                    "format",
                    "filters_display",
                    "status",
                    "row_count",
                    "excluded_count",
                    "people_count",
                    "error",
                )
            },
        ),
        (
            _("Protection"),
            {"fields": ("pseudonymised", "nik_masked", "restricted_included", "subject")},
        ),
        (_("Data exchange"), {"fields": ("recipient", "agreement", "purpose")}),
        (_("File"), {"fields": ("sha256", "expires_at")}),
    )
    readonly_fields = (
        "created_at",
        "finished_at",
        "user",
        "lists",
        "format",
        "filters_display",
        "status",
        "row_count",
        "excluded_count",
        "people_count",
        "error",
        "pseudonymised",
        "nik_masked",
        "restricted_included",
        "subject",
        "recipient",
        "agreement",
        "purpose",
        "sha256",
        "expires_at",
    )

    def get_queryset(self, request):
        user = request.user
        runs = ExportRun.objects.visible_to(user) | ExportRun.objects.exchanges_visible_to(user)
        return runs.order_by(*(self.get_ordering(request) or ExportRun._meta.ordering))

    def get_search_results(self, request, queryset, search_term):
        """The exports that included the person with this NIK (exact, separators ignored),
        among the people the user may see; each export once."""
        nik = NIK_SEPARATORS.sub("", search_term)
        if not nik:
            return queryset, False
        people = Participant.objects.visible_to(request.user).filter(nik=nik)
        included = ExportedPerson.objects.filter(run=OuterRef("pk"), participant__in=people)
        return queryset.filter(Exists(included)), False

    def has_module_permission(self, request):
        user = request.user
        return user.is_active and user.is_ministry_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lists"))
    def lists(self, obj):
        return ", ".join(
            str(DATASETS[code].label) if code in DATASETS else code for code in obj.datasets
        )

    @admin.display(description=_("filters"))
    def filters_display(self, obj):
        if not obj.filters:
            return "–"
        return "; ".join(f"{code}: {value}" for code, value in sorted(obj.filters.items()))

    @admin.display(description=_("people in the export"))
    def people_count(self, obj):
        return obj.people.values("participant").distinct().count()
