"""API tokens in the admin: ministry admins issue, rotate and revoke them (through the services);
the secret is shown once, in the confirmation message."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ApiRequestLog, ApiToken, Deletion
from .services import token_issue, token_revoke, token_rotate


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "scope", "programmes", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise ValidationError(_("The expiry must be in the future."))
        return expires_at


def _show_secret(modeladmin, request, token, secret):
    modeladmin.message_user(
        request,
        _(
            "Token %(prefix)s… for %(organisation)s: %(secret)s — copy it now, it is not shown "
            "again."
        )
        % {"prefix": token.prefix, "organisation": token.organisation, "secret": secret},
        messages.WARNING,
    )


class MinistryAdminOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_ministry_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(MinistryAdminOnly, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "prefix",
        "name",
        "organisation",
        "scope",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "prefix", "organisation__name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["programmes"]
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "organisation",
            "name",
            "scope",
            "programmes",
            "expires_at",
            "prefix",
            "created_by",
            "service_user",
            "created_at",
            "revoked_at",
            "last_used_at",
            "replaced_by",
        ]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or ApiTokenForm.Meta.fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        token, secret = token_issue(
            organisation=data["organisation"],
            name=data["name"],
            scope=data["scope"],
            expires_at=data["expires_at"],
            programmes=data["programmes"],
            actor=request.user,
        )
        # The admin goes on with `obj` (its "saved" message and redirect): make it the new row.
        obj.pk = token.pk
        obj.prefix = token.prefix
        obj._state.adding = False
        _show_secret(self, request, token, secret)

    def save_related(self, request, form, formsets, change):
        """Programmes were set by `token_issue`."""

    @admin.action(description=_("Rotate: issue a new secret and revoke the old one"))
    def rotate(self, request, queryset):
        for token in queryset.select_related("organisation"):
            try:
                new, secret = token_rotate(token=token, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{token}: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            _show_secret(self, request, new, secret)

    @admin.action(description=_("Revoke"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, actor=request.user)
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": queryset.count()})


@admin.register(ApiRequestLog)
class ApiRequestLogAdmin(MinistryAdminOnly, admin.ModelAdmin):
    list_display = ["at", "token", "method", "path", "endpoint", "status"]
    list_filter = ["status", "method"]
    list_select_related = ["token__organisation"]
    search_fields = ["path", "token__prefix", "token__name"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Deletion)
class DeletionAdmin(MinistryAdminOnly, admin.ModelAdmin):
    """Tombstones, read-only: they are written when a listed row is deleted."""

    list_display = ["deleted_at", "endpoint", "object_id", "participant_id", "province_code"]
    list_filter = ["endpoint"]
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
