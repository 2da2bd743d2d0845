"""Endpoints: one viewset per list, each starting from `visible_to`; writes go through the
apps' services, with the acting user from `permissions.actor_of` (None for a token)."""

from contextlib import contextmanager

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from participants.services import (
    RegistryError,
    participant_register,
    participant_register_for_partner,
    participant_update,
)
from placements.models import PhaseChange
from placements.services import (
    PlacementError,
    PlacementRefused,
    case_note_add,
    case_open,
    case_set_status,
    checkin_record,
    placement_advance,
)
from training.models import Attendance, Enrolment
from training.services import (
    TrainingError,
    assessment_record,
    attendance_record,
    certificate_issue,
    enrolment_create,
)

from . import filters, serializers
from .filters import StableOrderingFilter, has_updated_at
from .models import Deletion
from .permissions import (
    CanViewCases,
    NotParticipant,
    TokenScope,
    WriteAccess,
    actor_of,
    partner_organisation_id,
    placement_write_rows,
    token_of,
)
from .scoping import rows_for
from .services import request_record, restricted_reads_record

RESTRICTED_PERMISSION = "participants.view_restricted"
NIK_PERMISSION = "participants.view_nik"
REFUSALS = (RegistryError, TrainingError, PlacementError)
PARTNER_FIELDS = serializers.ParticipantWriteSerializer.PARTNER_FIELDS


@contextmanager
def refused():
    """A service's refusal becomes a 400 with code "refused" and the service's reason; a
    refused placement move lists each guard's reason under `refusals`."""
    try:
        yield
    except PlacementRefused as error:
        raise exceptions.ValidationError(
            {
                "non_field_errors": [str(error)],
                "refusals": [f"{r.code}: {r.message}" for r in error.refusals],
            },
            code="refused",
        ) from error
    except REFUSALS as error:
        raise exceptions.ValidationError(
            {"non_field_errors": [str(error)]}, code="refused"
        ) from error


class PortalListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rows from `scoping.rows_for(endpoint)`; token requests logged; restricted reads audited.

    An object outside the user's rows is a 404, never a 403.
    """

    endpoint = ""
    permission_classes = [IsAuthenticated, TokenScope, WriteAccess]
    # Writes: action -> the model permission ministry staff need; actions partner staff (and
    # tokens) may take within their rows.
    write_permissions = {}
    partner_writes = ()
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
        if cls.serializer_class is None:
            return
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
        context["partner_organisation_id"] = partner_organisation_id(user)
        token = token_of(self.request)
        if token is not None:
            programmes = list(token.programmes.all())
            if programmes:
                context["writable_programme_ids"] = {p.pk for p in programmes}
            context["token_programme"] = programmes[0] if len(programmes) == 1 else None
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

    def write_serializer(self, serializer_class, **kwargs):
        """A write body checked by `serializer_class` (400 with the fields otherwise)."""
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, obj, status_code=status.HTTP_201_CREATED):
        return Response(self.get_serializer(obj).data, status=status_code)

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


class PortalViewSet(mixins.RetrieveModelMixin, PortalListViewSet):
    """A list and its rows by id."""


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

    write_permissions = {
        "create": "participants.add_participant",
        "partial_update": "participants.change_participant",
    }
    partner_writes = ("create", "partial_update")

    @extend_schema(
        request=serializers.ParticipantWriteSerializer,
        responses={
            201: serializers.ParticipantWriteResultSerializer,
            200: serializers.ParticipantWriteResultSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        """Register a person. A known NIK (after normalisation) creates no second person: the
        answer is 200 with the known person's id, empty fields filled and differing values
        queued as pending changes for staff, as the importer does.

        Partner staff and read-write tokens of a partner organisation also name the
        `programme` (a token limited to one programme: that one) and who gave the consent to
        data sharing (`consent_given_by`, `guardian_name`): the person then takes part in the
        programme with the organisation responsible, so its staff see them."""
        data = self.write_serializer(serializers.ParticipantWriteSerializer)
        organisation_id = partner_organisation_id(request.user)
        with refused():
            if organisation_id is None:
                person, created, filled, pending = participant_register(
                    data=data, actor=actor_of(request), source="api"
                )
            else:
                person, created, filled, pending = participant_register_for_partner(
                    data={k: v for k, v in data.items() if k not in PARTNER_FIELDS},
                    organisation=request.user.membership.organisation,
                    programme=data["programme"],
                    given_by=data["consent_given_by"],
                    guardian_name=data.get("guardian_name", ""),
                    actor=actor_of(request),
                    source="api",
                )
        body = {"id": person.pk, "created": created, "filled": filled, "pending_changes": pending}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=serializers.ParticipantWriteSerializer,
        responses={200: serializers.ParticipantSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a person's values (normalised as on create; the NIK is not changed here).
        Partner staff and tokens change the people their organisation sees, except the
        ministry's fields."""
        person = self.get_object()
        data = self.write_serializer(serializers.ParticipantWriteSerializer, partial=True)
        with refused():
            person = participant_update(
                participant=person, data=data, actor=actor_of(request), source="api"
            )
        return self.answer(self.get_queryset().get(pk=person.pk), status.HTTP_200_OK)


