"""Read serializers. Datetimes are UTC ISO 8601; restricted fields are null unless the reader
may see them (`restricted_shown` says which); NIK and KK are masked without
`participants.view_nik`."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from participants import normalise
from participants.models import (
    Consent,
    FormerPrisonerProfile,
    Participant,
    Participation,
    PersonalDocument,
    ReturningWorkerProfile,
    StudentProfile,
)
from partners.models import Agreement, AgreementParty, Commitment, Organisation, Programme
from placements.models import Case, CheckIn, JobOrder, PhaseChange, Placement
from portal.api.models import Deletion
from portal.audit.masking import mask_nik
from portal.regions.models import Province, Regency
from training.models import (
    AssessmentResult,
    Attendance,
    Batch,
    Certificate,
    Enrolment,
    Module,
    Session,
    Track,
)


class CodeRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by its text code (regions): a NUL or an over-long value is "does not
    exist" rather than a query PostgreSQL refuses."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 20:
            self.fail("does_not_exist", pk_value=str(data).replace("\x00", "")[:20])
        return super().to_internal_value(data)


class UTCDateTimeField(serializers.DateTimeField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(*args, **kwargs)


class PortalSerializer(serializers.ModelSerializer):
    """Restricted fields (RESTRICTED) are null unless the context allows them."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }
    RESTRICTED = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.RESTRICTED and not self.context.get("show_restricted"):
            for name in self.RESTRICTED:
                if name in data:
                    data[name] = None
        return data

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name in self.RESTRICTED:
            kwargs["allow_null"] = True
        return field_class, kwargs


class FormerPrisonerProfileSerializer(PortalSerializer):
    RESTRICTED = FormerPrisonerProfile.RESTRICTED_FIELDS

    class Meta:
        model = FormerPrisonerProfile
        fields = list(FormerPrisonerProfile.RESTRICTED_FIELDS)


class StudentProfileSerializer(PortalSerializer):
    class Meta:
        model = StudentProfile
        fields = [
            "school",
            "level",
            "grade",
            "expected_graduation_year",
            "guardian_name",
            "guardian_phone",
            "guardian_consent",
        ]


class ReturningWorkerProfileSerializer(PortalSerializer):
    RESTRICTED = ReturningWorkerProfile.RESTRICTED_FIELDS

    class Meta:
        model = ReturningWorkerProfile
        fields = [
            "last_destination",
            "return_date",
            "return_reason",
            "is_trafficking_victim",
            "trafficking_notes",
        ]


class ParticipantSerializer(PortalSerializer):
    RESTRICTED = Participant.RESTRICTED_FIELDS

    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    restricted_shown = serializers.SerializerMethodField()
    former_prisoner_profile = FormerPrisonerProfileSerializer(read_only=True, allow_null=True)
    student_profile = StudentProfileSerializer(read_only=True, allow_null=True)
    returning_worker_profile = ReturningWorkerProfileSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "nik",
            "kk_number",
            "full_name",
            "sex",
            "birth_date",
            "birth_place",
            "phone",
            "phone_is_guardian",
            "second_phone",
            "email",
            "address",
            "regency",
            "province",
            "education_level",
            "categories",
            "status",
            "siskop2mi_id",
            "created_at",
            "updated_at",
            "restricted_shown",
            "restricted_notes",
            "former_prisoner_profile",
            "student_profile",
            "returning_worker_profile",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_restricted_shown(self, obj):
        return bool(self.context.get("show_restricted"))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_nik"):
            data["nik"] = mask_nik(data["nik"])
            data["kk_number"] = mask_nik(data["kk_number"])
        return data


def mask_number(number):
    """A document number without `participants.view_nik`: a NIK as NIKs are masked, any
    other number with only its last four characters readable."""
    if not number:
        return number
    if len(number) == 16 and number.isdigit():
        return mask_nik(number)
    hidden = max(len(number) - 4, len(number) // 2)
    return "*" * hidden + number[hidden:]


class DocumentSerializer(PortalSerializer):
    """A personal document's metadata; the file itself is not offered by the API."""

    file_name = serializers.CharField(source="original_name", read_only=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = PersonalDocument
        fields = [
            "id",
            "participant",
            "kind",
            "number",
            "issued_on",
            "expires_on",
            "file_name",
            "content_type",
            "size",
            "has_file",
            "created_at",
            "updated_at",
        ]

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_nik"):
            data["number"] = mask_number(data["number"])
        return data


class DeletionSerializer(serializers.ModelSerializer):
    """A row deleted from a list: `type` is the list (e.g. `participants`), `id` the row's id."""

    type = serializers.CharField(source="endpoint")
    id = serializers.IntegerField(source="object_id")
    deleted_at = UTCDateTimeField()

    class Meta:
        model = Deletion
        fields = ["type", "id", "deleted_at"]


class OrganisationSerializer(PortalSerializer):
    timezone = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "parent",
            "regency",
            "province",
            "country",
            "licence_number",
            "address",
            "email",
            "phone",
            "contact_person",
            "timezone",
        ]


class AgreementPartySerializer(PortalSerializer):
    class Meta:
        model = AgreementParty
        fields = ["organisation", "role"]


class CommitmentSerializer(PortalSerializer):
    class Meta:
        model = Commitment
        fields = [
            "id",
            "kind",
            "description",
            "organisation",
            "programme",
            "track_code",
            "target",
            "achieved",
        ]


class AgreementSerializer(PortalSerializer):
    status = serializers.ChoiceField(choices=Agreement.Status.choices, read_only=True)
    parties = AgreementPartySerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "status",
            "signed_on",
            "valid_from",
            "valid_until",
            "terminated_on",
            "scope_items",
            "parties",
            "commitments",
            "updated_at",
        ]


