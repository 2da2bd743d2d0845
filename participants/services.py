"""State changes of the registry: people, warnings, pending changes, consents, documents.

Every function is keyword-only and takes the acting user; views, admin actions, the importer,
the API and commands call these, never assign the fields themselves.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import Event, audit_event, audit_restricted_read
from portal.regions.lookup import legacy_regency, region_index

from . import normalise
from .models import (
    CATEGORY_FIELDS,
    Category,
    Consent,
    DataWarning,
    DecileRecord,
    FormerPrisonerProfile,
    Participant,
    Participation,
    PendingChange,
    PersonalDocument,
    ReturningWorkerProfile,
    ReviewState,
    StudentProfile,
)


class RegistryError(Exception):
    """A refused change, with a message fit to show the user."""


@dataclass(frozen=True)
class Warning:
    code: str
    field: str = ""
    detail: str = ""


def nik_region_warnings(*, participant):
    """Warnings about the NIK's region: legacy or unknown code, or a region unlike the domicile.

    A NIK keeps the region code it was issued with for life, so these never reject anything.
    Uses the cached region index: no query.
    """
    nik = participant.nik
    code = f"{nik[0:2]}.{nik[2:4]}"
    found = []
    regency = region_index().regencies.get(code)
    if regency is None:
        regency = legacy_regency(code)
        if regency is not None:
            detail = f"{code} = {regency.name} before the 2022 Papua split = {regency.code}"
            if participant.regency_id == regency.code:
                detail += " = domicile"
            found.append(Warning("NIK_REGION_LEGACY", "nik", detail))
        else:
            found.append(Warning("NIK_REGION_UNKNOWN", "nik", code))
    nik_province = regency.province_id if regency else nik[0:2]
    domicile = participant.province_id or (
        participant.regency_id[:2] if participant.regency_id else None
    )
    if domicile and domicile != nik_province:
        found.append(
            Warning(
                "NIK_REGION_DIFFERS_DOMICILE",
                "province",
                f"NIK {code} / domicile {participant.regency_id or domicile}",
            )
        )
    return found


def data_warnings_for(*, participant, as_of=None):
    """Every warning the stored data gives rise to now."""
    as_of = as_of or timezone.localdate()
    found = []
    nik = normalise.normalise_nik(participant.nik, as_of=as_of)
    if nik.nik:
        for message in normalise.compare_with_nik(
            birth_date=participant.birth_date,
            sex=participant.sex or None,
            nik_result=nik,
        ):
            found.append(Warning(message.code, message.field or "", message.detail or ""))
        found.extend(nik_region_warnings(participant=participant))
    if participant.kk_number and participant.kk_number == participant.nik:
        found.append(Warning("KK_EQUALS_NIK", "kk_number", participant.kk_number))
    phones = [p for p in (participant.phone, participant.second_phone) if p]
    if phones and not any(normalise.normalise_phones(p).is_mobile for p in phones):
        found.append(Warning("PHONE_LANDLINE_ONLY", "phone", "no WhatsApp"))
    return found


@transaction.atomic
def warnings_record(*, participant, warnings, source=""):
    """Store warnings that are not already open for the participant; returns the new ones."""
    open_keys = set(participant.warnings.open().values_list("code", "field"))
    new = [
        DataWarning(
            participant=participant,
            code=w.code,
            field=w.field,
            detail=w.detail[:300],
            source=source[:100],
        )
        for w in warnings
        if (w.code, w.field) not in open_keys
    ]
    DataWarning.objects.bulk_create(new)
    return new


@transaction.atomic
def warning_review(*, warning, state, actor):
    """Close a warning as confirmed, fixed or dismissed."""
    if state not in {ReviewState.CONFIRMED, ReviewState.FIXED, ReviewState.DISMISSED}:
        raise RegistryError(_("A warning can only be confirmed, fixed or dismissed."))
    warning = DataWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.state != ReviewState.OPEN:
        raise RegistryError(_("This warning was already reviewed."))
    warning.state = state
    warning.reviewed_by = actor
    warning.reviewed_at = timezone.now()
    warning.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    return warning


EDITABLE_FIELDS = {
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
    "is_former_prisoner",
    "is_sr_student",
    "is_returning_worker",
    "status",
    "siskop2mi_id",
    "officer",
    "restricted_notes",
}


def _apply(participant, data):
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise RegistryError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for field, value in data.items():
        setattr(participant, field, value)
    if participant.regency_id and not participant.province_id:
        participant.province_id = participant.regency.province_id
    try:
        participant.full_clean(exclude=["user", "officer"])
    except ValidationError as error:
        problems = (f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise RegistryError("; ".join(problems)) from error


@transaction.atomic
def participant_create(*, nik, full_name, actor, as_of=None, source="manual", **data):
    """Register a person; the NIK must be valid and not yet known (one record per person)."""
    as_of = as_of or timezone.localdate()
    result = normalise.normalise_nik(nik, as_of=as_of)
    if result.nik is None:
        raise RegistryError("; ".join(m.text for m in result.messages if m.level == "error"))
    if Participant.objects.filter(nik=result.nik).exists():
        raise RegistryError(_("A participant with this NIK is already registered."))
    participant = Participant(nik=result.nik)
    _apply(participant, {"full_name": full_name, **data})
    participant.save()
    warnings_record(
        participant=participant,
        warnings=data_warnings_for(participant=participant, as_of=as_of),
        source=source,
    )
    return participant


@transaction.atomic
def participant_update(*, participant, data, actor, as_of=None, source="manual"):
    """Change stored values and refresh the warnings they give rise to."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _apply(participant, data)
    participant.save()
    warnings_record(
        participant=participant,
        warnings=data_warnings_for(participant=participant, as_of=as_of),
        source=source,
    )
    return participant


