"""The rows each endpoint starts from: the models' own `visible_to(user)`, composed here for
the models that have none, and narrowed to an API token's programmes."""

from participants.models import Participant, Participation, PersonalDocument
from partners.models import Agreement, Organisation, Programme
from placements.models import Case, CheckIn, JobOrder, Placement
from training.models import (
    AssessmentResult,
    Attendance,
    Batch,
    Certificate,
    Enrolment,
    Session,
    Track,
)

from .permissions import token_of


def reference_rows(model):
    """Reference data (no personal data): every authenticated non-participant may read it."""
    return lambda user: model.objects.all()


VISIBLE = {
    "participants": lambda user: Participant.objects.visible_to(user),
    "documents": lambda user: PersonalDocument.objects.visible_to(user),
    "organisations": reference_rows(Organisation),
    "agreements": lambda user: Agreement.objects.visible_to(user),
    "programmes": reference_rows(Programme),
    "participations": lambda user: Participation.objects.visible_to(user),
    "tracks": reference_rows(Track),
    "batches": lambda user: Batch.objects.visible_to(user),
    "sessions": lambda user: Session.objects.filter(batch__in=Batch.objects.visible_to(user)),
    "enrolments": lambda user: Enrolment.objects.shown_by_name_to(user),
    "attendance": lambda user: Attendance.objects.filter(
        enrolment__in=Enrolment.objects.shown_by_name_to(user)
    ),
    "assessments": lambda user: AssessmentResult.objects.filter(
        enrolment__in=Enrolment.objects.shown_by_name_to(user)
    ),
    "certificates": lambda user: Certificate.objects.filter(
        enrolment__in=Enrolment.objects.shown_by_name_to(user)
    ),
    "job-orders": lambda user: JobOrder.objects.visible_to(user),
    "placements": lambda user: Placement.objects.visible_to(user),
    "check-ins": lambda user: CheckIn.objects.visible_to(user),
    "cases": lambda user: Case.objects.visible_to(user),
}

# The path from each endpoint's model to a programme, to narrow a token to its programmes.
# Endpoints absent here (organisations, tracks, job orders) hold no programme's data.
PROGRAMME_PATHS = {
    "participants": "participations__programme",
    "documents": "participant__participations__programme",
    "agreements": "programmes",
    "programmes": "pk",
    "participations": "programme",
    "batches": "programme",
    "sessions": "batch__programme",
    "enrolments": "batch__programme",
    "attendance": "enrolment__batch__programme",
    "assessments": "enrolment__batch__programme",
    "certificates": "enrolment__batch__programme",
    "placements": "participant__participations__programme",
    "check-ins": "placement__participant__participations__programme",
    "cases": "participant__participations__programme",
}


def rows_for(endpoint, request):
    """The queryset of `endpoint` for this request's user (and token)."""
    queryset = VISIBLE[endpoint](request.user)
    token = token_of(request)
    path = PROGRAMME_PATHS.get(endpoint)
    if token is not None and path is not None:
        programme_ids = [p.pk for p in token.programmes.all()]
        if programme_ids:
            inside = queryset.model.objects.filter(**{f"{path}__in": programme_ids})
            queryset = queryset.filter(pk__in=inside.values("pk"))
    return queryset