class ProgrammeSerializer(PortalSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "description",
            "agreements",
            "eligible_categories",
            "min_age",
            "max_age",
            "min_decile",
            "max_decile",
        ]


class ParticipationSerializer(PortalSerializer):
    class Meta:
        model = Participation
        fields = [
            "id",
            "participant",
            "programme",
            "status",
            "responsible_organisations",
            "eligibility_explanation",
            "decided_at",
            "created_at",
            "updated_at",
        ]


class ModuleSerializer(PortalSerializer):
    class Meta:
        model = Module
        fields = ["id", "order", "title", "hours"]


class TrackSerializer(PortalSerializer):
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Track
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "language",
            "target_certification",
            "language_level",
            "target_hours",
            "min_attendance_share",
            "min_score",
            "modules",
        ]


class BatchSerializer(PortalSerializer):
    class Meta:
        model = Batch
        fields = [
            "id",
            "code",
            "name",
            "track",
            "programme",
            "provider",
            "venue",
            "venue_regency",
            "timezone",
            "instructors",
            "capacity",
            "starts_on",
            "ends_on",
            "status",
            "updated_at",
        ]


class SessionSerializer(PortalSerializer):
    timezone = serializers.CharField(
        source="batch.timezone", read_only=True, help_text="The venue's time zone (IANA name)."
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "batch",
            "module",
            "topic",
            "starts_at",
            "ends_at",
            "timezone",
            "updated_at",
        ]


class EnrolmentSerializer(PortalSerializer):
    sessions_held = serializers.IntegerField(read_only=True)
    sessions_attended = serializers.IntegerField(read_only=True)
    attendance_share = serializers.FloatField(read_only=True, allow_null=True)
    hours_attended = serializers.SerializerMethodField()
    latest_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True
    )
    completion_met = serializers.BooleanField(read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "participant",
            "batch",
            "status",
            "enrolled_on",
            "ended_on",
            "sessions_held",
            "sessions_attended",
            "attendance_share",
            "hours_attended",
            "latest_score",
            "completion_met",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_hours_attended(self, obj):
        return round(obj.time_attended.total_seconds() / 3600, 2) if obj.time_attended else 0.0


class AttendanceSerializer(PortalSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "enrolment", "session", "status", "recorded_at", "updated_at"]


class AssessmentSerializer(PortalSerializer):
    class Meta:
        model = AssessmentResult
        fields = ["id", "enrolment", "kind", "assessed_on", "score", "passed", "updated_at"]


class CertificateSerializer(PortalSerializer):
    class Meta:
        model = Certificate
        fields = [
            "id",
            "enrolment",
            "number",
            "issuer",
            "issued_on",
            "expires_on",
            "verification_code",
            "updated_at",
        ]


class JobOrderSerializer(PortalSerializer):
    class Meta:
        model = JobOrder
        fields = [
            "id",
            "reference",
            "title",
            "country",
            "scheme",
            "agency",
            "employer",
            "occupation",
            "sector",
            "positions",
            "required_track_kind",
            "required_welding_standard",
            "required_language",
            "required_language_level",
            "min_age",
            "max_age",
            "contract_months",
            "salary",
            "salary_currency",
            "deadline",
            "expected_departure",
            "status",
            "created_at",
            "updated_at",
        ]


class PhaseChangeSerializer(PortalSerializer):
    class Meta:
        model = PhaseChange
        fields = ["from_phase", "to_phase", "on", "changed_at", "reason"]


class PlacementSerializer(PortalSerializer):
    phase_changes = PhaseChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "participant",
            "job_order",
            "country",
            "scheme",
            "agency",
            "employer",
            "occupation",
            "sector",
            "contract_start",
            "contract_end",
            "siskop2mi_id",
            "phase",
            "phase_since",
            "phase_changes",
            "created_at",
            "updated_at",
        ]


