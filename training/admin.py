"""Admin for training delivery (ministry staff only: see portal.core.admin_site).

State fields (batch and enrolment status, attendance, pass flags, certificates) are read-only
here; admin actions change them through `training.services` and report each refusal.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from participants.models import Participant

from . import services
from .models import (
    AssessmentResult,
    Attendance,
    Batch,
    Certificate,
    Enrolment,
    Module,
    Session,
    Track,
    WelderQualification,
)


def report(modeladmin, request, failures, done, done_message):
    """One ERROR message per refusal, then a SUCCESS summary of what was done."""
    for failure in failures:
        modeladmin.message_user(request, failure, messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


def apply_each(modeladmin, request, objects, action, done_message):
    """Call `action(obj)` for each object; report each TrainingError refusal and a summary.

    `done_message(count)` returns the summary, e.g. an `ngettext` call with %(count)d.
    """
    failures, done = [], 0
    for obj in objects:
        try:
            action(obj)
        except services.TrainingError as error:
            failures.append(f"{obj}: {error}")
        else:
            done += 1
    report(modeladmin, request, failures, done, done_message(done))


def only_one(modeladmin, request, queryset, what):
    """The single selected object, or None after telling the user to select exactly one."""
    if queryset.count() != 1:
        modeladmin.message_user(
            request,
            gettext("Select exactly one %(what)s for this action.") % {"what": what},
            messages.ERROR,
        )
        return None
    return queryset.get()


def action_context(modeladmin, request, obj, action, title):
    return {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "original": obj,
        "action": action,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }


# Tracks and modules


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "language",
        "target_certification",
        "target_hours",
        "min_attendance_share",
        "min_score",
    )
    list_filter = ("kind", "language")
    search_fields = ("code", "name", "target_certification")
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "track", "order", "hours")
    list_filter = ("track__kind", "track")
    search_fields = ("title", "track__name", "track__code")
    list_select_related = ("track",)
    autocomplete_fields = ("track",)


# Batches and sessions


class SessionInline(admin.TabularInline):
    """Sessions of a batch; the read-only column shows the start in the venue's zone."""

    model = Session
    fields = ("starts_at", "ends_at", "local_start", "module", "topic")
    readonly_fields = ("local_start",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch", "module")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "module":
            kwargs["queryset"] = Module.objects.select_related("track")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("local start"))
    def local_start(self, obj):
        if obj.pk is None:
            return "-"
        return f"{obj.local_start:%Y-%m-%d %H:%M %Z} ({obj.batch.timezone})"


class NikListForm(forms.Form):
    niks = forms.CharField(
        label=_("NIKs"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 30}),
        help_text=_("One NIK per line; spaces, dots and dashes are ignored."),
    )


NIK_NOISE = re.compile(r"[\s.\-\u00a0]")