class DocumentViewSet(PortalViewSet):
    """Personal documents' metadata (never the file). The number is masked without
    `participants.view_nik`; medical, psychological and police-certificate documents are
    listed only with `participants.view_restricted` (and to the person themself)."""

    endpoint = "documents"
    serializer_class = serializers.DocumentSerializer
    filterset_class = filters.DocumentFilterSet
    ordering_fields = ["pk", "expires_on"]


class DeletionViewSet(PortalListViewSet):
    """Rows deleted from the lists, for incremental sync: `?updated_since=...&type=...`.
    Each tombstone is shown to those who could see the row when it was deleted."""

    endpoint = "deletions"
    serializer_class = serializers.DeletionSerializer
    filterset_class = filters.DeletionFilterSet
    filter_backends = [DjangoFilterBackend]  # in the order of deletion (pk)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deletion.objects.none()
        rows = Deletion.objects.visible_to(self.request.user)
        token = token_of(self.request)
        if token is not None:
            programme_ids = [p.pk for p in token.programmes.all()]
            if programme_ids:
                rows = rows.in_programmes(programme_ids)
        return rows


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

    write_permissions = {"attendance": "training.add_attendance"}
    partner_writes = ("attendance",)

    @extend_schema(
        request=serializers.AttendanceWriteSerializer,
        responses={200: serializers.AttendanceResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, *args, **kwargs):
        """Record the whole session in one request. Idempotent: the same statuses again change
        nothing and add no rows."""
        session = self.get_object()
        data = self.write_serializer(serializers.AttendanceWriteSerializer)
        with refused():
            counts = attendance_record(
                session=session, statuses=data["statuses"], actor=actor_of(request)
            )
        rows = Attendance.objects.filter(session=session, enrolment_id__in=list(data["statuses"]))
        body = {
            **counts,
            "attendance": serializers.AttendanceSerializer(
                rows.order_by("enrolment_id"), many=True
            ).data,
        }
        return Response(body)


class EnrolmentViewSet(PortalViewSet):
    """Enrolments with progress computed by the database (attendance, hours, latest score,
    completion rule). Partner staff see only people who consent to sharing with them."""

    endpoint = "enrolments"
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilterSet
    ordering_fields = ["pk", "enrolled_on"]

    def optimise(self, queryset):
        # A list computes progress for its page only (paginate_queryset): grouping every
        # enrolment before the page is cut costs seconds at national scale.
        return queryset if self.action == "list" else queryset.with_progress()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        progress = Enrolment.objects.with_progress().in_bulk([row.pk for row in page])
        return [progress[row.pk] for row in page]

    write_permissions = {"create": "training.add_enrolment"}
    partner_writes = ("create",)

    @extend_schema(
        request=serializers.EnrolmentWriteSerializer,
        responses={201: serializers.EnrolmentSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Enrol a participant in a batch (room, eligibility and duplicates decided by the
        training service; a refusal is a 400 with the reason)."""
        data = self.write_serializer(serializers.EnrolmentWriteSerializer)
        with refused():
            enrolment = enrolment_create(**data, actor=actor_of(request))
        return self.answer(self.get_queryset().model.objects.with_progress().get(pk=enrolment.pk))


class AttendanceViewSet(PortalViewSet):
    endpoint = "attendance"
    serializer_class = serializers.AttendanceSerializer
    filterset_class = filters.AttendanceFilterSet


class AssessmentViewSet(PortalViewSet):
    endpoint = "assessments"
    serializer_class = serializers.AssessmentSerializer
    filterset_class = filters.AssessmentFilterSet
    ordering_fields = ["pk", "assessed_on"]
    write_permissions = {"create": "training.add_assessmentresult"}
    partner_writes = ("create",)

    @extend_schema(
        request=serializers.AssessmentWriteSerializer,
        responses={201: serializers.AssessmentSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = self.write_serializer(serializers.AssessmentWriteSerializer)
        with refused():
            result = assessment_record(**data, actor=actor_of(request))
        return self.answer(result)


class CertificateViewSet(PortalViewSet):
    endpoint = "certificates"
    serializer_class = serializers.CertificateSerializer
    filterset_class = filters.CertificateFilterSet
    search_fields = ["=number", "=verification_code"]
    ordering_fields = ["pk", "issued_on"]
    write_permissions = {"create": "training.add_certificate"}
    partner_writes = ("create",)

    @extend_schema(
        request=serializers.CertificateWriteSerializer,
        responses={201: serializers.CertificateSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Issue a certificate; the completion rule not met is a 400 with the reasons."""
        data = self.write_serializer(serializers.CertificateWriteSerializer)
        enrolment = data["enrolment"]
        data.setdefault("issuer", str(enrolment.batch.provider))
        with refused():
            certificate = certificate_issue(**data, actor=actor_of(request))
        return self.answer(certificate)


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

    write_permissions = {"advance": "placements.change_placement"}
    partner_writes = ("advance",)

    @extend_schema(
        request=serializers.PlacementAdvanceSerializer,
        responses={200: serializers.PlacementSerializer},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, *args, **kwargs):
        """Move to `to_phase` (default: the next step). A refused move is a 400 listing each
        guard's reason under `fields.refusals`; overrides are not offered through the API.
        Partner staff move only their own agency's placements."""
        placement = get_object_or_404(
            placement_write_rows(request.user, self.get_queryset()), pk=kwargs["pk"]
        )
        data = self.write_serializer(serializers.PlacementAdvanceSerializer)
        with refused():
            placement_advance(placement=placement, actor=actor_of(request), **data)
        return self.answer(self.get_queryset().get(pk=placement.pk), status.HTTP_200_OK)


class CheckInViewSet(PortalViewSet):
    """Check-ins; `issues` and `escalation_note` are restricted."""

    endpoint = "check-ins"
    serializer_class = serializers.CheckInSerializer
    filterset_class = filters.CheckInFilterSet
    ordering_fields = ["pk", "on"]
    audits_restricted = True

    def optimise(self, queryset):
        return queryset.select_related("placement__participant")

    write_permissions = {"create": "placements.add_checkin"}
    partner_writes = ("create",)

    @extend_schema(
        request=serializers.CheckInWriteSerializer,
        responses={201: serializers.CheckInSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Record a welfare check-in with a worker abroad (partner staff: their agency's
        placements only)."""
        data = self.write_serializer(serializers.CheckInWriteSerializer)
        own = placement_write_rows(request.user, data["placement"].__class__.objects.all())
        if not own.filter(pk=data["placement"].pk).exists():
            raise exceptions.NotFound()
        with refused():
            check_in = checkin_record(**data, actor=actor_of(request))
        return self.answer(check_in)


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

    write_permissions = {
        "create": "placements.add_case",
        "partial_update": "placements.change_case",
    }

    @extend_schema(
        request=serializers.CaseOpenSerializer, responses={201: serializers.CaseSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = self.write_serializer(serializers.CaseOpenSerializer)
        with refused():
            case = case_open(**data, actor=actor_of(request))
        return self.answer(case)

    @extend_schema(
        request=serializers.CaseUpdateSerializer, responses={200: serializers.CaseSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        """A status change (`status`, with `note`, `assessment`, `service_plan` as the move
        needs) or, without a status, a note added to the case."""
        case = self.get_object()
        data = self.write_serializer(serializers.CaseUpdateSerializer)
        actor = actor_of(request)
        with refused():
            if "status" in data:
                case_set_status(case=case, to_status=data.pop("status"), actor=actor, **data)
            else:
                case_note_add(case=case, note=data["note"], actor=actor)
        return self.answer(self.get_queryset().get(pk=case.pk), status.HTTP_200_OK)


class DocsView(TemplateView):
    """Swagger UI from the portal's static files: no inline script or style (the page works
    under the Content-Security-Policy); `static/js/swagger-init.js` reads the schema's URL."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "schema_url": reverse("api:schema")}


VIEWSETS = [
    ParticipantViewSet,
    DocumentViewSet,
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
    DeletionViewSet,
]
