"""Admin for organisations and their staff; the user admin gains each user's organisation."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.accounts.admin import UserAdmin as AccountsUserAdmin
from portal.accounts.models import User

from .models import Membership, Organisation


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
