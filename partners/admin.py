"""Admin for organisations and their staff, agreements, scope items, commitments and
programmes; the user admin gains each user's organisation."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.admin import UserAdmin as AccountsUserAdmin
from portal.accounts.models import User

from .models import (
    Agreement,
    AgreementParty,
    Commitment,
    Membership,
    Organisation,
    Programme,
    ScopeItem,
)


class MembershipInline(admin.TabularInline):
    """The organisation a partner staff user belongs to (at most one)."""

    model = Membership
    autocomplete_fields = ("organisation",)
    max_num = 1
    extra = 0


class OrganisationMemberInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name_plural = _("staff")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AccountsUserAdmin):
    """The accounts user admin, with the user's organisation in the list and on the page."""

    inlines = [MembershipInline]
    list_display = (*AccountsUserAdmin.list_display, "organisation")
    list_select_related = ("membership__organisation",)

    @admin.display(description=_("organisation"), ordering="membership__organisation__name")
    def organisation(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organisation if membership else ""


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "province")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    list_select_related = ("parent", "province")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent", "regency", "province", "country")
    inlines = [OrganisationMemberInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "is_lead")
    list_filter = ("is_lead", "organisation__kind")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "organisation__name",
    )
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("user", "organisation")


class AgreementStatusFilter(admin.SimpleListFilter):
    """The status derived from the dates, as a filter in SQL (see `Agreement.status_on`)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Agreement.Status.choices

    def queryset(self, request, queryset):
        today = timezone.localdate()
        terminated = Q(terminated_on__lte=today)
        if self.value() == Agreement.Status.TERMINATED:
            return queryset.filter(terminated)
        if self.value() == Agreement.Status.ACTIVE:
            return queryset.active(today)
        if self.value() == Agreement.Status.DRAFT:
            return queryset.exclude(terminated).filter(
                Q(signed_on__isnull=True) | Q(valid_from__gt=today)
            )
        if self.value() == Agreement.Status.EXPIRED:
            return queryset.exclude(terminated).filter(
                signed_on__isnull=False, valid_from__lte=today, valid_until__lt=today
            )
        return queryset


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    autocomplete_fields = ("organisation",)
    extra = 0


class CommitmentInline(admin.TabularInline):
    model = Commitment
    autocomplete_fields = ("organisation", "programme")
    fields = (
        "kind",
        "description",
        "organisation",
        "programme",
        "track_code",
        "target",
        "achieved",
    )
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "kind", "status", "signed_on", "valid_from", "valid_until")
    list_filter = ("kind", AgreementStatusFilter)
    search_fields = ("number", "title")
    date_hierarchy = "valid_from"
    filter_horizontal = ("scope_items",)
    readonly_fields = ("status", "updated_at")
    fields = (
        "kind",
        "number",
        "title",
        "status",
        "signed_on",
        "valid_from",
        "valid_until",
        "terminated_on",
        "scope_items",
        "document",
        "updated_at",
    )
    inlines = [AgreementPartyInline, CommitmentInline]

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.pk is None:
            return "-"
        return Agreement.Status(obj.status_on()).label


@admin.register(ScopeItem)
class ScopeItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "covers_data_exchange", "agreement_count")
    list_filter = ("covers_data_exchange",)
    search_fields = ("code", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agreement_count=Count("agreements"))

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "eligible_categories",
        "min_age",
        "max_age",
        "min_decile",
        "max_decile",
        "agreement_count",
    )
    search_fields = ("code", "name")
    list_filter = ("agreements__kind",)
    filter_horizontal = ("agreements",)
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "aliases")}),
        (
            _("Eligibility"),
            {
                "fields": (
                    "eligible_categories",
                    ("min_age", "max_age"),
                    ("min_decile", "max_decile"),
                )
            },
        ),
        (_("Agreements"), {"fields": ("agreements",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(agreement_count=Count("agreements", distinct=True))
        )

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("agreement", "kind", "organisation", "programme", "target", "achieved")
    list_filter = ("kind", "agreement__kind")
    search_fields = ("description", "track_code", "agreement__number", "agreement__title")
    list_select_related = ("agreement", "organisation", "programme")
    autocomplete_fields = ("agreement", "organisation", "programme")
