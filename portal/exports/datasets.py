"""The lists the portal exports: for each, its rows as a user may see them, columns and filters.

A dataset's `rows(user)` applies the model's own `visible_to(user)`: an export never shows what
the pages would not. `subject_rows(participant)` is the data subject's own download: all of
their rows, whoever else may see them.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import (
    CATEGORY_FIELDS,
    Category,
    Consent,
    FormerPrisonerProfile,
    Participant,
    Participation,
    PersonalDocument,
)
from partners.models import Agreement, Commitment, Programme
from placements.models import Case as WelfareCase
from placements.models import JobOrder, Phase, PhaseChange, Placement, Scheme, Sector
from portal.regions.models import Country, Province
from training.models import (
    AssessmentResult,
    Attendance,
    Batch,
    Certificate,
    Enrolment,
    LanguageLevel,
    Track,
)

from .columns import Access, Column, Kind

RESTRICTED_PERMISSION = "participants.view_restricted"
NIK_PERMISSION = "participants.view_nik"
CASE_PERMISSION = "placements.view_case"


@dataclass(frozen=True)
class Filter:
    code: str
    label: object
    apply: object  # (queryset, value) -> queryset
    choices: object  # () -> [(value, label)]; None for free text (a search)


SEARCH_MAX_LENGTH = 100


@dataclass
class Dataset:
    code: str
    label: object
    model: type
    visible: object  # user -> queryset of the rows the user may see
    columns: list
    person_path: str | None = None  # path of the participant id; None for lists of no person
    filters: list = field(default_factory=list)
    permission: str = ""  # needed to export the list at all
    prepare: object = None  # queryset -> queryset (annotations the columns read)
    restricted_rows: object = None  # queryset -> the rows shown without the restricted perm
    page_download: bool = False  # a page's own download only: not on the export form

    def rows(self, user):
        queryset = self.visible(user)
        return self._prepared(queryset)

    def subject_rows(self, participant):
        queryset = self.model._default_manager.filter(**{self.person_path: participant.pk})
        return self._prepared(queryset)

    def _prepared(self, queryset):
        if self.prepare:
            queryset = self.prepare(queryset)
        return queryset.order_by("pk")

    def filter_map(self):
        return {f.code: f for f in self.filters}

    def apply_filters(self, queryset, filters):
        """Apply validated `filters` ({code: value}); ValidationError names the bad one."""
        known = self.filter_map()
        for code, value in filters.items():
            if value in (None, ""):
                continue
            if code not in known:
                raise ValidationError(
                    _("The list %(list)s has no filter %(filter)s."),
                    params={"list": self.label, "filter": code},
                )
            if known[code].choices is None:
                if len(str(value)) > SEARCH_MAX_LENGTH or "\x00" in str(value):
                    raise ValidationError(
                        _("The search %(filter)s is longer than %(max)d characters."),
                        params={"filter": known[code].label, "max": SEARCH_MAX_LENGTH},
                    )
                queryset = known[code].apply(queryset, str(value))
                continue
            allowed = {str(v) for v, _label in known[code].choices()}
            if str(value) not in allowed:
                raise ValidationError(
                    _("Unknown %(filter)s %(value)s."),
                    params={"filter": known[code].label, "value": value},
                )
            queryset = known[code].apply(queryset, value)
        return queryset

    def allowed_for(self, user):
        return not self.permission or user.has_perm(self.permission)


def _person(prefix, path):
    return f"{prefix}{path}" if prefix else path


def person_columns(prefix):
    """Who the row is about: NIK (masked unless permitted) and name; left out when
    pseudonymised, where the pseudonym stands first instead."""
    return [
        Column("nik", _("NIK"), _person(prefix, "nik"), Kind.NIK, Access.NIK),
        Column("full_name", _("Full name"), _person(prefix, "full_name"), access=Access.IDENTIFIER),
    ]


def _programmes():
    return list(Programme.objects.values_list("code", "name"))


def _provinces():
    return list(Province.objects.values_list("code", "name"))


def _countries():
    return [(country.code, str(country)) for country in Country.objects.all()]


def person_filters(prefix, programme_path=None):
    """Programme, category and province of the person a row is about."""
    participant_path = _person(prefix, "pk") if prefix else "pk"
    if programme_path:

        def by_programme(queryset, value):
            return queryset.filter(**{programme_path: value})
    else:

        def by_programme(queryset, value):
            return queryset.filter(
                Exists(
                    Participation.objects.filter(
                        participant=OuterRef(participant_path), programme__code=value
                    )
                )
            )

    return [
        Filter("programme", _("programme"), by_programme, _programmes),
        Filter(
            "category",
            _("category"),
            lambda queryset, value: queryset.filter(
                **{_person(prefix, CATEGORY_FIELDS[Category(value)]): True}
            ),
            lambda: Category.choices,
        ),
        Filter(
            "province",
            _("province"),
            lambda queryset, value: queryset.filter(**{_person(prefix, "province_id"): value}),
            _provinces,
        ),
    ]


def status_filter(path, choices, label=None):
    return Filter(
        "status",
        label or _("status"),
        lambda queryset, value: queryset.filter(**{path: value}),
        lambda: choices.choices,
    )


FP = "former_prisoner_profile__"
RW = "returning_worker_profile__"
SP = "student_profile__"

PARTICIPANTS = Dataset(
    code="participants",
    label=_("Participants"),
    model=Participant,
    visible=lambda user: Participant.objects.visible_to(user),
    person_path="pk",
    columns=[
        *person_columns(""),
        Column("sex", _("Sex"), "sex", Kind.CHOICE, choices=Participant.Sex),
        Column("birth_date", _("Birth date"), "birth_date", Kind.DATE, Access.GENERALISED),
        Column("birth_place", _("Birth place"), "birth_place", access=Access.IDENTIFIER),
        Column("phone", _("Phone"), "phone", Kind.PHONE, Access.IDENTIFIER),
        Column("phone_is_guardian", _("Phone of a guardian"), "phone_is_guardian", Kind.BOOL),
        Column("second_phone", _("Second phone"), "second_phone", Kind.PHONE, Access.IDENTIFIER),
        Column("email", _("Email"), "email", access=Access.IDENTIFIER),
        Column("address", _("Address"), "address", access=Access.IDENTIFIER),
        Column("kk_number", _("Family card (KK) number"), "kk_number", access=Access.IDENTIFIER),
        Column("regency", _("Regency or city"), "regency__name"),
        Column("province_code", _("Province code"), "province_id"),
        Column("province", _("Province"), "province__name"),
        Column(
            "education", _("Education"), "education_level", Kind.CHOICE,
            choices=Participant.Education,
        ),
        Column("former_prisoner", _("Former prisoner"), "is_former_prisoner", Kind.BOOL),
        Column("sr_student", _("Sekolah Rakyat student"), "is_sr_student", Kind.BOOL),
        Column("returning_worker", _("Returning migrant worker"), "is_returning_worker", Kind.BOOL),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=Participant.Status),
        Column("siskop2mi_id", _("SISKOP2MI ID"), "siskop2mi_id", access=Access.IDENTIFIER),
        Column("officer", _("Responsible officer"), "officer__username"),
        Column("school", _("Sekolah Rakyat"), f"{SP}school__name"),
        Column("grade", _("Grade"), f"{SP}grade", Kind.NUMBER),
        Column("guardian_name", _("Guardian"), f"{SP}guardian_name", access=Access.IDENTIFIER),
        Column(
            "guardian_phone", _("Guardian phone"), f"{SP}guardian_phone", Kind.PHONE,
            Access.IDENTIFIER,
        ),
        Column("guardian_consent", _("Guardian consent"), f"{SP}guardian_consent", Kind.BOOL),
        Column("last_destination", _("Last destination"), f"{RW}last_destination__name_{{lang}}"),
        Column("return_date", _("Return date"), f"{RW}return_date", Kind.DATE),
        Column("return_reason", _("Return reason"), f"{RW}return_reason"),
        Column(
            "trafficking_victim", _("Trafficking (TPPO) victim"), f"{RW}is_trafficking_victim",
            Kind.BOOL, Access.RESTRICTED,
        ),
        Column(
            "trafficking_notes", _("Trafficking notes"), f"{RW}trafficking_notes",
            access=Access.RESTRICTED,
        ),
        Column("facility", _("Corrections facility"), f"{FP}facility__name",
               access=Access.RESTRICTED),
        Column(
            "release_type", _("Release type"), f"{FP}release_type", Kind.CHOICE, Access.RESTRICTED,
            choices=FormerPrisonerProfile.ReleaseType,
        ),
        Column("release_date", _("Release date"), f"{FP}release_date", Kind.DATE,
               Access.RESTRICTED),
        Column(
            "supervision_end", _("Supervision end date"), f"{FP}supervision_end_date", Kind.DATE,
            Access.RESTRICTED,
        ),
        Column(
            "sentence_months", _("Sentence (months)"), f"{FP}sentence_months", Kind.NUMBER,
            Access.RESTRICTED,
        ),
        Column(
            "offence", _("Offence category"), f"{FP}offence_category", Kind.CHOICE,
            Access.RESTRICTED, choices=FormerPrisonerProfile.Offence,
        ),
        Column("prison_notes", _("Corrections notes"), f"{FP}notes", access=Access.RESTRICTED),
        Column(
            "restricted_notes", _("Restricted notes"), "restricted_notes",
            access=Access.RESTRICTED,
        ),
        Column("created_at", _("Registered at"), "created_at", Kind.DATETIME),
        Column("updated_at", _("Updated at"), "updated_at", Kind.DATETIME),
    ],
    filters=[
        *person_filters(""),
        status_filter("status", Participant.Status),
    ],
)  # fmt: skip

PARTICIPATIONS = Dataset(
    code="participations",
    label=_("Participations"),
    model=Participation,
    visible=lambda user: Participation.objects.visible_to(user),
    person_path="participant_id",
    columns=[
        *person_columns("participant__"),
        Column("programme_code", _("Programme code"), "programme__code"),
        Column("programme", _("Programme"), "programme__name"),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=Participation.Status),
        Column("decided_at", _("Decided at"), "decided_at", Kind.DATETIME),
        Column("created_at", _("Registered at"), "created_at", Kind.DATETIME),
    ],
    filters=[
        *person_filters("participant__", programme_path="programme__code"),
        status_filter("status", Participation.Status),
    ],
)


def _track_filter(path):
    return Filter(
        "track",
        _("track"),
        lambda queryset, value: queryset.filter(**{path: value}),
        lambda: list(Track.objects.values_list("code", "name")),
    )


ENROLMENTS = Dataset(
    code="enrolments",
    label=_("Enrolments with progress"),
    model=Enrolment,
    visible=lambda user: Enrolment.objects.shown_by_name_to(user),
    prepare=lambda queryset: queryset.with_progress(),
    person_path="participant_id",
    columns=[
        *person_columns("participant__"),
        Column("programme_code", _("Programme code"), "batch__programme__code"),
        Column("track_code", _("Track code"), "batch__track__code"),
        Column("track", _("Track"), "batch__track__name"),
        Column("batch_code", _("Batch code"), "batch__code"),
        Column("provider", _("Provider"), "batch__provider__name"),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=Enrolment.Status),
        Column("enrolled_on", _("Enrolled on"), "enrolled_on", Kind.DATE),
        Column("ended_on", _("Ended on"), "ended_on", Kind.DATE),
        Column("sessions_held", _("Sessions held"), "sessions_held", Kind.NUMBER),
        Column("sessions_attended", _("Sessions attended"), "sessions_attended", Kind.NUMBER),
        Column("attendance_share", _("Attendance share"), "attendance_share", Kind.NUMBER),
        Column("hours_attended", _("Hours attended"), "time_attended", Kind.HOURS),
        Column("latest_score", _("Latest score"), "latest_score", Kind.NUMBER),
        Column("completion_met", _("Completion rule met"), "completion_met", Kind.BOOL),
    ],
    filters=[
        *person_filters("participant__", programme_path="batch__programme__code"),
        _track_filter("batch__track__code"),
        status_filter("status", Enrolment.Status),
    ],
)


ENROLMENT_PROGRAMME = "enrolment__batch__programme__code"
# The filters of lists whose rows belong to an enrolment (assessments, certificates).
ENROLMENT_FILTERS = [
    *person_filters("enrolment__participant__", programme_path=ENROLMENT_PROGRAMME),
    _track_filter("enrolment__batch__track__code"),
]


def _enrolment_rows(model):
    return lambda user: model.objects.filter(enrolment__in=Enrolment.objects.shown_by_name_to(user))


ATTENDANCE = Dataset(
    code="attendance",
    label=_("Attendance"),
    model=Attendance,
    visible=_enrolment_rows(Attendance),
    person_path="enrolment__participant_id",
    columns=[
        *person_columns("enrolment__participant__"),
        Column("batch_code", _("Batch code"), "session__batch__code"),
        Column("track_code", _("Track code"), "session__batch__track__code"),
        Column(
            "session_start", _("Session start (venue time)"), "session__starts_at",
            Kind.DATETIME, zone_path="session__batch__timezone",
        ),
        Column("topic", _("Topic"), "session__topic"),
        Column("status", _("Attendance"), "status", Kind.CHOICE, choices=Attendance.Status),
        Column("recorded_at", _("Recorded at"), "recorded_at", Kind.DATETIME),
    ],
    filters=[
        *person_filters(
            "enrolment__participant__", programme_path="session__batch__programme__code"
        ),
        _track_filter("session__batch__track__code"),
    ],
)  # fmt: skip

ASSESSMENTS = Dataset(
    code="assessments",
    label=_("Assessments"),
    model=AssessmentResult,
    visible=_enrolment_rows(AssessmentResult),
    person_path="enrolment__participant_id",
    columns=[
        *person_columns("enrolment__participant__"),
        Column("batch_code", _("Batch code"), "enrolment__batch__code"),
        Column("track_code", _("Track code"), "enrolment__batch__track__code"),
        Column("kind", _("Type"), "kind", Kind.CHOICE, choices=AssessmentResult.Kind),
        Column("assessed_on", _("Date"), "assessed_on", Kind.DATE),
        Column("score", _("Score"), "score", Kind.NUMBER),
        Column("passed", _("Passed"), "passed", Kind.BOOL),
    ],
    filters=ENROLMENT_FILTERS,
)  # fmt: skip

CERTIFICATES = Dataset(
    code="certificates",
    label=_("Certificates"),
    model=Certificate,
    visible=_enrolment_rows(Certificate),
    person_path="enrolment__participant_id",
    columns=[
        *person_columns("enrolment__participant__"),
        Column("number", _("Certificate number"), "number", access=Access.IDENTIFIER),
        Column("track_code", _("Track code"), "enrolment__batch__track__code"),
        Column("track", _("Track"), "enrolment__batch__track__name"),
        Column(
            "language_level", _("Language level"), "enrolment__batch__track__language_level",
            Kind.CHOICE, choices=LanguageLevel,
        ),
        Column("issuer", _("Issuer"), "issuer"),
        Column("issued_on", _("Issued on"), "issued_on", Kind.DATE),
        Column("expires_on", _("Expires on"), "expires_on", Kind.DATE),
        Column(
            "verification_code", _("Verification code"), "verification_code",
            access=Access.IDENTIFIER,
        ),
    ],
    filters=ENROLMENT_FILTERS,
)  # fmt: skip


def _country_filter(path):
    return Filter(
        "country",
        _("country"),
        lambda queryset, value: queryset.filter(**{path: value}),
        _countries,
    )


PLACEMENTS = Dataset(
    code="placements",
    label=_("Placements"),
    model=Placement,
    visible=lambda user: Placement.objects.visible_to(user),
    person_path="participant_id",
    columns=[
        Column("placement", _("Placement no."), "pk", Kind.NUMBER),
        *person_columns("participant__"),
        Column("country_code", _("Country code"), "country_id"),
        Column("country", _("Country"), "country__name_{lang}"),
        Column("scheme", _("Scheme"), "scheme", Kind.CHOICE, choices=Scheme),
        Column("agency", _("Placement agency"), "agency__name"),
        Column("employer", _("Employer"), "employer"),
        Column("occupation", _("Occupation"), "occupation"),
        Column("sector", _("Sector"), "sector", Kind.CHOICE, choices=Sector),
        Column("job_order", _("Job order"), "job_order__reference"),
        Column("phase", _("Phase"), "phase", Kind.CHOICE, choices=Phase),
        Column("phase_since", _("In this phase since"), "phase_since", Kind.DATE),
        Column("contract_start", _("Contract start"), "contract_start", Kind.DATE),
        Column("contract_end", _("Contract end"), "contract_end", Kind.DATE),
        Column("siskop2mi_id", _("SISKOP2MI ID"), "siskop2mi_id", access=Access.IDENTIFIER),
        Column("officer", _("Responsible officer"), "officer__username"),
    ],
    filters=[
        *person_filters("participant__"),
        Filter(
            "phase", _("phase"), lambda queryset, value: queryset.filter(phase=value),
            lambda: Phase.choices,
        ),
        _country_filter("country_id"),
    ],
)  # fmt: skip

PHASE_HISTORY = Dataset(
    code="phase_history",
    label=_("Placement phase history"),
    model=PhaseChange,
    visible=lambda user: PhaseChange.objects.filter(
        placement__in=Placement.objects.visible_to(user)
    ),
    person_path="placement__participant_id",
    columns=[
        Column("placement", _("Placement no."), "placement_id", Kind.NUMBER),
        *person_columns("placement__participant__"),
        Column("from_phase", _("From"), "from_phase", Kind.CHOICE, choices=Phase),
        Column("to_phase", _("To"), "to_phase", Kind.CHOICE, choices=Phase),
        Column("on", _("Date"), "on", Kind.DATE),
        Column("changed_at", _("Recorded at"), "changed_at", Kind.DATETIME),
        Column("changed_by", _("By"), "changed_by__username"),
        Column("reason", _("Reason"), "reason"),
        Column("override_reason", _("Override reason"), "override_reason"),
    ],
    filters=[
        *person_filters("placement__participant__"),
        _country_filter("placement__country_id"),
    ],
)

JOB_ORDERS = Dataset(
    code="job_orders",
    label=_("Job orders"),
    model=JobOrder,
    visible=lambda user: JobOrder.objects.visible_to(user),
    columns=[
        Column("reference", _("Reference"), "reference"),
        Column("title", _("Title"), "title"),
        Column("country_code", _("Country code"), "country_id"),
        Column("country", _("Country"), "country__name_{lang}"),
        Column("scheme", _("Scheme"), "scheme", Kind.CHOICE, choices=Scheme),
        Column("agency", _("Placement agency"), "agency__name"),
        Column("employer", _("Employer"), "employer"),
        Column("occupation", _("Occupation"), "occupation"),
        Column("sector", _("Sector"), "sector", Kind.CHOICE, choices=Sector),
        Column("positions", _("Positions"), "positions", Kind.NUMBER),
        Column("required_track_kind", _("Required training"), "required_track_kind",
               Kind.CHOICE, choices=Track.Kind),
        Column("required_language", _("Required language"), "required_language", Kind.CHOICE,
               choices=Track.Language),
        Column("required_language_level", _("Required language level"),
               "required_language_level", Kind.CHOICE, choices=LanguageLevel),
        Column("min_age", _("Minimum age"), "min_age", Kind.NUMBER),
        Column("max_age", _("Maximum age"), "max_age", Kind.NUMBER),
        Column("contract_months", _("Contract (months)"), "contract_months", Kind.NUMBER),
        Column("salary", _("Monthly salary"), "salary", Kind.NUMBER),
        Column("currency", _("Currency"), "salary_currency"),
        Column("deadline", _("Application deadline"), "deadline", Kind.DATE),
        Column("expected_departure", _("Expected departure"), "expected_departure", Kind.DATE),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=JobOrder.Status),
    ],
    filters=[
        _country_filter("country_id"),
        status_filter("status", JobOrder.Status),
    ],
)  # fmt: skip


def _agreement_status(prefix=""):
    """Agreement.status_on(today) in SQL."""
    today = timezone.localdate()
    p = prefix
    return Case(
        When(**{f"{p}terminated_on__lte": today}, then=Value(Agreement.Status.TERMINATED)),
        When(
            Q(**{f"{p}signed_on__isnull": True}) | Q(**{f"{p}valid_from__gt": today}),
            then=Value(Agreement.Status.DRAFT),
        ),
        When(**{f"{p}valid_until__lt": today}, then=Value(Agreement.Status.EXPIRED)),
        default=Value(Agreement.Status.ACTIVE),
        output_field=CharField(),
    )


AGREEMENT_COLUMNS = [
    Column("number", _("Agreement number"), "number"),
    Column("title", _("Title"), "title"),
    Column("kind", _("Kind"), "kind", Kind.CHOICE, choices=Agreement.Kind),
    Column("status", _("Status"), "agreement_status", Kind.CHOICE, choices=Agreement.Status),
    Column("signed_on", _("Signed on"), "signed_on", Kind.DATE),
    Column("valid_from", _("Valid from"), "valid_from", Kind.DATE),
    Column("valid_until", _("Valid until"), "valid_until", Kind.DATE),
    Column("terminated_on", _("Terminated on"), "terminated_on", Kind.DATE),
]

AGREEMENTS = Dataset(
    code="agreements",
    label=_("Agreements"),
    model=Agreement,
    visible=lambda user: Agreement.objects.visible_to(user),
    prepare=lambda queryset: queryset.annotate(agreement_status=_agreement_status()),
    columns=AGREEMENT_COLUMNS,
)

COMMITMENTS = Dataset(
    code="commitments",
    label=_("Agreement commitments"),
    model=Commitment,
    visible=lambda user: Commitment.objects.filter(
        agreement__in=Agreement.objects.visible_to(user)
    ),
    prepare=lambda queryset: queryset.annotate(
        agreement_status=_agreement_status("agreement__")
    ),
    columns=[
        Column("agreement", _("Agreement number"), "agreement__number"),
        Column("agreement_title", _("Agreement"), "agreement__title"),
        Column("status", _("Agreement status"), "agreement_status", Kind.CHOICE,
               choices=Agreement.Status),
        Column("kind", _("Commitment"), "kind", Kind.CHOICE, choices=Commitment.Kind),
        Column("description", _("Description"), "description"),
        Column("organisation", _("Committed by"), "organisation__name"),
        Column("programme_code", _("Programme code"), "programme__code"),
        Column("track_code", _("Track code"), "track_code"),
        Column("target", _("Target"), "target", Kind.NUMBER),
        Column("achieved", _("Achieved so far"), "achieved", Kind.NUMBER),
    ],
)  # fmt: skip

CASES = Dataset(
    code="cases",
    label=_("Cases"),
    model=WelfareCase,
    permission=CASE_PERMISSION,
    visible=lambda user: WelfareCase.objects.visible_to(user),
    person_path="participant_id",
    columns=[
        Column("case", _("Case no."), "pk", Kind.NUMBER),
        *person_columns("participant__"),
        Column("type", _("Type"), "type", Kind.CHOICE, choices=WelfareCase.Type),
        Column("severity", _("Severity"), "severity", Kind.CHOICE,
               choices=WelfareCase.Severity),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=WelfareCase.Status),
        Column("officer", _("Assigned officer"), "assigned_officer__username"),
        Column("opened_on", _("Opened on"), "opened_on", Kind.DATE),
        Column("closed_on", _("Closed on"), "closed_on", Kind.DATE),
        Column("last_activity_at", _("Last activity"), "last_activity_at", Kind.DATETIME),
        Column("summary", _("Summary"), "summary", access=Access.RESTRICTED),
        Column("assessment", _("Assessment"), "assessment", access=Access.RESTRICTED),
        Column("service_plan", _("Service plan"), "service_plan", access=Access.RESTRICTED),
    ],
    filters=[
        *person_filters("participant__"),
        status_filter("status", WelfareCase.Status),
    ],
)  # fmt: skip

CONSENTS = Dataset(
    code="consents",
    label=_("Consents"),
    model=Consent,
    visible=lambda user: Consent.objects.filter(
        participant__in=Participant.objects.visible_to(user)
    ),
    person_path="participant_id",
    columns=[
        *person_columns("participant__"),
        Column("purpose", _("Purpose"), "purpose", Kind.CHOICE, choices=Consent.Purpose),
        Column("given_by", _("Given by"), "given_by", Kind.CHOICE, choices=Consent.GivenBy),
        Column("guardian_name", _("Guardian"), "guardian_name", access=Access.IDENTIFIER),
        Column("given_at", _("Given at"), "given_at", Kind.DATETIME),
        Column("withdrawn_at", _("Withdrawn at"), "withdrawn_at", Kind.DATETIME),
    ],
    filters=person_filters("participant__"),
)  # fmt: skip


def _documents_visible(user):
    # Health results and criminal records need the restricted permission (the model's rule).
    return PersonalDocument.objects.visible_to(user)


DOCUMENTS = Dataset(
    code="documents",
    label=_("Documents (metadata)"),
    model=PersonalDocument,
    visible=_documents_visible,
    person_path="participant_id",
    columns=[
        *person_columns("participant__"),
        Column("kind", _("Document"), "kind", Kind.CHOICE, choices=PersonalDocument.Kind),
        Column("number", _("Number"), "number", access=Access.IDENTIFIER),
        Column("issued_on", _("Issued on"), "issued_on", Kind.DATE),
        Column("expires_on", _("Expires on"), "expires_on", Kind.DATE),
        Column("file_name", _("File name"), "original_name", access=Access.IDENTIFIER),
    ],
    filters=person_filters("participant__"),
)  # fmt: skip

# The partner lists (/partner/batches/, /partner/participants/): the rows and filters of the pages.


def _batches_prepared(queryset):
    return queryset.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.OPEN_STATUSES))
    )


def _latest_phase():
    return Subquery(
        Placement.objects.filter(participant=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("phase")[:1]
    )


def _participants_prepared(queryset):
    certificates = (
        Certificate.objects.filter(enrolment__participant=OuterRef("pk"))
        .order_by()
        .values("enrolment__participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        placement_phase=_latest_phase(), certificate_count=Subquery(certificates)
    )


def _by_phase(queryset, value):
    """People whose latest placement is in phase `value`."""
    later = Placement.objects.filter(participant=OuterRef("participant_id")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    current = Placement.objects.filter(participant=OuterRef("pk"), phase=value).exclude(
        Exists(later)
    )
    return queryset.filter(Exists(current))


def _by_batch(queryset, value):
    return queryset.filter(
        Exists(Enrolment.objects.filter(participant=OuterRef("pk"), batch=value))
    )


PARTNER_BATCHES = Dataset(
    code="partner_batches",
    label=_("Batches"),
    page_download=True,
    model=Batch,
    visible=lambda user: Batch.objects.visible_to(user),
    prepare=_batches_prepared,
    columns=[
        Column("code", _("Batch code"), "code"),
        Column("name", _("Batch"), "name"),
        Column("programme", _("Programme"), "programme__name"),
        Column("track", _("Track"), "track__name"),
        Column("provider", _("Provider"), "provider__name"),
        Column("venue", _("Venue"), "venue"),
        Column("timezone", _("Venue time zone"), "timezone"),
        Column("starts_on", _("Starts on"), "starts_on", Kind.DATE),
        Column("ends_on", _("Ends on"), "ends_on", Kind.DATE),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=Batch.Status),
        Column("capacity", _("Capacity"), "capacity", Kind.NUMBER),
        Column("enrolled", _("Enrolled"), "enrolled", Kind.NUMBER),
    ],
    filters=[
        status_filter("status", Batch.Status),
        Filter(
            "q",
            _("name or code contains"),
            lambda rows, text: rows.filter(Q(name__icontains=text) | Q(code__icontains=text)),
            None,
        ),
    ],
)

PARTNER_PARTICIPANTS = Dataset(
    code="partner_participants",
    label=_("Participants with phase"),
    page_download=True,
    model=Participant,
    visible=lambda user: Participant.objects.visible_to(user),
    prepare=_participants_prepared,
    person_path="pk",
    columns=[
        *person_columns(""),
        Column("former_prisoner", _("Former prisoner"), "is_former_prisoner", Kind.BOOL),
        Column("sr_student", _("Sekolah Rakyat student"), "is_sr_student", Kind.BOOL),
        Column(
            "returning_worker",
            _("Returning migrant worker"),
            "is_returning_worker",
            Kind.BOOL,
        ),
        Column("province", _("Province"), "province__name"),
        Column("status", _("Status"), "status", Kind.CHOICE, choices=Participant.Status),
        Column("phase", _("Placement phase"), "placement_phase", Kind.CHOICE, choices=Phase),
        Column("certificates", _("Certificates"), "certificate_count", Kind.NUMBER),
    ],
    filters=[
        Filter(
            "batch",
            _("batch"),
            _by_batch,
            lambda: list(Batch.objects.values_list("pk", "name")),
        ),
        status_filter("status", Participant.Status),
        *[f for f in person_filters("") if f.code in {"category", "province"}],
        Filter("phase", _("phase"), _by_phase, lambda: Phase.choices),
        Filter(
            "q", _("name contains"), lambda rows, text: rows.filter(full_name__icontains=text), None
        ),
    ],
)

DATASETS = {
    dataset.code: dataset
    for dataset in [
        PARTICIPANTS,
        PARTICIPATIONS,
        ENROLMENTS,
        ATTENDANCE,
        ASSESSMENTS,
        CERTIFICATES,
        PLACEMENTS,
        PHASE_HISTORY,
        JOB_ORDERS,
        AGREEMENTS,
        COMMITMENTS,
        CASES,
        CONSENTS,
        DOCUMENTS,
        PARTNER_BATCHES,
        PARTNER_PARTICIPANTS,
    ]
}

# What a participant's own-data download holds: every list about a person.
SUBJECT_DATASETS = [
    code for code, dataset in DATASETS.items() if dataset.person_path and not dataset.page_download
]


def datasets_for(user):
    """The lists `user` may export at all."""
    return [
        dataset
        for dataset in DATASETS.values()
        if dataset.allowed_for(user) and not dataset.page_download
    ]
