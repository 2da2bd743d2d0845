"""FilterSets of the read endpoints; every list has `updated_since` when its model records
changes (`updated_at`)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter

from participants.models import Participant, Participation, PersonalDocument
from partners.models import Agreement, Organisation, Programme
from placements.models import Case, CheckIn, JobOrder, Placement
from portal.api.models import Deletion
from portal.api.scoping import VISIBLE
from training.models import (
    AssessmentResult,
    Attendance,
    Batch,
    Certificate,
    Enrolment,
    Session,
    Track,
)


def has_updated_at(model):
    return any(f.name == "updated_at" for f in model._meta.get_fields())


class StableOrderingFilter(OrderingFilter):
    """Any ordering asked for ends with the primary key, so cursor pages are stable."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(field.lstrip("-") in {"pk", "id"} for field in ordering):
            ordering = [*ordering, "pk"]
        return ordering


class PortalFilterSet(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed at or after this ISO 8601 date and time"),
    )


def _by_programme(path):
    def apply(queryset, name, value):
        model = queryset.model
        return queryset.filter(pk__in=model.objects.filter(**{path: value}).values("pk"))

    return django_filters.CharFilter(method=apply, label=_("Programme code"))


def filterset_for(model, fields, ids=(), programme_path=None):
    """A FilterSet class over `fields` of `model`, with `updated_since` when it can apply.

    Foreign keys named in `ids` filter by id without checking that the row exists (a check would
    tell an outsider that a row they may not see exists); `programme` filters by programme code.
    """
    base = PortalFilterSet if has_updated_at(model) else django_filters.FilterSet
    attrs = {name: django_filters.NumberFilter(field_name=f"{name}_id") for name in ids}
    if programme_path:
        attrs["programme"] = _by_programme(programme_path)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (base,), attrs)


ParticipantFilterSet = filterset_for(
    Participant,
    {
        "status": ["exact"],
        "province": ["exact"],
        "regency": ["exact"],
        "sex": ["exact"],
        "is_former_prisoner": ["exact"],
        "is_sr_student": ["exact"],
        "is_returning_worker": ["exact"],
    },
    programme_path="participations__programme__code",
)
OrganisationFilterSet = filterset_for(Organisation, {"kind": ["exact"], "province": ["exact"]})
AgreementFilterSet = filterset_for(
    Agreement, {"kind": ["exact"]}, programme_path="programmes__code"
)
ProgrammeFilterSet = filterset_for(Programme, {"code": ["exact"]})
TrackFilterSet = filterset_for(Track, {"kind": ["exact"], "language": ["exact"]})
ParticipationFilterSet = filterset_for(
    Participation, {"status": ["exact"]}, ids=["participant"], programme_path="programme__code"
)
BatchFilterSet = filterset_for(
    Batch,
    {"status": ["exact"], "track__code": ["exact"], "provider": ["exact"]},
    programme_path="programme__code",
)
SessionFilterSet = filterset_for(Session, {"starts_at": ["gte", "lt"]}, ids=["batch"])
EnrolmentFilterSet = filterset_for(
    Enrolment,
    {"status": ["exact"]},
    ids=["batch", "participant"],
    programme_path="batch__programme__code",
)
AttendanceFilterSet = filterset_for(Attendance, {"status": ["exact"]}, ids=["session", "enrolment"])
AssessmentFilterSet = filterset_for(
    AssessmentResult, {"kind": ["exact"], "passed": ["exact"]}, ids=["enrolment"]
)
CertificateFilterSet = filterset_for(Certificate, {"issued_on": ["gte", "lt"]}, ids=["enrolment"])
JobOrderFilterSet = filterset_for(
    JobOrder,
    {
        "status": ["exact"],
        "country": ["exact"],
        "scheme": ["exact"],
        "sector": ["exact"],
        "agency": ["exact"],
    },
)
PlacementFilterSet = filterset_for(
    Placement,
    {"phase": ["exact"], "country": ["exact"], "scheme": ["exact"]},
    ids=["participant", "job_order"],
)
CheckInFilterSet = filterset_for(
    CheckIn, {"wellbeing": ["exact"], "escalated_to_embassy": ["exact"]}, ids=["placement"]
)
CaseFilterSet = filterset_for(
    Case, {"status": ["exact"], "type": ["exact"], "severity": ["exact"]}, ids=["participant"]
)
DocumentFilterSet = filterset_for(
    PersonalDocument,
    {"kind": ["exact"], "expires_on": ["gte", "lt"]},
    ids=["participant"],
    programme_path="participant__participations__programme__code",
)


class DeletionFilterSet(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="deleted_at",
        lookup_expr="gte",
        label=_("Deleted at or after this ISO 8601 date and time"),
    )
    type = django_filters.ChoiceFilter(
        field_name="endpoint",
        choices=[(name, name) for name in sorted(VISIBLE)],
        label=_("The list the deleted row was in, e.g. participants"),
    )

    class Meta:
        model = Deletion
        fields = []