class CheckInSerializer(PortalSerializer):
    RESTRICTED = CheckIn.RESTRICTED_FIELDS

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "placement",
            "on",
            "channel",
            "wellbeing",
            "issues",
            "escalated_to_embassy",
            "escalation_note",
            "created_at",
            "updated_at",
        ]


class CaseSerializer(PortalSerializer):
    RESTRICTED = Case.RESTRICTED_FIELDS

    class Meta:
        model = Case
        fields = [
            "id",
            "participant",
            "placement",
            "type",
            "severity",
            "status",
            "assigned_officer",
            "summary",
            "assessment",
            "service_plan",
            "opened_on",
            "closed_on",
            "last_activity_at",
            "created_at",
            "updated_at",
        ]


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (validation errors); empty otherwise.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- Writes ----------------------------------------------------------------------------------
# Each write serializer checks the shape of a body and finds its objects among the rows the
# user may see (an object outside them is a 404); the services decide everything else.


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id looked up in `scoping.rows_for(endpoint)`: unknown or out of scope is a 404."""

    def __init__(self, endpoint, model, **kwargs):
        self.endpoint = endpoint
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        from .scoping import rows_for

        return rows_for(self.endpoint, self.context["request"])

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            codes = error.get_codes()
            if codes == ["does_not_exist"] or codes == "does_not_exist":
                raise exceptions.NotFound() from error
            raise


def _normalised(result, value_attr):
    """The normalised value, or the normaliser's errors as the field's errors."""
    errors = [m.text for m in result.messages if m.level == normalise.ERROR]
    if errors:
        raise serializers.ValidationError(errors)
    return getattr(result, value_attr)


def _required(result, value_attr, fallback):
    """The normalised value of a non-empty input, which must not normalise to nothing."""
    value = _normalised(result, value_attr)
    if not value:
        raise serializers.ValidationError([m.text for m in result.messages] or [fallback])
    return value


EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


class ParticipantWriteSerializer(serializers.Serializer):
    """A person's values, normalised as the importer does (NIK, name, phones, dates).

    `restricted_notes` needs `participants.view_restricted`."""

    nik = serializers.CharField(help_text="Create only (ignored on update): 16 digits.")
    full_name = serializers.CharField(max_length=200)
    kk_number = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.ChoiceField(
        choices=Participant._meta.get_field("sex").choices, required=False, allow_blank=True
    )
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True)
    second_phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    regency = CodeRelatedField(queryset=Regency.objects.all(), required=False, allow_null=True)
    province = CodeRelatedField(queryset=Province.objects.all(), required=False, allow_null=True)
    education_level = serializers.ChoiceField(
        choices=Participant._meta.get_field("education_level").choices, required=False
    )
    siskop2mi_id = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="Ministry staff only."
    )
    restricted_notes = serializers.CharField(required=False, allow_blank=True)
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(),
        required=False,
        help_text="Partner staff, create only: the programme the person takes part in with your "
        "organisation responsible (optional for a token limited to one programme).",
    )
    consent_given_by = serializers.ChoiceField(
        choices=Consent.GivenBy.choices,
        required=False,
        help_text="Partner staff, create only: who gave the consent to data sharing with "
        "programme partners that your organisation collected (a minor's: a guardian).",
    )
    guardian_name = serializers.CharField(required=False, allow_blank=True, max_length=200)

    PARTNER_FIELDS = ("programme", "consent_given_by", "guardian_name")
    MINISTRY_FIELDS = ("siskop2mi_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.partial:
            self.fields.pop("nik")
            for name in self.PARTNER_FIELDS:
                self.fields.pop(name)

    def validate(self, attrs):
        partner = self.context.get("partner_organisation_id") is not None
        errors = {}
        for name in self.MINISTRY_FIELDS if partner else self.PARTNER_FIELDS:
            if name in attrs:
                errors[name] = [
                    _("Only ministry staff change this field.")
                    if partner
                    else _("Only partner staff send this field.")
                ]
        if partner and not self.partial:
            attrs.setdefault("programme", self.context.get("token_programme"))
            if attrs["programme"] is None:
                errors["programme"] = [_("Name the programme the person takes part in.")]
            elif attrs["programme"].pk not in self.context.get(
                "writable_programme_ids", {attrs["programme"].pk}
            ):
                errors["programme"] = [_("This token is not for this programme.")]
            if "consent_given_by" not in attrs:
                errors["consent_given_by"] = [
                    _("Partners register only people who consented to data sharing.")
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def validate_nik(self, value):
        result = normalise.normalise_nik(value, as_of=timezone.localdate())
        return _normalised(result, "nik")

    def validate_full_name(self, value):
        return _normalised(normalise.normalise_name(value), "name")

    def validate_kk_number(self, value):
        if not value:
            return value
        return _required(normalise.normalise_kk(value), "kk", _("Not a family card number."))

    def _phone(self, value):
        if not value:
            return value
        return _required(normalise.normalise_phones(value), "phone", _("Not a phone number."))

    def validate_phone(self, value):
        return self._phone(value)

    def validate_second_phone(self, value):
        return self._phone(value)

    def validate_birth_date(self, value):
        if value is not None and not (EARLIEST_BIRTH_DATE <= value <= timezone.localdate()):
            raise serializers.ValidationError(_("Not a plausible birth date."))
        return value

    def validate_email(self, value):
        return value.lower()

    def validate_restricted_notes(self, value):
        if not self.context.get("show_restricted"):
            raise serializers.ValidationError(_("You may not change restricted fields."))
        return value


class ParticipantWriteResultSerializer(serializers.Serializer):
    """The answer to a create: a new person (201), or the known person with this NIK (200):
    empty fields filled, differing values queued as pending changes for staff."""

    id = serializers.IntegerField()
    created = serializers.BooleanField()
    filled = serializers.ListField(child=serializers.CharField())
    pending_changes = serializers.ListField(
        child=serializers.CharField(), help_text="Fields whose sent value awaits staff review."
    )


class EnrolmentWriteSerializer(serializers.Serializer):
    participant = ScopedPrimaryKeyField("participants", Participant)
    batch = ScopedPrimaryKeyField("batches", Batch)


class AttendanceWriteSerializer(serializers.Serializer):
    """`statuses` maps enrolment ids to a status; a list of {enrolment, status} is accepted too."""

    statuses = serializers.JSONField(
        help_text='{"<enrolment id>": "present"|"late"|"excused"|"absent", ...} or '
        '[{"enrolment": <id>, "status": "present"}, ...]'
    )

    def validate_statuses(self, value):
        if isinstance(value, list):
            try:
                value = {item["enrolment"]: item["status"] for item in value}
            except (TypeError, KeyError) as error:
                raise serializers.ValidationError(
                    _("Each item needs an enrolment and a status.")
                ) from error
        if not isinstance(value, dict) or not value:
            raise serializers.ValidationError(_("Give at least one enrolment's status."))
        statuses = {}
        for key, status in value.items():
            try:
                statuses[int(key)] = str(status)
            except (TypeError, ValueError) as error:
                raise serializers.ValidationError(
                    _("Not an enrolment id: %(key)s") % {"key": key}
                ) from error
        return statuses


class AttendanceResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    attendance = AttendanceSerializer(many=True)


class AssessmentWriteSerializer(serializers.Serializer):
    enrolment = ScopedPrimaryKeyField("enrolments", Enrolment)
    kind = serializers.ChoiceField(choices=AssessmentResult._meta.get_field("kind").choices)
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    assessed_on = serializers.DateField()


class CertificateWriteSerializer(serializers.Serializer):
    enrolment = ScopedPrimaryKeyField("enrolments", Enrolment)
    issuer = serializers.CharField(
        required=False, max_length=200, help_text="Default: the batch's provider."
    )
    number = serializers.CharField(required=False, max_length=50)
    issued_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)


class PlacementAdvanceSerializer(serializers.Serializer):
    to_phase = serializers.ChoiceField(
        choices=Placement._meta.get_field("phase").choices,
        required=False,
        help_text="Default: the next step on the way to departure.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, help_text="Default: today.")


class CheckInWriteSerializer(serializers.Serializer):
    placement = ScopedPrimaryKeyField("placements", Placement)
    on = serializers.DateField()
    channel = serializers.ChoiceField(choices=CheckIn.Channel.choices)
    wellbeing = serializers.ChoiceField(choices=CheckIn.Wellbeing.choices)
    issues = serializers.CharField(required=False, allow_blank=True, default="")
    escalated_to_embassy = serializers.BooleanField(required=False, default=False)
    escalation_note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseOpenSerializer(serializers.Serializer):
    participant = ScopedPrimaryKeyField("participants", Participant)
    placement = ScopedPrimaryKeyField(
        "placements", Placement, required=False, allow_null=True, default=None
    )
    type = serializers.ChoiceField(choices=Case.Type.choices)
    severity = serializers.ChoiceField(choices=Case._meta.get_field("severity").choices)
    summary = serializers.CharField()


class CaseUpdateSerializer(serializers.Serializer):
    """A status change (with an optional note, assessment, service plan) or a note alone."""

    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    assessment = serializers.CharField(required=False)
    service_plan = serializers.CharField(required=False)

    def validate(self, attrs):
        if "status" not in attrs:
            if "assessment" in attrs or "service_plan" in attrs:
                raise serializers.ValidationError(
                    _("An assessment or a service plan is sent with a status.")
                )
            if not attrs["note"].strip():
                raise serializers.ValidationError(_("Send a status or a note."))
        return attrs
