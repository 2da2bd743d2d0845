"""The registry in the ministry admin: participants, their review queues and consents.

Every list starts from `visible_to(request.user)`, so an officer limited to provinces sees only
their participants. Restricted fields (each model's `RESTRICTED_FIELDS`) are left out of the
forms of users without `participants.view_restricted` and replaced by a line saying whether a
value is recorded; users with the permission see them, and each such page view is audited.
State changes go through `participants.services`.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.audit.masking import RESTRICTED_MASK, mask_nik
from portal.audit.services import entries_for, readers_of
from portal.core.paginator import EstimatedCountPaginator

from . import normalise, services
from .models import (
    CATEGORY_FIELDS,
    Category,
    Consent,
    DataWarning,
    DecileRecord,
    FormerPrisonerProfile,
    Participant,
    PendingChange,
    PersonalDocument,
    ReturningWorkerProfile,
    ReviewState,
    StudentProfile,
)

VIEW_RESTRICTED = "participants.view_restricted"
VIEW_NIK = "participants.view_nik"
NIK_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]")


def may_see_restricted(request):
    return request.user.has_perm(VIEW_RESTRICTED)


def has_value(value):
    """Whether a restricted value is recorded; a boolean always is (saying which would tell)."""
    return isinstance(value, bool) or value not in (None, "")


def presence_display(field):
    """A read-only admin column saying only whether `field` holds a value."""

    def display(obj):
        value = getattr(obj, field.attname, None) if obj is not None else None
        return _("recorded") if has_value(value) else _("not recorded")

    display.short_description = field.verbose_name
    return display


def presence_name(name):
    return f"{name}__presence"


class RestrictedFieldsMixin:
    """For admins and inlines of a model with `RESTRICTED_FIELDS`.

    Users without the permission get the fields excluded from the form (so a posted value is
    ignored) and a read-only "recorded" / "not recorded" line in their place.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.restricted_fields:
            setattr(self, presence_name(name), presence_display(self.model._meta.get_field(name)))

    @property
    def restricted_fields(self):
        return tuple(getattr(self.model, "RESTRICTED_FIELDS", ()))

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if not may_see_restricted(request):
            exclude += [name for name in self.restricted_fields if name not in exclude]
        return exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_see_restricted(request):
            readonly += [presence_name(name) for name in self.restricted_fields]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_see_restricted(request) or not self.restricted_fields:
            return fieldsets
        hidden = set(self.restricted_fields)
        return [
            (
                title,
                {
                    **options,
                    "fields": [
                        presence_name(name) if name in hidden else name
                        for name in options["fields"]
                        if presence_name(name) not in options["fields"]
                    ],
                },
            )
            for title, options in fieldsets
        ]


class ScopedAdminMixin:
    """Rows of participants the user may see, and nothing else."""

    participant_path = "participant"

    def get_queryset(self, request):
        visible = Participant.objects.visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.participant_path}__in": visible})


def report_failures(modeladmin, request, done, failures, verb):
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d item %(verb)s.", "%(count)d items %(verb)s.", done)
            % {"count": done, "verb": verb},
            messages.SUCCESS,
        )
    for obj, error in failures:
        modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)


# --- Filters --------------------------------------------------------------------------------


class CategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return Category.choices

    def queryset(self, request, queryset):
        if self.value() in CATEGORY_FIELDS:
            return queryset.in_category(self.value())
        return queryset


class DecileFilter(admin.SimpleListFilter):
    """The current decile of the participant's family card (the newest DecileRecord)."""

    title = _("decile")
    parameter_name = "decile"

    def lookups(self, request, model_admin):
        return [(str(n), str(n)) for n in range(1, 11)] + [("unknown", _("Unknown"))]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        current = DecileRecord.objects.current().filter(decile__isnull=False)
        if value == "unknown":
            return queryset.exclude(kk_number__in=current.values("kk_number"))
        if value.isdigit():
            return queryset.filter(
                kk_number__in=current.filter(decile=int(value)).values("kk_number")
            )
        return queryset


