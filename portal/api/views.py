"""Read endpoints: one ReadOnlyModelViewSet per list, each starting from `visible_to`."""

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.filters import SearchFilter
from rest_framework.permissions import IsAuthenticated

from placements.models import PhaseChange

from . import filters, serializers
from .filters import StableOrderingFilter, has_updated_at
from .permissions import CanViewCases, NotParticipant, TokenScope, token_of
from .scoping import rows_for
from .services import request_record, restricted_reads_record

RESTRICTED_PERMISSION = "participants.view_restricted"
NIK_PERMISSION = "participants.view_nik"


class PortalViewSet(viewsets.ReadOnlyModelViewSet):
    """Rows from `scoping.rows_for(endpoint)`; token requests logged; restricted reads audited.

    An object outside the user's rows is a 404, never a 403.
    """

    endpoint = ""
    permission_classes = [IsAuthenticated, TokenScope]
    filter_backends = [
        DjangoFilterBackend,
        SearchFilter,
        StableOrderingFilter,
    ]
    ordering_fields = ["pk"]
    # The model whose restricted fields this endpoint may show: reads are audited.
    audits_restricted = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        model = cls.serializer_class.Meta.model
        if has_updated_at(model):
            cls.ordering = ("updated_at", "pk")
            cls.ordering_fields = [*cls.ordering_fields, "updated_at"]
        else:
            cls.ordering = ("pk",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's request
            return self.serializer_class.Meta.model.objects.none()
        return self.optimise(rows_for(self.endpoint, self.request))

    def optimise(self, queryset):
        """select_related / prefetch_related so the query count does not grow with a page."""
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        own = getattr(user, "is_participant", False)
        context["show_restricted"] = own or user.has_perm(RESTRICTED_PERMISSION)
        context["show_nik"] = own or user.has_perm(NIK_PERMISSION)
        return context

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        context = serializer.context
        if (
            self.audits_restricted
            and args
            and context.get("show_restricted")
            and not getattr(self.request.user, "is_participant", False)
        ):
            rows = args[0] if kwargs.get("many") else [args[0]]
            restricted_reads_record(
                actor=self.request.user,
                objects=rows,
                fields=serializer.child.RESTRICTED if kwargs.get("many") else serializer.RESTRICTED,
            )
        return serializer

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = token_of(request)
        if token is not None:
            match = request.resolver_match
            request_record(
                token=token,
                method=request.method,
                path=request.path,
                endpoint=match.view_name if match else "",
                status=response.status_code,
            )
        return response


class ParticipantViewSet(PortalViewSet):
    """Participants. NIK and KK are masked without `participants.view_nik`; restricted fields
    (and the former-prisoner profile, trafficking status) are null without
    `participants.view_restricted`. A participant's account sees only its own record."""

    endpoint = "participants"
    serializer_class = serializers.ParticipantSerializer
    filterset_class = filters.ParticipantFilterSet
    search_fields = ["full_name", "=nik", "=siskop2mi_id"]
    ordering_fields = ["pk", "full_name", "created_at"]
    audits_restricted = True

    def optimise(self, queryset):
        return queryset.select_related(
            "former_prisoner_profile", "student_profile", "returning_worker_profile"
        )


class OrganisationViewSet(PortalViewSet):
    endpoint = "organisations"
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet
    permission_classes = [*PortalViewSet.permission_classes, NotParticipant]
    search_fields = ["name", "slug"]
    ordering_fields = ["pk", "name"]

    def optimise(self, queryset):
        return queryset.select_related("province")


class AgreementViewSet(PortalViewSet):
    """Agreements with their parties and commitments; `status` is derived from the dates."""

    endpoint = "agreements"
    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilterSet
    permission_classes = [*PortalViewSet.permission_classes, NotParticipant]
    search_fields = ["number", "title"]
    ordering_fields = ["pk", "valid_from"]

    def optimise(self, queryset):
        return queryset.prefetch_related("parties", "commitments", "scope_items")


class ProgrammeViewSet(PortalViewSet):
    endpoint = "programmes"
    serializer_class = serializers.ProgrammeSerializer
    filterset_class = filters.ProgrammeFilterSet
    permission_classes = [*PortalViewSet.permission_classes, NotParticipant]
    search_fields = ["code", "name"]
    ordering_fields = ["pk", "name"]

    def optimise(self, queryset):
        return queryset.prefetch_related("agreements")


class ParticipationViewSet(PortalViewSet):
    endpoint = "participations"
    serializer_class = serializers.ParticipationSerializer
    filterset_class = filters.ParticipationFilterSet

    def optimise(self, queryset):
        return queryset.prefetch_related("responsible_organisations")


class TrackViewSet(PortalViewSet):
    endpoint = "tracks"
    serializer_class = serializers.TrackSerializer
    filterset_class = filters.TrackFilterSet
    permission_classes = [*PortalViewSet.permission_classes, NotParticipant]
    search_fields = ["code", "name"]
    ordering_fields = ["pk", "name"]

    def optimise(self, queryset):
        return queryset.prefetch_related("modules")


class BatchViewSet(PortalViewSet):
    endpoint = "batches"
    serializer_class = serializers.BatchSerializer
    filterset_class = filters.BatchFilterSet
    search_fields = ["code", "name", "venue"]
    ordering_fields = ["pk", "starts_on"]


class SessionViewSet(PortalViewSet):
    """Sessions: times in UTC, with the venue's time zone name to show them in."""

    endpoint = "sessions"
    serializer_class = serializers.SessionSerializer
    filterset_class = filters.SessionFilterSet
    ordering_fields = ["pk", "starts_at"]

    def optimise(self, queryset):
        return queryset.select_related("batch")


class EnrolmentViewSet(PortalViewSet):
    """Enrolments with progress computed by the database (attendance, hours, latest score,
    completion rule). Partner staff see only people who consent to sharing with them."""

    endpoint = "enrolments"
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilterSet
    ordering_fields = ["pk", "enrolled_on"]

    def optimise(self, queryset):
        return queryset.with_progress()


class AttendanceViewSet(PortalViewSet):
    endpoint = "attendance"
    serializer_class = serializers.AttendanceSerializer
    filterset_class = filters.AttendanceFilterSet


class AssessmentViewSet(PortalViewSet):
    endpoint = "assessments"
    serializer_class = serializers.AssessmentSerializer
    filterset_class = filters.AssessmentFilterSet
    ordering_fields = ["pk", "assessed_on"]


class CertificateViewSet(PortalViewSet):
    endpoint = "certificates"
    serializer_class = serializers.CertificateSerializer
    filterset_class = filters.CertificateFilterSet
    search_fields = ["=number", "=verification_code"]
    ordering_fields = ["pk", "issued_on"]


class JobOrderViewSet(PortalViewSet):
    """Job orders: partner staff see open orders and their own agency's; participants none."""

    endpoint = "job-orders"
    serializer_class = serializers.JobOrderSerializer
    filterset_class = filters.JobOrderFilterSet
    permission_classes = [*PortalViewSet.permission_classes, NotParticipant]
    search_fields = ["reference", "title", "employer", "occupation"]
    ordering_fields = ["pk", "deadline", "created_at"]


class PlacementViewSet(PortalViewSet):
    """Placements with their phase history (oldest move first)."""

    endpoint = "placements"
    serializer_class = serializers.PlacementSerializer
    filterset_class = filters.PlacementFilterSet
    ordering_fields = ["pk", "phase_since", "created_at"]

    def optimise(self, queryset):
        return queryset.prefetch_related(
            Prefetch("phase_changes", queryset=PhaseChange.objects.order_by("changed_at", "pk"))
        )


class CheckInViewSet(PortalViewSet):
    """Check-ins; `issues` and `escalation_note` are restricted."""

    endpoint = "check-ins"
    serializer_class = serializers.CheckInSerializer
    filterset_class = filters.CheckInFilterSet
    ordering_fields = ["pk", "on"]
    audits_restricted = True

    def optimise(self, queryset):
        return queryset.select_related("placement__participant")


class CaseViewSet(PortalViewSet):
    """Cases: only ministry staff with `placements.view_case` (within their provinces)."""

    endpoint = "cases"
    serializer_class = serializers.CaseSerializer
    filterset_class = filters.CaseFilterSet
    permission_classes = [*PortalViewSet.permission_classes, CanViewCases]
    ordering_fields = ["pk", "opened_on", "last_activity_at"]
    audits_restricted = True

    def optimise(self, queryset):
        return queryset.select_related("participant")


VIEWSETS = [
    ParticipantViewSet,
    OrganisationViewSet,
    AgreementViewSet,
    ProgrammeViewSet,
    ParticipationViewSet,
    TrackViewSet,
    BatchViewSet,
    SessionViewSet,
    EnrolmentViewSet,
    AttendanceViewSet,
    AssessmentViewSet,
    CertificateViewSet,
    JobOrderViewSet,
    PlacementViewSet,
    CheckInViewSet,
    CaseViewSet,
]
