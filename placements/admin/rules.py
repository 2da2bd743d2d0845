"""The rules ministry staff edit: destination rules and the document checklist."""

from django.contrib import admin

from ..models import (
    ChecklistItem,
    DestinationRule,
)

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