class OpenWarningsFilter(admin.SimpleListFilter):
    title = _("open warnings")
    parameter_name = "open_warnings"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        has_open = Exists(DataWarning.objects.open().filter(participant=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has_open)
        if self.value() == "no":
            return queryset.filter(~has_open)
        return queryset


class DefaultStateFilter(admin.SimpleListFilter):
    """A state filter that shows the open (to-do) rows unless asked for another state or all."""

    parameter_name = "state"
    default = None
    states = ()

    def lookups(self, request, model_admin):
        return [*self.states, ("all", _("All"))]

    def current(self):
        return self.value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.current() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.current()
        if value == "all" or value not in {str(state) for state, _label in self.states}:
            return queryset
        return queryset.filter(state=value)


class WarningStateFilter(DefaultStateFilter):
    title = _("review state")
    default = ReviewState.OPEN
    states = ReviewState.choices


class PendingChangeStateFilter(DefaultStateFilter):
    title = _("state")
    default = PendingChange.State.PENDING
    states = PendingChange.State.choices


# --- Participant and its inlines -------------------------------------------------------------


class FormerPrisonerProfileInline(RestrictedFieldsMixin, admin.StackedInline):
    model = FormerPrisonerProfile
    max_num = 1
    can_delete = False
    autocomplete_fields = ["facility"]


class StudentProfileInline(RestrictedFieldsMixin, admin.StackedInline):
    model = StudentProfile
    max_num = 1
    can_delete = False
    autocomplete_fields = ["school"]


class ReturningWorkerProfileInline(RestrictedFieldsMixin, admin.StackedInline):
    model = ReturningWorkerProfile
    max_num = 1
    can_delete = False
    autocomplete_fields = ["last_destination"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentInline(ReadOnlyInline):
    """Metadata only; files are added with `document_add` and fetched through the download view.

    Inline instances are made per request, so remembering the request's permission is safe.
    """

    model = PersonalDocument
    fields = ["kind", "number_shown", "issued_on", "expires_on", "file_link", "uploaded_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        self.show_restricted = may_see_restricted(request)
        return super().get_queryset(request).select_related("uploaded_by")

    def _hidden(self, document):
        return document.is_restricted and not getattr(self, "show_restricted", False)

    @admin.display(description=_("number"))
    def number_shown(self, document):
        if self._hidden(document):
            return _("recorded") if document.number else _("not recorded")
        return document.number

    @admin.display(description=_("file"))
    def file_link(self, document):
        if not document.file:
            return _("not recorded")
        if self._hidden(document):
            return _("recorded")
        url = reverse("participants:document_download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name or _("download"))


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ["purpose", "given_by", "guardian_name", "given_at", "withdrawn_at", "recorded_by"]
    readonly_fields = fields


class WarningInline(ReadOnlyInline):
    model = DataWarning
    fields = ["code", "field", "detail", "source", "state", "created_at", "reviewed_by"]
    readonly_fields = fields


class PendingChangeInline(ReadOnlyInline):
    model = PendingChange
    fields = ["field", "current_shown", "proposed_shown", "source", "state", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        self.show_restricted = may_see_restricted(request)
        return super().get_queryset(request)

    def _value(self, change, value):
        restricted = change.field in Participant.RESTRICTED_FIELDS
        if restricted and not getattr(self, "show_restricted", False):
            return RESTRICTED_MASK if value else ""
        return value

    @admin.display(description=_("current value"))
    def current_shown(self, change):
        return self._value(change, change.current_value)

    @admin.display(description=_("proposed value"))
    def proposed_shown(self, change):
        return self._value(change, change.proposed_value)


class ParticipantForm(forms.ModelForm):
    # Wide enough for a NIK typed with separators; clean_nik leaves the 16 digits.
    nik = forms.CharField(label=_("NIK"), max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the NIK is kept for life: read-only on the change page
            self.fields.pop("nik", None)

    def clean_nik(self):
        result = normalise.normalise_nik(self.cleaned_data["nik"], as_of=timezone.localdate())
        if result.nik is None:
            raise ValidationError([str(m) for m in result.messages if m.level == "error"])
        return result.nik


@admin.register(Participant)
class ParticipantAdmin(RestrictedFieldsMixin, admin.ModelAdmin):
    form = ParticipantForm
    change_form_template = "admin/participants/participant/change_form.html"
    list_display = [
        "full_name",
        "nik_masked",
        "categories_shown",
        "regency",
        "province",
        "status",
        "officer",
        "has_open_warnings",
    ]
    list_filter = [
        CategoryFilter,
        "province",
        "status",
        DecileFilter,
        OpenWarningsFilter,
    ]
    list_select_related = ["regency", "province", "officer"]
    search_fields = ["full_name"]
    search_help_text = _("A NIK (spaces, dots and dashes allowed) or part of a name.")
    autocomplete_fields = ["regency", "province"]
    # National scale (issue 13): no full COUNT(*), an estimated count past 10,000 rows, and 50
    # rows a page (rendering the rows is most of the page's time; benchmarks/admin_changelist.py).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["nik", "full_name", "sex", "birth_date", "birth_place", "status"]}),
        (
            _("Programmes"),
            {
                "fields": [
                    "is_former_prisoner",
                    "is_sr_student",
                    "is_returning_worker",
                    "officer",
                    "siskop2mi_id",
                ]
            },
        ),
        (
            _("Contact and domicile"),
            {
                "fields": [
                    "phone",
                    "phone_is_guardian",
                    "second_phone",
                    "email",
                    "address",
                    "regency",
                    "province",
                    "kk_number",
                    "education_level",
                ]
            },
        ),
        (_("Restricted"), {"fields": ["restricted_notes"]}),
        (_("Record"), {"fields": ["user", "created_at", "updated_at"]}),
    ]
    raw_id_fields = ["user"]
    actions = ["invite_to_portal"]
    inlines = [
        FormerPrisonerProfileInline,
        StudentProfileInline,
        ReturningWorkerProfileInline,
        DocumentInline,
        ConsentInline,
        WarningInline,
        PendingChangeInline,
    ]

    # -- invitations (issue 9) --

    @admin.action(
        description=_("Invite to the portal (login, link to copy, QR code, print)"),
        permissions=["change"],
    )
    def invite_to_portal(self, request, queryset):
        """Create each participant's login if missing, then show their one-time links on the
        user admin's link page (copy, QR code, print, send by email or SMS)."""
        from django.contrib.auth import get_user_model

        from portal.accounts.services import LinkError

        user_admin = self.admin_site._registry[get_user_model()]
        entries = []
        for participant in queryset:
            try:
                _user, link, url = services.participant_account_invite(
                    participant=participant, actor=request.user
                )
            except LinkError as error:
                self.message_user(request, f"{participant}: {error}", messages.ERROR)
            else:
                entries.append(user_admin._entry(link, url))
        if entries:
            return user_admin._render_links(request, entries)
        return None

    # -- lists --

    def get_queryset(self, request):
        open_warnings = DataWarning.objects.open().filter(participant=OuterRef("pk"))
        return (
            Participant.objects.visible_to(request.user)
            .annotate(open_warnings=Exists(open_warnings))
            .select_related(*self.list_select_related)
        )

    def get_search_results(self, request, queryset, search_term):
        """A NIK, with or without separators, is an exact (indexed) match; else a name part."""
        nik = normalise.normalise_nik(search_term, as_of=timezone.localdate()).nik
        digits = nik or NIK_SEPARATORS.sub("", search_term)
        if len(digits) == 16 and digits.isascii() and digits.isdigit():
            return queryset.filter(nik=digits), False
        return super().get_search_results(request, queryset, search_term)

    def get_list_display(self, request):
        if request.user.has_perm(VIEW_NIK):
            return ["nik" if name == "nik_masked" else name for name in self.list_display]
        return list(self.list_display)

    @admin.display(description=_("NIK"), ordering="nik")
    def nik_masked(self, obj):
        return mask_nik(obj.nik)

    @admin.display(description=_("categories"))
    def categories_shown(self, obj):
        return obj.get_categories_display()

    @admin.display(description=_("open warnings"), boolean=True, ordering="open_warnings")
    def has_open_warnings(self, obj):
        return obj.open_warnings

    # -- forms --

    def get_readonly_fields(self, request, obj=None):
        readonly = ["created_at", "updated_at", *super().get_readonly_fields(request, obj)]
        if obj is not None:
            readonly.append(self._nik_field(request))
        return readonly

    def _nik_field(self, request):
        return "nik" if request.user.has_perm(VIEW_NIK) else "nik_masked"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            (
                title,
                {
                    **options,
                    "fields": [
                        self._nik_field(request) if name == "nik" else name
                        for name in options["fields"]
                    ],
                },
            )
            for title, options in fieldsets
        ]

    def get_exclude(self, request, obj=None):
        exclude = super().get_exclude(request, obj)
        return [*exclude, "nik"] if obj is not None else exclude

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and may_see_restricted(request):
            services.restricted_values_shown(
                user=request.user, participant=obj, fields=restricted_values_of(obj)
            )
        context.update(
            history_url=reverse("admin:participants_participant_history", args=[obj.pk])
            if obj
            else None,
            readers_url=reverse("admin:participants_participant_readers", args=[obj.pk])
            if obj
            else None,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Through the services, so that warnings are refreshed and the NIK rules hold."""
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_FIELDS
        }
        if change:
            saved = services.participant_update(participant=obj, data=data, actor=request.user)
        else:
            data.pop("full_name", None)
            saved = services.participant_create(
                nik=form.cleaned_data["nik"],
                full_name=form.cleaned_data["full_name"],
                actor=request.user,
                **data,
            )
        for field in Participant._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    # -- history and readers --

    def get_urls(self):
        return [
            path(
                "<path:object_id>/readers/",
                self.admin_site.admin_view(self.readers_view),
                name="participants_participant_readers",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        """The django-auditlog entries (changes, reads, downloads) of the participant."""
        return self._entries_page(
            request, object_id, entries_for, _("History"), "admin/participants/entries.html"
        )

    def readers_view(self, request, object_id):
        """Who looked at this record: reads of restricted data and file downloads."""
        return self._entries_page(
            request,
            object_id,
            readers_of,
            _("Who looked at this record"),
            "admin/participants/entries.html",
        )

    def _entries_page(self, request, object_id, entries, title, template):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "entries": entries(obj)[:500],
            "show_changes": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)


def restricted_values_of(participant):
    """Names of the restricted fields of `participant` (and its profiles) holding a value."""
    shown = [name for name in Participant.RESTRICTED_FIELDS if getattr(participant, name)]
    for relation in ("former_prisoner_profile", "returning_worker_profile"):
        profile = getattr(participant, relation, None)
        if profile is None:
            continue
        for name in profile.RESTRICTED_FIELDS:
            value = getattr(profile, profile._meta.get_field(name).attname)
            if has_value(value) and value is not False:
                shown.append(f"{relation}.{name}")
    kinds = participant.documents.filter(kind__in=PersonalDocument.RESTRICTED_KINDS)
    shown += [f"documents.{kind}" for kind in sorted(set(kinds.values_list("kind", flat=True)))]
    return shown


# --- Review queues ---------------------------------------------------------------------------


class ReviewQueueAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def _run(self, request, queryset, call, verb):
        done, failures = 0, []
        for obj in queryset:
            try:
                call(obj)
            except services.RegistryError as error:
                failures.append((obj, error))
            else:
                done += 1
        report_failures(self, request, done, failures, verb)


@admin.register(DataWarning)
class DataWarningAdmin(ReviewQueueAdmin):
    list_display = ["participant", "code", "field", "detail", "state", "created_at", "reviewed_by"]
    list_filter = [WarningStateFilter, "code"]
    list_select_related = ["participant", "reviewed_by"]
    search_fields = ["participant__full_name", "=participant__nik", "code"]
    actions = ["confirm", "mark_fixed", "dismiss"]

    def _review(self, request, queryset, state, verb):
        self._run(
            request,
            queryset,
            lambda w: services.warning_review(warning=w, state=state, actor=request.user),
            verb,
        )

    @admin.action(description=_("Confirm as correct"), permissions=["change"])
    def confirm(self, request, queryset):
        self._review(request, queryset, ReviewState.CONFIRMED, _("confirmed"))

    @admin.action(description=_("Mark fixed"), permissions=["change"])
    def mark_fixed(self, request, queryset):
        self._review(request, queryset, ReviewState.FIXED, _("marked fixed"))

    @admin.action(description=_("Dismiss"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._review(request, queryset, ReviewState.DISMISSED, _("dismissed"))


@admin.register(PendingChange)
class PendingChangeAdmin(ReviewQueueAdmin):
    list_display = [
        "participant",
        "field",
        "current_shown",
        "proposed_shown",
        "source",
        "state",
        "created_at",
    ]
    list_filter = [PendingChangeStateFilter, "field"]
    list_select_related = ["participant"]
    search_fields = ["participant__full_name", "=participant__nik", "field"]
    actions = ["accept", "reject"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        masked = {"current_value": "current_shown", "proposed_value": "proposed_shown"}
        return [masked.get(name, name) for name in fields]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    @admin.display(description=_("current value"))
    def current_shown(self, change):
        return RESTRICTED_MASK if self._restricted(change) else change.current_value

    @admin.display(description=_("proposed value"))
    def proposed_shown(self, change):
        return RESTRICTED_MASK if self._restricted(change) else change.proposed_value

    def _restricted(self, change):
        # Restricted values stay off this list for everyone; they are seen on the participant.
        return change.field in Participant.RESTRICTED_FIELDS

    @admin.action(description=_("Accept (apply the proposed value)"), permissions=["change"])
    def accept(self, request, queryset):
        self._run(
            request,
            queryset.select_related(None),
            lambda c: services.pending_change_decide(change=c, accept=True, actor=request.user),
            _("accepted"),
        )

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda c: services.pending_change_decide(change=c, accept=False, actor=request.user),
            _("rejected"),
        )


# --- Consents and documents ------------------------------------------------------------------


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["participant", "purpose", "given_by", "guardian_name"]

    def clean(self):
        data = super().clean()
        participant = data.get("participant")
        guardian = data.get("given_by") == Consent.GivenBy.GUARDIAN and data.get("guardian_name")
        if participant and participant.is_minor() and not guardian:
            raise ValidationError(_("A minor's consent must be given by a named guardian."))
        return data


@admin.register(Consent)
class ConsentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ConsentForm
    list_display = ["participant", "purpose", "given_by", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "given_by", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["participant"]
    search_fields = ["participant__full_name", "=participant__nik"]
    autocomplete_fields = ["participant"]
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["participant", "purpose", "given_by", "guardian_name", "given_at", "withdrawn_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["participant", "purpose", "given_by", "guardian_name"]
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        consent = services.consent_give(
            participant=obj.participant,
            purpose=obj.purpose,
            given_by=obj.given_by,
            guardian_name=obj.guardian_name,
            actor=request.user,
        )
        obj.pk = consent.pk
        obj.given_at = consent.given_at
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except services.RegistryError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Withdraw"), permissions=["change"])
    def withdraw(self, request, queryset):
        done, failures = 0, []
        for consent in queryset:
            try:
                services.consent_withdraw(consent=consent, actor=request.user)
            except services.RegistryError as error:
                failures.append((consent, error))
            else:
                done += 1
        report_failures(self, request, done, failures, _("withdrawn"))


class DocumentForm(forms.ModelForm):
    """Metadata and, when adding, the file; the checks here only word the service's rules."""

    upload = forms.FileField(label=_("file"), required=False)

    class Meta:
        model = PersonalDocument
        fields = ["participant", "kind", "number", "issued_on", "expires_on"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return upload
        limit = services.max_document_bytes()
        if upload.size > limit:
            raise ValidationError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}
            )
        head = upload.read(16)
        upload.seek(0)
        if services.sniff_file_type(head) is None:
            raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."))
        return upload


@admin.register(PersonalDocument)
class PersonalDocumentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Documents of visible participants; restricted kinds only for users with the permission.

    Files are added through `document_add` and fetched through the download view.
    """

    form = DocumentForm
    list_display = ["participant", "kind", "number", "issued_on", "expires_on", "file_link"]
    list_filter = ["kind", ("expires_on", admin.EmptyFieldListFilter)]
    list_select_related = ["participant"]
    search_fields = ["participant__full_name", "=participant__nik", "number"]
    autocomplete_fields = ["participant"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not may_see_restricted(request):
            queryset = queryset.exclude(kind__in=PersonalDocument.RESTRICTED_KINDS)
        return queryset

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["participant", "kind", "number", "issued_on", "expires_on", "upload"]
        return [
            "participant",
            "kind",
            "number",
            "issued_on",
            "expires_on",
            "file_link",
            "content_type",
            "size",
            "uploaded_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "participant",
            "kind",
            "file_link",
            "content_type",
            "size",
            "uploaded_by",
            "created_at",
        ]

    @admin.display(description=_("file"))
    def file_link(self, document):
        if not document.file:
            return _("not recorded")
        url = reverse("participants:document_download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name or _("download"))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.is_restricted:
            services.restricted_values_shown(
                user=request.user, participant=obj.participant, fields=[f"documents.{obj.kind}"]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["number", "issued_on", "expires_on", "updated_at"])
            return
        document = services.document_add(
            participant=obj.participant,
            kind=obj.kind,
            actor=request.user,
            file=form.cleaned_data.get("upload"),
            number=obj.number,
            issued_on=obj.issued_on,
            expires_on=obj.expires_on,
        )
        for field in PersonalDocument._meta.concrete_fields:
            setattr(obj, field.attname, getattr(document, field.attname))
        obj._state.adding = False
