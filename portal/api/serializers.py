"""Read serializers. Datetimes are UTC ISO 8601; restricted fields are null unless the reader
may see them (`restricted_shown` says which); NIK and KK are masked without
`participants.view_nik`."""

import datetime as dt

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from participants.models import (
    FormerPrisonerProfile,
    Participant,
    Participation,
    ReturningWorkerProfile,
    StudentProfile,
)
from partners.models import Agreement, AgreementParty, Commitment, Organisation, Programme
from placements.models import Case, CheckIn, JobOrder, PhaseChange, Placement
from portal.audit.masking import mask_nik
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