PROFILE_MODELS = {
    Category.FORMER_PRISONER: FormerPrisonerProfile,
    Category.SR_STUDENT: StudentProfile,
    Category.RETURNING_WORKER: ReturningWorkerProfile,
}


@transaction.atomic
def profile_save(*, participant, category, actor, **fields):
    """Create or update the participant's profile for `category` and mark the category."""
    model = PROFILE_MODELS[Category(category)]
    profile = model.objects.filter(participant=participant).first() or model(
        participant=participant
    )
    for name, value in fields.items():
        setattr(profile, name, value)
    try:
        profile.full_clean(exclude=["participant"])
    except ValidationError as error:
        problems = (f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise RegistryError("; ".join(problems)) from error
    profile.save()
    flag = CATEGORY_FIELDS[Category(category)]
    if not getattr(participant, flag):
        participant_update(participant=participant, data={flag: True}, actor=actor)
        setattr(participant, flag, True)
    return profile


@transaction.atomic
def pending_change_propose(*, participant, field, proposed_value, source, actor=None):
    """Queue a conflicting value for staff instead of overwriting the stored one."""
    current = (
        getattr(participant, f"{field}_id", None) if field in {"regency", "province"} else None
    )
    current = current if current is not None else getattr(participant, field)
    change, _created = PendingChange.objects.get_or_create(
        participant=participant,
        field=field,
        proposed_value=str(proposed_value),
        state=PendingChange.State.PENDING,
        defaults={"current_value": str(current or ""), "source": source[:200], "created_by": actor},
    )
    return change


@transaction.atomic
def pending_change_decide(*, change, accept, actor):
    """Accept (apply the proposed value) or reject a pending change."""
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.state != PendingChange.State.PENDING:
        raise RegistryError(_("This change was already decided."))
    if accept:
        field = Participant._meta.get_field(change.field)
        value = field.to_python(change.proposed_value)
        key = f"{change.field}_id" if field.is_relation else change.field
        participant_update(
            participant=change.participant,
            data={key.removesuffix("_id") if field.is_relation else key: _related(field, value)},
            actor=actor,
            source=f"pending change {change.pk}",
        )
    change.state = PendingChange.State.ACCEPTED if accept else PendingChange.State.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    return change


def _related(field, value):
    if field.is_relation:
        return field.related_model.objects.get(pk=value) if value else None
    return value


@transaction.atomic
def consent_give(*, participant, purpose, actor, given_by=None, guardian_name="", on=None):
    """Record a consent; a minor's consent must be given by a named guardian."""
    on = on or timezone.now()
    minor = participant.is_minor(on.date() if hasattr(on, "date") else on)
    if minor and (given_by != Consent.GivenBy.GUARDIAN or not guardian_name):
        raise RegistryError(_("A minor's consent must be given by a named guardian."))
    given_by = given_by or Consent.GivenBy.PARTICIPANT
    if participant.consents.standing().filter(purpose=purpose).exists():
        raise RegistryError(_("This consent is already given."))
    return Consent.objects.create(
        participant=participant,
        purpose=purpose,
        given_by=given_by,
        guardian_name=guardian_name,
        given_at=on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def consent_withdraw(*, consent, actor, on=None):
    """Withdraw a standing consent; access that rested on it ends at once."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at:
        raise RegistryError(_("This consent was already withdrawn."))
    consent.withdrawn_at = on or timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    return consent


ALLOWED_FILE_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def max_document_bytes():
    """The largest document accepted (PORTAL_UPLOAD_MAX_BYTES, 5 MB by default)."""
    return settings.PORTAL_UPLOAD_MAX_BYTES


def sniff_file_type(head):
    """The content type from the file's first bytes, or None when it is not allowed."""
    for magic, content_type in ALLOWED_FILE_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


@transaction.atomic
def document_add(
    *, participant, kind, actor, file=None, number="", issued_on=None, expires_on=None
):
    """Attach a document; the file must be a PDF, JPEG or PNG of at most
    PORTAL_UPLOAD_MAX_BYTES."""
    document = PersonalDocument(
        participant=participant,
        kind=kind,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    if file is not None:
        limit = max_document_bytes()
        if file.size > limit:
            raise RegistryError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}
            )
        head = file.read(16)
        file.seek(0)
        content_type = sniff_file_type(head)
        if content_type is None:
            raise RegistryError(_("Only PDF, JPEG and PNG files are accepted."))
        document.original_name = (getattr(file, "name", "") or "")[:200]
        document.content_type = content_type
        document.size = file.size
        document.file.save("upload", file, save=False)
    try:
        document.full_clean(exclude=["file"])
    except ValidationError as error:
        raise RegistryError("; ".join(error.messages)) from error
    document.save()
    return document


def can_see_restricted(*, user, participant):
    """Restricted fields: users with the permission, and the person themself."""
    if participant.user_id and participant.user_id == getattr(user, "pk", None):
        return True
    return user.has_perm("participants.view_restricted")


def document_open(*, document, user):
    """Check that `user` may download `document` and record the download; returns the file."""
    visible = Participant.objects.visible_to(user).filter(pk=document.participant_id).exists()
    if not visible or user.is_partner_staff or user.is_analyst:
        raise PersonalDocument.DoesNotExist
    if document.is_restricted and not can_see_restricted(
        user=user, participant=document.participant
    ):
        raise PersonalDocument.DoesNotExist
    if not document.file:
        raise PersonalDocument.DoesNotExist
    audit_event(
        actor=user,
        obj=document.participant,
        event=Event.DOWNLOAD,
        data={"document": document.pk, "kind": document.kind},
    )
    return document.file.open("rb")


def restricted_values_shown(*, user, participant, fields):
    """Record that restricted `fields` of `participant` were displayed to `user`."""
    if fields:
        audit_restricted_read(actor=user, obj=participant, fields=fields)


def current_decile(*, participant):
    """The newest decile record of the participant's family card, or None."""
    if not participant.kk_number:
        return None
    return DecileRecord.objects.filter(kk_number=participant.kk_number).order_by("-as_of").first()


_CURRENT = object()


def eligibility_check(*, participant, programme, on=None, decile_record=_CURRENT):
    """Check a programme's rules; returns (eligible, explanation) where the explanation lists
    every check made as {"rule", "ok", "detail"}.

    `decile_record` (a DecileRecord, saved or not, or None) replaces the query for the family's
    current decile; the importer passes the one it prefetched or just read from the sheet."""
    on = on or timezone.localdate()
    checks = []
    if programme.eligible_categories:
        ok = bool(set(participant.categories) & set(programme.eligible_categories))
        checks.append(
            {
                "rule": "category",
                "ok": ok,
                "detail": f"{','.join(participant.categories) or '-'} in "
                f"{','.join(programme.eligible_categories)}",
            }
        )
    if programme.min_age is not None or programme.max_age is not None:
        age = participant.age(on)
        ok = (
            age is not None
            and (programme.min_age is None or age >= programme.min_age)
            and (programme.max_age is None or age <= programme.max_age)
        )
        span = f"{programme.min_age or 0}-{programme.max_age or '∞'}"
        detail = f"age {age} in {span}" if age is not None else "birth date unknown"
        checks.append({"rule": "age", "ok": ok, "detail": detail})
    if programme.min_decile is not None or programme.max_decile is not None:
        record = (
            current_decile(participant=participant) if decile_record is _CURRENT else decile_record
        )
        decile = record.decile if record else None
        ok = (
            decile is not None
            and (programme.min_decile is None or decile >= programme.min_decile)
            and (programme.max_decile is None or decile <= programme.max_decile)
        )
        span = f"{programme.min_decile or 1}-{programme.max_decile or 10}"
        detail = f"decile {decile} in {span}" if decile is not None else "decile unknown"
        checks.append({"rule": "decile", "ok": ok, "detail": detail})
    return all(c["ok"] for c in checks), checks


@transaction.atomic
def participation_decide(*, participant, programme, actor, organisations=(), on=None):
    """Create or re-decide a participation, storing the eligibility decision and explanation."""
    eligible, explanation = eligibility_check(participant=participant, programme=programme, on=on)
    participation, _created = Participation.objects.select_for_update().get_or_create(
        participant=participant, programme=programme
    )
    if participation.status in {
        Participation.Status.APPLIED,
        Participation.Status.ELIGIBLE,
        Participation.Status.NOT_ELIGIBLE,
    }:
        participation.status = (
            Participation.Status.ELIGIBLE if eligible else Participation.Status.NOT_ELIGIBLE
        )
    participation.eligibility_explanation = explanation
    participation.decided_at = timezone.now()
    participation.decided_by = actor if getattr(actor, "pk", None) else None
    participation.save()
    if organisations:
        participation.responsible_organisations.add(*organisations)
    return participation


def explain(explanation):
    """A participation's stored explanation as one sentence of the failed checks."""
    failed = [c["detail"] for c in explanation if not c["ok"]]
    return "; ".join(failed)


@transaction.atomic
def participant_register(*, data, actor, source):
    """(person, created, filled, pending): create the person, or, when the NIK is known, fill
    the known person's empty fields and queue differing values as pending changes, as the
    importer does (a known NIK never creates a second person)."""
    data = dict(data)
    nik = data.pop("nik")
    person = Participant.objects.filter(nik=nik).first()
    if person is None:
        return participant_create(nik=nik, actor=actor, source=source, **data), True, [], []
    fill, pending = {}, []
    for name, value in data.items():
        if value in (None, ""):
            continue
        if name == "restricted_notes":
            if value not in person.restricted_notes:
                fill[name] = "\n".join(filter(None, [person.restricted_notes, value]))
            continue
        is_relation = isinstance(value, Model)
        current = getattr(person, f"{name}_id" if is_relation else name)
        new = value.pk if is_relation else value
        if current in (None, ""):
            fill[name] = value
        elif normalise.values_differ(current, new):
            pending_change_propose(
                participant=person, field=name, proposed_value=new, source=source, actor=actor
            )
            pending.append(name)
    if fill:
        person = participant_update(participant=person, data=fill, actor=actor, source=source)
    return person, False, sorted(fill), pending


# --- Participant accounts (issue 9) -----------------------------------------------------------

# Fields a participant may ask to correct from their own pages; each lands in the review queue.
CORRECTABLE_FIELDS = (
    "full_name",
    "birth_date",
    "birth_place",
    "phone",
    "email",
    "address",
    "education_level",
)


@transaction.atomic
def participant_account_ensure(*, participant, actor):
    """The participant's login account, created (role participant, no password yet) if missing.

    The username is neutral (`peserta-<id>`): people log in with their NIK or phone number.
    """
    from auditlog.models import LogEntry

    from portal.accounts.models import Role
    from portal.accounts.services import user_create

    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.user_id:
        return participant.user
    user = user_create(
        username=f"peserta-{participant.pk}",
        role=Role.PARTICIPANT,
        email=participant.email,
        first_name=participant.full_name[:150],
        phone="" if participant.phone_is_guardian else participant.phone,
    )
    participant.user = user
    participant.save(update_fields=["user", "updated_at"])
    audit_event(
        actor=actor,
        obj=participant,
        event="account_created",
        data={"user": user.pk},
        action=LogEntry.Action.UPDATE,
    )
    return user


def participant_account_invite(*, participant, actor, channel=None):
    """Create the participant's login if missing and issue a one-time link to set a password.

    Returns (user, link, url). With `channel` ("email" or "sms") the link is also sent; without
    it the caller shows it (copy, QR code, print). Inviting again replaces the earlier link; a
    participant who has logged in before gets a password-reset link. Raises LinkError.
    """
    from portal.accounts import services as accounts

    user = participant_account_ensure(participant=participant, actor=actor)
    if channel:
        accounts.address_for(user, channel)
    purpose = accounts.link_purpose_for(user)
    link, url = accounts.link_issue(user=user, purpose=purpose, actor=actor)
    if channel:
        accounts.link_send(link_url=url, user=user, channel=channel, purpose=purpose, actor=actor)
    return user, link, url


def correction_request(*, participant, field, proposed_value, actor, note=""):
    """A participant asks to correct one of their own fields: a pending change for the officers."""
    if field not in CORRECTABLE_FIELDS:
        raise RegistryError(_("This field cannot be corrected here."))
    proposed_value = str(proposed_value).strip()
    if not proposed_value:
        raise RegistryError(_("Write the correct value."))
    source = _("Correction requested by the participant")
    if note:
        source = f"{source}: {note}"
    return pending_change_propose(
        participant=participant,
        field=field,
        proposed_value=proposed_value,
        source=str(source),
        actor=actor,
    )


@transaction.atomic
def participant_register_for_partner(
    *, data, organisation, programme, actor, source, given_by=None, guardian_name="", on=None
):
    """(person, created, filled, pending) as `participant_register`, for a partner
    organisation's system: the person then takes part in `programme` with `organisation`
    responsible for them, and their consent to partner sharing (collected by the partner) is
    recorded unless it stands, so that the organisation's staff see them by name. The programme
    must be under an agreement active on `on` to which the organisation is party. A known NIK is
    accepted only for a person the organisation already sees by name."""
    from partners.models import Agreement

    agreements = Agreement.objects.active(on).with_party(organisation.pk)
    if not agreements.filter(programmes=programme).exists():
        raise RegistryError(
            _("Your organisation is not party to an active agreement of this programme.")
        )
    known = Participant.objects.filter(nik=data["nik"]).first()
    if known is not None and not (
        Participation.objects.shared_with(organisation.pk, on).filter(participant=known).exists()
    ):
        # Knowing a NIK and claiming a consent must not open a person's record to a partner:
        # the ministry takes a known person into a partner's programme, after checking with them.
        raise RegistryError(
            _(
                "A person with this NIK is already registered and is not in your organisation's "
                "care. Ask the ministry's programme officer to take them into your programme."
            )
        )
    person, created, filled, pending = participant_register(data=data, actor=actor, source=source)
    sharing = Consent.Purpose.PARTNER_SHARING
    if not person.consents.standing().filter(purpose=sharing).exists():
        consent_give(
            participant=person,
            purpose=sharing,
            actor=actor,
            given_by=given_by,
            guardian_name=guardian_name,
        )
    participation_decide(
        participant=person, programme=programme, actor=actor, organisations=[organisation]
    )
    return person, created, filled, pending
