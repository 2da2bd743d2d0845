"""Remove a generated load: its people (NIK serials 9000-9999) with everything hanging off them,
and the `load-` organisations, logins, tracks, batches, agreements and job orders.

Rows are removed table by table with one DELETE each (no per-object cascade in Python), leaves
first, so a million people go in seconds rather than hours.
"""

from django.db import transaction

from participants.models import (
    Consent,
    DataWarning,
    DecileRecord,
    FormerPrisonerProfile,
    Participant,
    Participation,
    PendingChange,
    PersonalDocument,
    ReturningWorkerProfile,
    StudentProfile,
)
from partners.models import (
    Agreement,
    AgreementParty,
    Commitment,
    Membership,
    Organisation,
    Programme,
)
from placements.models import (
    Case,
    CaseUpdate,
    CheckIn,
    ContractChange,
    Incident,
    JobOrder,
    Milestone,
    PhaseChange,
    Placement,
    Referral,
    ServiceDelivery,
)
from portal.accounts.models import User
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

from .people import LOAD_NIK_REGEX
from .reference import PREFIX


def _delete(queryset):
    # One DELETE statement: the generated rows have no signals or Python-side cascades to run.
    return queryset._raw_delete(queryset.db)


@transaction.atomic
def remove_load():
    """Delete the load; returns the number of people removed."""
    people = Participant.objects.filter(nik__regex=LOAD_NIK_REGEX).values("pk")
    cases = Case.objects.filter(participant__in=people).values("pk")
    placements = Placement.objects.filter(participant__in=people).values("pk")
    enrolments = Enrolment.objects.filter(participant__in=people).values("pk")
    batches = Batch.objects.filter(code__startswith=PREFIX).values("pk")
    orgs = Organisation.objects.filter(slug__startswith=PREFIX).values("pk")
    agreements = Agreement.objects.filter(number__startswith="LOAD/").values("pk")
    through = Participation.responsible_organisations.through
    for queryset in (
        ServiceDelivery.objects.filter(case__in=cases),
        Referral.objects.filter(case__in=cases),
        CaseUpdate.objects.filter(case__in=cases),
        Case.objects.filter(pk__in=cases),
        CheckIn.objects.filter(placement__in=placements),
        ContractChange.objects.filter(placement__in=placements),
        Incident.objects.filter(placement__in=placements),
        Milestone.objects.filter(placement__in=placements),
        PhaseChange.objects.filter(placement__in=placements),
        Placement.objects.filter(pk__in=placements),
        JobOrder.objects.filter(reference__startswith="LOAD-"),
        Certificate.objects.filter(enrolment__in=enrolments),
        AssessmentResult.objects.filter(enrolment__in=enrolments),
        Attendance.objects.filter(enrolment__in=enrolments),
        Attendance.objects.filter(session__batch__in=batches),
        Enrolment.objects.filter(pk__in=enrolments),
        Session.objects.filter(batch__in=batches),
        Batch.objects.filter(pk__in=batches),
        through.objects.filter(participation__participant__in=people),
        through.objects.filter(organisation__in=orgs),
        Participation.objects.filter(participant__in=people),
        DecileRecord.objects.filter(
            kk_number__in=Participant.objects.filter(nik__regex=LOAD_NIK_REGEX).values("kk_number")
        ),  # fmt: skip
        Consent.objects.filter(participant__in=people),
        PersonalDocument.objects.filter(participant__in=people),
        FormerPrisonerProfile.objects.filter(participant__in=people),
        StudentProfile.objects.filter(participant__in=people),
        ReturningWorkerProfile.objects.filter(participant__in=people),
        DataWarning.objects.filter(participant__in=people),
        PendingChange.objects.filter(participant__in=people),
    ):
        _delete(queryset)
    removed = _delete(Participant.objects.filter(nik__regex=LOAD_NIK_REGEX))
    Module.objects.filter(track__code__startswith=PREFIX).delete()
    Track.objects.filter(code__startswith=PREFIX).delete()
    Programme.agreements.through.objects.filter(agreement__in=agreements).delete()
    Agreement.scope_items.through.objects.filter(agreement__in=agreements).delete()
    Commitment.objects.filter(agreement__in=agreements).delete()
    AgreementParty.objects.filter(agreement__in=agreements).delete()
    Agreement.objects.filter(pk__in=agreements).delete()
    Membership.objects.filter(organisation__in=orgs).delete()
    User.objects.filter(username__startswith=PREFIX).delete()
    AgreementParty.objects.filter(organisation__in=orgs).delete()
    Organisation.objects.filter(slug__startswith=PREFIX).delete()
    return removed
