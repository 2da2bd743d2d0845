"""The user admin: roles, provinces, and one-time links to copy, show as a QR code, print or send.

partners/admin.py registers a subclass with the user's organisation membership.
"""

import logging

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import services
from .forms import LinkSendForm, UserAddForm
from .models import Role, User
from .senders import Channel
from .twofactor import devices_reset

logger = logging.getLogger(__name__)

ROLE_LABELS = dict(Role.choices)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserAddForm
    add_form_template = "admin/change_form.html"
    change_form_template = "accounts/admin_user_change_form.html"
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "role", "first_name", "last_name", "email", "phone"),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "provinces")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups", "provinces")
    list_display = ("username", "full_name", "email", "phone", "roles", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    actions = ["send_invitation_link", "show_invitation_link", "reset_two_factor"]

    def get_queryset(self, request):
        """Superusers are managed by superusers only."""
        users = super().get_queryset(request).prefetch_related("groups")
        if not request.user.is_superuser:
            users = users.filter(is_superuser=False)
        return users

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            fields = (*fields, "is_superuser")
        return fields

    def get_inlines(self, request, obj):
        """No inlines on the add page: the user is made by `user_create`, then edited."""
        if obj is None or obj.pk is None:
            return []
        return super().get_inlines(request, obj)

    def save_form(self, request, form, change):
        """A new user is created by the `user_create` service, which gives them their role."""
        if change:
            return super().save_form(request, form, change)
        fields = {name: form.cleaned_data[name] for name in UserAddForm.Meta.fields}
        return services.user_create(role=form.cleaned_data["role"], **fields)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(str(ROLE_LABELS.get(g.name, g.name)) for g in obj.groups.all())

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/link/",
                self.admin_site.admin_view(self.link_view),
                name="{}_{}_link".format(*info),
            ),
            path(
                "send-link/",
                self.admin_site.admin_view(require_POST(self.link_send_view)),
                name="{}_{}_send_link".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Send invitation link"), permissions=["change"])
    def send_invitation_link(self, request, queryset):
        """Email each selected user a new link, or send it by SMS when they have no email."""
        sent = 0
        for user in queryset:
            try:
                services.link_issue_and_send(user=user, actor=request.user)
            except services.LinkError as error:
                self.message_user(request, str(error), messages.ERROR)
            except Exception as error:
                logger.exception("Sending a link to user %s failed", user.pk)
                self.message_user(
                    request,
                    gettext("Could not send the link to %(user)s: %(error)s")
                    % {"user": user, "error": error},
                    messages.ERROR,
                )
            else:
                sent += 1
        if sent:
            message = ngettext(
                "Sent a link to %(count)d user.", "Sent a link to %(count)d users.", sent
            )
            self.message_user(request, message % {"count": sent})

    @admin.action(description=_("Reset two-step verification"), permissions=["reset_2fa"])
    def reset_two_factor(self, request, queryset):
        """Recovery for a lost phone: the user sets up a new device at their next login."""
        users = [user for user in queryset if user.pk != request.user.pk]
        devices_reset(users=users, actor=request.user)
        message = ngettext(
            "Reset two-step verification of %(count)d user.",
            "Reset two-step verification of %(count)d users.",
            len(users),
        )
        self.message_user(request, message % {"count": len(users)})

    def has_reset_2fa_permission(self, request):
        """Only ministry admins reset another user's two-step verification."""
        return request.user.is_ministry_admin and self.has_change_permission(request)

    @admin.action(
        description=_("Create invitation link (copy, QR code, print)"), permissions=["change"]
    )
    def show_invitation_link(self, request, queryset):
        return self._issue_and_show(request, list(queryset))

    def link_view(self, request, object_id):
        """Confirm (GET), then create a link for one user and show it (POST)."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            return self._issue_and_show(request, [user])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": gettext("Link to set a password for %(user)s") % {"user": user},
            "purpose": services.link_purpose_for(user),
            "days": settings.ONE_TIME_LINK_DAYS,
        }
        return TemplateResponse(request, "accounts/admin_link_confirm.html", context)

    @staticmethod
    def _entry(link, url):
        qr = segno.make(url, error="m").svg_inline(
            scale=4, border=4, light="#fff", title=gettext("QR code of the link")
        )
        # segno's own SVG of a URL we built; its title is escaped by segno.
        return {"link": link, "user": link.user, "url": url, "qr": mark_safe(qr)}  # noqa: S308

    def _issue_and_show(self, request, users):
        entries = []
        for user in users:
            try:
                link, url = services.link_issue(
                    user=user, purpose=services.link_purpose_for(user), actor=request.user
                )
            except services.LinkError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                entries.append(self._entry(link, url))
        if not entries:
            return redirect(self._changelist_url())
        return self._render_links(request, entries)

    def _changelist_url(self):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_changelist".format(*info))

    def _render_links(self, request, entries):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Links to set a password"),
            "entries": entries,
            "days": settings.ONE_TIME_LINK_DAYS,
        }
        return TemplateResponse(request, "accounts/admin_link.html", context)

    def link_send_view(self, request):
        """Send a link just shown on the links page; the page posts its token back."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = LinkSendForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        token = form.cleaned_data["token"]
        try:
            link = services.link_find(token)
        except services.LinkInvalid as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(self._changelist_url())
        user = self.get_object(request, str(link.user_id))
        if user is None or not self.has_change_permission(request, user):
            raise PermissionDenied
        link.token = token
        url = services.link_url(token)
        channel = form.cleaned_data["channel"]
        try:
            services.link_send(
                link_url=url, user=user, channel=channel, purpose=link.purpose, actor=request.user
            )
        except services.LinkError as error:
            self.message_user(request, str(error), messages.ERROR)
        except Exception as error:
            logger.exception("Sending a link to user %s failed", user.pk)
            self.message_user(
                request,
                gettext("Could not send the link to %(user)s: %(error)s")
                % {"user": user, "error": error},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                gettext("Sent the link to %(user)s by %(channel)s.")
                % {"user": user, "channel": Channel(channel).label},
            )
        return self._render_links(request, [self._entry(link, url)])