def mask_nik(nik):
    return f"…{nik[-4:]}" if len(nik) > 4 else nik


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "track",
        "programme",
        "provider",
        "venue",
        "starts_on",
        "ends_on",
        "capacity",
        "open_enrolments",
        "status",
    )
    list_filter = ("status", "track__kind", "programme", "timezone")
    search_fields = ("code", "name", "venue", "provider__name", "track__name")
    list_select_related = ("track", "programme", "provider")
    autocomplete_fields = ("track", "programme", "provider", "venue_regency")
    readonly_fields = ("status", "updated_at")
    date_hierarchy = "starts_on"
    inlines = [SessionInline]
    actions = ["enrol_participants", "mark_running", "mark_finished", "mark_cancelled"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_count=Count(
                    "enrolments",
                    filter=Q(enrolments__status__in=Enrolment.OPEN_STATUSES),
                    distinct=True,
                )
            )
        )

    @admin.display(description=_("enrolled"), ordering="open_count")
    def open_enrolments(self, obj):
        return obj.open_count

    @admin.action(description=_("Enrol participants in this batch"), permissions=["change"])
    def enrol_participants(self, request, queryset):
        """An intermediate page: paste NIKs, each is enrolled through `enrolment_create`."""
        batch = only_one(self, request, queryset, gettext("batch"))
        if batch is None:
            return None
        form = NikListForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._enrol(request, batch, form.cleaned_data["niks"])
            return None
        context = action_context(
            self,
            request,
            batch,
            "enrol_participants",
            gettext("Enrol participants in %(batch)s") % {"batch": batch},
        )
        context["form"] = form
        return TemplateResponse(request, "training/admin_enrol.html", context)

    def _enrol(self, request, batch, text):
        lines = [NIK_NOISE.sub("", line) for line in text.splitlines()]
        niks = [nik for nik in lines if nik]
        people = {
            p.nik: p for p in Participant.objects.visible_to(request.user).filter(nik__in=set(niks))
        }
        failures, done, seen = [], 0, set()
        for nik in niks:
            if nik in seen:
                failures.append(gettext("NIK %(nik)s is listed twice.") % {"nik": mask_nik(nik)})
                continue
            seen.add(nik)
            person = people.get(nik)
            if person is None:
                failures.append(gettext("Unknown NIK %(nik)s.") % {"nik": mask_nik(nik)})
                continue
            try:
                services.enrolment_create(participant=person, batch=batch, actor=request.user)
            except services.TrainingError as error:
                failures.append(f"{mask_nik(nik)}: {error}")
            else:
                done += 1
        report(
            self,
            request,
            failures,
            done,
            ngettext("Enrolled %(count)d participant.", "Enrolled %(count)d participants.", done),
        )

    def _set_status(self, request, queryset, status):
        apply_each(
            self,
            request,
            queryset,
            lambda batch: services.batch_set_status(batch=batch, status=status, actor=request.user),
            lambda n: ngettext("Changed %(count)d batch.", "Changed %(count)d batches.", n),
        )

    @admin.action(description=_("Mark as running"), permissions=["change"])
    def mark_running(self, request, queryset):
        self._set_status(request, queryset, Batch.Status.RUNNING)

    @admin.action(description=_("Mark as finished"), permissions=["change"])
    def mark_finished(self, request, queryset):
        self._set_status(request, queryset, Batch.Status.FINISHED)

    @admin.action(description=_("Mark as cancelled"), permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._set_status(request, queryset, Batch.Status.CANCELLED)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("batch", "local_start", "starts_at", "ends_at", "module", "topic", "recorded")
    list_filter = ("batch__track__kind", "batch__status", "batch")
    search_fields = ("topic", "batch__code", "batch__name", "module__title")
    list_select_related = ("batch", "module__track")
    autocomplete_fields = ("batch", "module")
    date_hierarchy = "starts_at"
    readonly_fields = ("local_start", "updated_at")
    actions = ["record_attendance"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(recorded_count=Count("attendances"))

    @admin.display(description=_("local start"), ordering="starts_at")
    def local_start(self, obj):
        if obj.pk is None:
            return "-"
        return f"{obj.local_start:%Y-%m-%d %H:%M %Z}"

    @admin.display(description=_("attendance recorded"), ordering="recorded_count")
    def recorded(self, obj):
        return obj.recorded_count

    @admin.action(description=_("Record attendance"), permissions=["change"])
    def record_attendance(self, request, queryset):
        """An intermediate page with one select per enrolment; posts the whole session."""
        session = only_one(self, request, queryset.select_related("batch"), gettext("session"))
        if session is None:
            return None
        current = dict(session.attendances.values_list("enrolment_id", "status"))
        enrolments = list(
            Enrolment.objects.filter(batch_id=session.batch_id)
            .filter(Q(status__in=Enrolment.OPEN_STATUSES) | Q(pk__in=list(current)))
            .select_related("participant")
            .order_by("participant__full_name", "pk")
        )
        if "apply" in request.POST:
            valid = dict(Attendance.Status.choices)
            statuses, missing = {}, []
            for enrolment in enrolments:
                value = request.POST.get(f"status_{enrolment.pk}", "")
                if value in valid:
                    statuses[enrolment.pk] = value
                elif value:
                    missing.append(enrolment)
            failures = [
                gettext("%(name)s: unknown status.") % {"name": e.participant} for e in missing
            ]
            if statuses:
                try:
                    result = services.attendance_record(
                        session=session, statuses=statuses, actor=request.user
                    )
                except services.TrainingError as error:
                    failures.append(str(error))
                else:
                    self.message_user(
                        request,
                        gettext("Attendance recorded: %(created)d new, %(changed)d changed.")
                        % result,
                        messages.SUCCESS,
                    )
            report(self, request, failures, 0, "")
            return None
        context = action_context(
            self,
            request,
            session,
            "record_attendance",
            gettext("Record attendance for %(session)s") % {"session": session},
        )
        context["rows"] = [{"enrolment": e, "status": current.get(e.pk, "")} for e in enrolments]
        context["choices"] = Attendance.Status.choices
        return TemplateResponse(request, "training/admin_attendance.html", context)


# Enrolments and results


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Progress columns come from `Enrolment.objects.with_progress()`: one query for the page."""

    list_display = (
        "participant",
        "batch",
        "status",
        "enrolled_on",
        "attendance",
        "attendance_share_display",
        "hours_attended",
        "latest_score",
        "completion_met_display",
    )
    list_filter = ("status", "batch__track__kind", "batch__programme", "batch")
    search_fields = ("participant__full_name", "=participant__nik", "batch__code", "batch__name")
    list_select_related = ("participant", "batch__track")
    raw_id_fields = ("participant",)
    autocomplete_fields = ("batch",)
    readonly_fields = ("status", "ended_on", "updated_at")
    actions = ["issue_certificates", "withdraw"]

    def get_queryset(self, request):
        # An officer limited to provinces sees the enrolments of the people living there.
        return super().get_queryset(request).visible_to(request.user).with_progress()

    @admin.display(description=_("sessions attended"), ordering="sessions_attended")
    def attendance(self, obj):
        return f"{obj.sessions_attended}/{obj.sessions_held}"

    @admin.display(description=_("attendance share"), ordering="attendance_share")
    def attendance_share_display(self, obj):
        if obj.attendance_share is None:
            return "-"
        return f"{obj.attendance_share:.0%}"

    @admin.display(description=_("hours"), ordering="time_attended")
    def hours_attended(self, obj):
        if not obj.time_attended:
            return 0
        return round(obj.time_attended.total_seconds() / 3600, 1)

    @admin.display(description=_("latest score"), ordering="latest_score")
    def latest_score(self, obj):
        return "-" if obj.latest_score is None else obj.latest_score

    @admin.display(description=_("completion met"), boolean=True, ordering="completion_met")
    def completion_met_display(self, obj):
        return obj.completion_met

    @admin.action(
        description=_("Issue certificates to those who met the rule"), permissions=["change"]
    )
    def issue_certificates(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("batch__provider", "participant"),
            lambda enrolment: services.certificate_issue(
                enrolment=enrolment, actor=request.user, issuer=enrolment.batch.provider.name
            ),
            lambda n: ngettext(
                "Issued %(count)d certificate.", "Issued %(count)d certificates.", n
            ),
        )

    @admin.action(description=_("Withdraw selected enrolments"), permissions=["change"])
    def withdraw(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("participant", "batch"),
            lambda enrolment: services.enrolment_set_status(
                enrolment=enrolment, status=Enrolment.Status.WITHDRAWN, actor=request.user
            ),
            lambda n: ngettext(
                "Withdrew %(count)d enrolment.", "Withdrew %(count)d enrolments.", n
            ),
        )


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Read-only: attendance is recorded per session with the "Record attendance" action."""

    list_display = ("participant", "batch", "session_start", "status", "recorded_by", "recorded_at")
    list_filter = ("status", "session__batch__track__kind", "session__batch")
    search_fields = (
        "enrolment__participant__full_name",
        "=enrolment__participant__nik",
        "session__batch__code",
    )
    # str(obj) (the row checkbox label) names the enrolment: participant and batch.
    list_select_related = (
        "enrolment__participant",
        "enrolment__batch",
        "session__batch",
        "recorded_by",
    )
    raw_id_fields = ("enrolment",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(enrolment__in=Enrolment.objects.visible_to(request.user))
        )

    readonly_fields = ("enrolment", "session", "status", "recorded_by", "recorded_at", "updated_at")
    date_hierarchy = "recorded_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("participant"), ordering="enrolment__participant__full_name")
    def participant(self, obj):
        return obj.enrolment.participant

    @admin.display(description=_("batch"), ordering="session__batch__code")
    def batch(self, obj):
        return obj.session.batch

    @admin.display(description=_("session (local time)"), ordering="session__starts_at")
    def session_start(self, obj):
        return f"{obj.session.local_start:%Y-%m-%d %H:%M %Z}"


class AssessmentResultForm(forms.ModelForm):
    class Meta:
        model = AssessmentResult
        fields = ("enrolment", "kind", "assessed_on", "score")

    def clean(self):
        data = super().clean()
        enrolment = data.get("enrolment")
        if enrolment and enrolment.status in {Enrolment.Status.WITHDRAWN, Enrolment.Status.FAILED}:
            raise forms.ValidationError(gettext("The enrolment has ended."))
        return data


@admin.register(AssessmentResult)
class AssessmentResultAdmin(admin.ModelAdmin):
    """New scores go through `assessment_record` (bounds, pass flag from the track); recorded
    results are read-only."""

    form = AssessmentResultForm

    list_display = ("participant", "batch", "kind", "assessed_on", "score", "passed")
    list_filter = ("kind", "passed", "enrolment__batch__track__kind", "enrolment__batch")
    search_fields = (
        "enrolment__participant__full_name",
        "=enrolment__participant__nik",
        "enrolment__batch__code",
    )
    list_select_related = ("enrolment__participant", "enrolment__batch")
    raw_id_fields = ("enrolment",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(enrolment__in=Enrolment.objects.visible_to(request.user))
        )

    fields = ("enrolment", "kind", "assessed_on", "score", "passed", "recorded_by")
    date_hierarchy = "assessed_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("passed", "recorded_by")
        return self.fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.assessment_record(
            enrolment=obj.enrolment,
            kind=obj.kind,
            score=obj.score,
            assessed_on=obj.assessed_on,
            actor=request.user,
        )
        obj.pk = created.pk
        obj.passed = created.passed
        obj.recorded_by = created.recorded_by

    @admin.display(description=_("participant"), ordering="enrolment__participant__full_name")
    def participant(self, obj):
        return obj.enrolment.participant

    @admin.display(description=_("batch"), ordering="enrolment__batch__code")
    def batch(self, obj):
        return obj.enrolment.batch


@admin.register(WelderQualification)
class WelderQualificationAdmin(admin.ModelAdmin):
    list_display = (
        "standard",
        "process",
        "positions",
        "form",
        "thickness_min_mm",
        "thickness_max_mm",
        "issuer",
        "certificate_number",
        "test_date",
        "expires_on",
    )
    list_filter = ("standard", "process", "form")
    search_fields = ("certificate_number", "issuer", "positions")
    date_hierarchy = "test_date"


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Certificates are issued from the enrolment list ("Issue certificates ..." action)."""

    list_display = ("number", "participant", "batch", "issuer", "issued_on", "expires_on")
    list_filter = ("enrolment__batch__track__kind", "issuer")
    search_fields = (
        "number",
        "=verification_code",
        "enrolment__participant__full_name",
        "=enrolment__participant__nik",
    )
    list_select_related = ("enrolment__participant", "enrolment__batch")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(enrolment__in=Enrolment.objects.visible_to(request.user))
        )

    autocomplete_fields = ("welder_qualification",)
    readonly_fields = ("enrolment", "verification_code", "issued_by", "updated_at")
    date_hierarchy = "issued_on"

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("participant"), ordering="enrolment__participant__full_name")
    def participant(self, obj):
        return obj.enrolment.participant

    @admin.display(description=_("batch"), ordering="enrolment__batch__code")
    def batch(self, obj):
        return obj.enrolment.batch


# Spreadsheet imports (attendance, scores, enrolments): pages in training.admin_imports.
from .admin_imports import import_attendance, import_enrolments, import_scores  # noqa: E402

SessionAdmin.actions = [*SessionAdmin.actions, import_attendance]
BatchAdmin.actions = [*BatchAdmin.actions, import_scores, import_enrolments]
