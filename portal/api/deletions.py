"""Tombstones (`Deletion`) for every model an API list shows, recorded by a `pre_delete`
receiver while the row and its relations still exist, with the scope keys that decide who may
learn of the deletion: the person (and their province), the partner organisations whose staff
could see the row, the row's programmes."""

from django.db.models.signals import pre_delete

from partners.lens import PartnerLens
from partners.models import Organisation

from .models import Deletion, scope_keys
from .scoping import PROGRAMME_PATHS, VISIBLE

# The path from each endpoint's model to the participant it concerns.
PARTICIPANT_PATHS = {
    "participants": "pk",
    "documents": "participant",
    "participations": "participant",
    "enrolments": "participant",
    "attendance": "enrolment__participant",
    "assessments": "enrolment__participant",
    "certificates": "enrolment__participant",
    "placements": "participant",
    "check-ins": "placement__participant",
    "cases": "participant",
}
# Where the partner organisations that may see a row are found (candidates; each is checked
# with the endpoint's own rows for that organisation's staff). Through a participant: the
# organisations responsible for the person in a programme.
ORGANISATION_PATHS = {
    "agreements": ["parties__organisation"],
    "batches": ["provider"],
    "sessions": ["batch__provider"],
    "job-orders": ["agency"],
    "placements": ["agency"],
    "check-ins": ["placement__agency"],
    "enrolments": ["batch__provider"],
    "attendance": ["enrolment__batch__provider"],
    "assessments": ["enrolment__batch__provider"],
    "certificates": ["enrolment__batch__provider"],
}
NO_ORGANISATION = 0  # the stand-in of an organisation with no relation to the row


def _values(model, pk, path):
    return {
        value
        for value in model._default_manager.filter(pk=pk).values_list(path, flat=True)
        if value is not None
    }


def _sees(endpoint, organisation_id, pk):
    rows = VISIBLE[endpoint](PartnerLens(Organisation(pk=organisation_id)))
    return rows.filter(pk=pk).exists()


def scope_of(endpoint, instance):
    """The scope keys of `instance` (an `endpoint` row) as it stands now."""
    model, pk = type(instance), instance.pk
    keys = {"participant_id": None, "province_code": ""}
    participant_path = PARTICIPANT_PATHS.get(endpoint)
    candidates = set()
    if participant_path:
        person = (
            model._default_manager.filter(pk=pk)
            .values_list(
                *(
                    ("pk", "province_id")
                    if participant_path == "pk"
                    else (participant_path, f"{participant_path}__province_id")
                )
            )
            .first()
        ) or (None, None)
        keys["participant_id"], keys["province_code"] = person[0], person[1] or ""
        if person[0] is not None:
            prefix = "" if participant_path == "pk" else f"{participant_path}__"
            candidates |= _values(model, pk, f"{prefix}participations__responsible_organisations")
    for path in ORGANISATION_PATHS.get(endpoint, ()):
        candidates |= _values(model, pk, path)
    if candidates:  # units see through their parent's agreements
        candidates |= set(
            Organisation.objects.filter(parent_id__in=candidates).values_list("pk", flat=True)
        )
    keys["open_to_partners"] = endpoint != "cases" and _sees(endpoint, NO_ORGANISATION, pk)
    seen_by = [] if keys["open_to_partners"] or endpoint == "cases" else candidates
    keys["organisation_keys"] = scope_keys(o for o in seen_by if _sees(endpoint, o, pk))
    programme_path = PROGRAMME_PATHS.get(endpoint)
    keys["programme_keys"] = scope_keys(
        _values(model, pk, programme_path) if programme_path else ()
    )
    keys["restricted"] = bool(getattr(instance, "is_restricted", False))
    return keys


def record(endpoint, instance):
    return Deletion.objects.create(
        endpoint=endpoint, object_id=instance.pk, **scope_of(endpoint, instance)
    )


def connect(viewsets):
    """Connect one receiver per model an API list shows (called from `ApiConfig.ready`)."""
    for viewset in viewsets:
        endpoint = viewset.endpoint
        if endpoint not in VISIBLE:
            continue

        def receiver(sender, instance, endpoint=endpoint, **kwargs):
            record(endpoint, instance)

        pre_delete.connect(
            receiver,
            sender=viewset.serializer_class.Meta.model,
            weak=False,
            dispatch_uid=f"api-deletion-{endpoint}",
        )
