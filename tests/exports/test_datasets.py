"""Every list of the export layer: headers, scoping per persona, permissions, filters, times."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from portal.exports.datasets import DATASETS
from portal.exports.services import export_start
from tests import factories

from .factories import (
    AssessmentFactory,
    AttendanceFactory,
    CertificateFactory,
    CommitmentFactory,
    DocumentFactory,
    PhaseChangeFactory,
)
from .helpers import csv_dicts, csv_rows, xlsx_sheets

pytestmark = pytest.mark.django_db

# 09:00 in Bali (WITA, UTC+8) and 08:00 in Jakarta (WIB, UTC+7).
SESSION_UTC = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


class World:
    """Two partners with a person each, a person of A's batch who withheld consent to partner
    sharing, and every kind of row the lists hold for each of them. `suffix` builds a second,
    independent copy (for the query-count tests)."""

    def __init__(self, organisation_a, organisation_b, suffix=""):
        self.a, self.b = organisation_a, organisation_b
        self.agreement_a = factories.AgreementFactory(parties=[self.a], number=f"PKS/A{suffix}")
        self.agreement_b = factories.AgreementFactory(parties=[self.b], number=f"PKS/B{suffix}")
        self.kk = factories.ProgrammeFactory(
            code="kesempatan-kedua", name="Kesempatan Kedua", agreements=[self.agreement_a]
        )
        self.sr = factories.ProgrammeFactory(
            code="kelas-migran-sr", name="Kelas Migran SR", agreements=[self.agreement_b]
        )
        welding = factories.TrackFactory(code="las-smaw", name="Las SMAW", kind="welding")
        japanese = factories.TrackFactory(
            code="bahasa-jepang", name="Bahasa Jepang", kind="language", language="ja",
            language_level="A2",
        )  # fmt: skip
        self.person_a = factories.ParticipantFactory(
            full_name=f"Wayan Shared A{suffix}", is_former_prisoner=True, province_id="51",
            regency_id="51.71",
        )  # fmt: skip
        self.person_b = factories.ParticipantFactory(
            full_name=f"Siti Shared B{suffix}", is_sr_student=True, province_id="35",
            regency_id=None,
        )  # fmt: skip
        self.withheld = factories.ParticipantFactory(
            full_name=f"Komang Withheld{suffix}", is_former_prisoner=True, status="inactive"
        )
        factories.share_with(self.person_a, self.a, programme=self.kk)
        factories.share_with(self.person_b, self.b, programme=self.sr)
        # Organisation A is responsible for this person, who gave no consent to partner sharing.
        withheld = factories.share_with(self.withheld, self.a, programme=self.kk, consent=False)
        withheld.status = "applied"
        withheld.save()

        self.batch_a = factories.BatchFactory(
            code=f"las-bali{suffix}", provider=self.a, programme=self.kk, track=welding,
            timezone="Asia/Makassar",
        )  # fmt: skip
        self.batch_b = factories.BatchFactory(
            code=f"jepang-sby{suffix}", provider=self.b, programme=self.sr, track=japanese,
            timezone="Asia/Jakarta",
        )  # fmt: skip
        enrolments = [
            factories.EnrolmentFactory(participant=self.person_a, batch=self.batch_a),
            factories.EnrolmentFactory(participant=self.withheld, batch=self.batch_a),
            factories.EnrolmentFactory(
                participant=self.person_b, batch=self.batch_b, status="completed"
            ),
        ]
        session_a = factories.SessionFactory(batch=self.batch_a, starts_at=SESSION_UTC)
        session_b = factories.SessionFactory(batch=self.batch_b, starts_at=SESSION_UTC)
        for enrolment in enrolments:
            session = session_a if enrolment.batch == self.batch_a else session_b
            AttendanceFactory(enrolment=enrolment, session=session, recorded_at=SESSION_UTC)
            AssessmentFactory(enrolment=enrolment)
            CertificateFactory(enrolment=enrolment)

        placement_a = factories.PlacementFactory(
            participant=self.person_a, country_id="JP", phase="selected"
        )
        placement_b = factories.PlacementFactory(
            participant=self.person_b, country_id="KR", phase="registered"
        )
        PhaseChangeFactory(placement=placement_a)
        PhaseChangeFactory(placement=placement_b, from_phase="", to_phase="registered")
        DocumentFactory(participant=self.person_a, kind="ktp")
        DocumentFactory(participant=self.person_a, kind="medical")
        DocumentFactory(participant=self.person_b, kind="passport")
        factories.CaseFactory(participant=self.person_a, summary="CASE-A-SUMMARY")
        factories.CaseFactory(participant=self.person_b, summary="CASE-B-SUMMARY")

        factories.JobOrderFactory(reference=f"JO-A-DRAFT{suffix}", agency=self.a, status="draft")
        factories.JobOrderFactory(
            reference=f"JO-B-DRAFT{suffix}", agency=self.b, status="draft", country_id="KR"
        )
        factories.JobOrderFactory(reference=f"JO-B-OPEN{suffix}", agency=self.b, status="open")
        CommitmentFactory(agreement=self.agreement_a, organisation=self.a, description="QUOTA-A")
        CommitmentFactory(agreement=self.agreement_b, organisation=self.b, description="QUOTA-B")


@pytest.fixture
def world(organisation_a, organisation_b):
    return World(organisation_a, organisation_b)


def export(user, code, **options):
    options.setdefault("format", "csv")
    return export_start(user=user, datasets=[code], **options)


def rows_of(user, code, **options):
    return csv_dicts(export(user, code, **options))


def values(rows, column):
    return {row[column] for row in rows}


A, B, WITHHELD = "Wayan Shared A", "Siti Shared B", "Komang Withheld"

# Headers each list must hold for a ministry admin, the first one first.
EXPECTED_HEADERS = {
    "participants": ["NIK", "Full name", "Birth date", "Province code", "Corrections notes"],
    "participations": ["NIK", "Full name", "Programme code", "Status", "Decided at"],
    "enrolments": [
        "NIK", "Full name", "Batch code", "Provider", "Sessions attended", "Attendance share",
        "Hours attended", "Latest score", "Completion rule met",
    ],
    "attendance": ["NIK", "Full name", "Batch code", "Session start (venue time)", "Attendance"],
    "assessments": ["NIK", "Full name", "Batch code", "Type", "Date", "Score", "Passed"],
    "certificates": ["NIK", "Full name", "Certificate number", "Language level", "Issued on"],
    "placements": ["Placement no.", "NIK", "Full name", "Country code", "Phase", "Contract end"],
    "phase_history": ["Placement no.", "NIK", "Full name", "From", "To", "Date", "Reason"],
    "job_orders": ["Reference", "Title", "Country code", "Positions", "Monthly salary", "Status"],
    "agreements": ["Agreement number", "Title", "Kind", "Status", "Valid until"],
    "commitments": ["Agreement number", "Agreement status", "Commitment", "Achieved so far"],
    "cases": ["Case no.", "NIK", "Full name", "Type", "Severity", "Summary", "Service plan"],
    "consents": ["NIK", "Full name", "Purpose", "Given by", "Given at", "Withdrawn at"],
    "documents": ["NIK", "Full name", "Document", "Number", "Expires on", "File name"],
    "partner_batches": ["Batch code", "Batch", "Provider", "Status", "Enrolled"],
    "partner_participants": ["NIK", "Full name", "Province", "Placement phase", "Certificates"],
}  # fmt: skip


def test_every_list_has_its_expected_headers_declared_here():
    assert set(EXPECTED_HEADERS) == set(DATASETS)


@pytest.mark.parametrize("code", list(DATASETS))
def test_every_list_exports_to_csv_and_xlsx_for_a_ministry_admin(world, ministry_admin, code):
    header, *rows = csv_rows(export(ministry_admin, code))

    assert rows, f"{code}: no rows"
    assert header[0] == EXPECTED_HEADERS[code][0]
    assert set(EXPECTED_HEADERS[code]) <= set(header)
    (sheet,) = xlsx_sheets(export(ministry_admin, code, format="xlsx")).values()
    assert list(sheet[0]) == header
    assert len(sheet) - 1 == len(rows)


# Scoping: partner staff


PARTNER_VIEW = {
    # list: (column, what staff of A see, what staff of B see)
    "participants": ("Full name", {A}, {B}),
    "participations": ("Full name", {A}, {B}),
    "enrolments": ("Full name", {A}, {B}),
    "attendance": ("Full name", {A}, {B}),
    "assessments": ("Full name", {A}, {B}),
    "certificates": ("Full name", {A}, {B}),
    "placements": ("Full name", {A}, {B}),
    "phase_history": ("Full name", {A}, {B}),
    "consents": ("Full name", {A}, {B}),
    # No medical check (a restricted kind) without participants.view_restricted.
    "documents": ("Document", {"Identity card (KTP)"}, {"Passport"}),
    "agreements": ("Agreement number", {"PKS/A"}, {"PKS/B"}),
    "commitments": ("Description", {"QUOTA-A"}, {"QUOTA-B"}),
    # Their own agency's orders and every open one.
    "job_orders": ("Reference", {"JO-A-DRAFT", "JO-B-OPEN"}, {"JO-B-DRAFT", "JO-B-OPEN"}),
}


@pytest.mark.parametrize("code", list(PARTNER_VIEW))
def test_partner_staff_export_only_the_rows_shared_with_their_organisation(
    world, partner_user, other_partner_user, code
):
    column, seen_by_a, seen_by_b = PARTNER_VIEW[code]

    assert values(rows_of(partner_user, code), column) == seen_by_a
    assert values(rows_of(other_partner_user, code), column) == seen_by_b


@pytest.mark.parametrize("code", ["enrolments", "attendance", "assessments", "certificates"])
def test_people_of_a_partners_batch_who_withheld_consent_are_not_in_its_export(
    world, partner_user, code
):
    run = export(partner_user, code, format="xlsx")
    (sheet,) = xlsx_sheets(run).values()

    assert WITHHELD not in str(sheet)
    assert world.withheld.nik[-4:] not in {str(cell)[-4:] for row in sheet for cell in row}


# Scoping: ministry staff limited to a province, cases, restricted fields


PERSON_LISTS = [code for code, dataset in DATASETS.items() if dataset.person_path]


@pytest.fixture
def bali_officer(ministry_officer):
    ministry_officer.provinces.add("51")
    return type(ministry_officer).objects.get(pk=ministry_officer.pk)


@pytest.mark.parametrize("code", PERSON_LISTS)
def test_an_officer_limited_to_a_province_exports_only_its_people(world, bali_officer, code):
    names = values(rows_of(bali_officer, code), "Full name")

    assert A in names
    assert B not in names


def test_an_officer_limited_to_a_province_exports_the_agreements_and_job_orders(
    world, bali_officer
):
    assert values(rows_of(bali_officer, "agreements"), "Agreement number") == {"PKS/A", "PKS/B"}
    assert len(rows_of(bali_officer, "job_orders")) == 3


def test_analysts_may_not_export_cases(world, analyst_user):
    with pytest.raises(PermissionDenied):
        export(analyst_user, "cases")


def without_restricted(user):
    user.groups.first().permissions.remove(
        Permission.objects.get(codename="view_restricted", content_type__app_label="participants")
    )
    return type(user).objects.get(pk=user.pk)


def test_case_fields_that_are_restricted_need_the_permission(world, ministry_officer):
    with_permission = rows_of(ministry_officer, "cases")
    assert values(with_permission, "Summary") == {"CASE-A-SUMMARY", "CASE-B-SUMMARY"}

    officer = without_restricted(ministry_officer)
    header, *rows = csv_rows(export(officer, "cases"))

    assert len(rows) == 2
    assert "Summary" not in header and "Assessment" not in header
    assert "CASE-A-SUMMARY" not in str(rows)


def test_restricted_documents_need_the_permission(world, ministry_officer):
    assert "Medical check" in values(rows_of(ministry_officer, "documents"), "Document")

    officer = without_restricted(ministry_officer)
    kinds = values(rows_of(officer, "documents"), "Document")

    assert kinds == {"Identity card (KTP)", "Passport"}


# Filters


FILTERS = [
    ("participants", {"programme": "kesempatan-kedua"}, "Full name", {A, WITHHELD}),
    ("participants", {"category": "sr_student"}, "Full name", {B}),
    ("participants", {"province": "35"}, "Full name", {B}),
    ("participants", {"status": "inactive"}, "Full name", {WITHHELD}),
    ("participations", {"programme": "kelas-migran-sr"}, "Full name", {B}),
    ("participations", {"status": "applied"}, "Full name", {WITHHELD}),
    ("enrolments", {"track": "bahasa-jepang"}, "Full name", {B}),
    ("enrolments", {"status": "completed"}, "Full name", {B}),
    ("enrolments", {"category": "former_prisoner"}, "Full name", {A, WITHHELD}),
    ("attendance", {"track": "las-smaw"}, "Full name", {A, WITHHELD}),
    ("attendance", {"programme": "kelas-migran-sr"}, "Full name", {B}),
    ("assessments", {"programme": "kesempatan-kedua", "province": "51"}, "Full name",
     {A, WITHHELD}),
    ("certificates", {"track": "bahasa-jepang"}, "Full name", {B}),
    ("placements", {"phase": "selected"}, "Full name", {A}),
    ("placements", {"country": "KR"}, "Full name", {B}),
    ("placements", {"programme": "kesempatan-kedua"}, "Full name", {A}),
    ("phase_history", {"country": "JP"}, "Full name", {A}),
    ("phase_history", {"category": "sr_student"}, "Full name", {B}),
    ("job_orders", {"country": "KR"}, "Reference", {"JO-B-DRAFT"}),
    ("job_orders", {"status": "open"}, "Reference", {"JO-B-OPEN"}),
    ("cases", {"province": "51"}, "Full name", {A}),
    ("cases", {"status": "open"}, "Full name", {A, B}),
    ("consents", {"province": "35"}, "Full name", {B}),
    ("documents", {"category": "sr_student"}, "Full name", {B}),
]  # fmt: skip


@pytest.mark.parametrize(("code", "filters", "column", "expected"), FILTERS)
def test_the_filters_of_each_list_select_its_rows(
    world, ministry_admin, code, filters, column, expected
):
    assert values(rows_of(ministry_admin, code, filters=filters), column) == expected


UNKNOWN = [
    (code, f.code)
    for code, dataset in DATASETS.items()
    for f in dataset.filters
    if f.choices is not None
]
SEARCHES = [
    (code, f.code)
    for code, dataset in DATASETS.items()
    for f in dataset.filters
    if f.choices is None
]


@pytest.mark.parametrize(("code", "filter_code"), UNKNOWN)
def test_an_unknown_filter_value_is_refused_with_a_message_naming_it(
    world, ministry_admin, code, filter_code
):
    label = DATASETS[code].filter_map()[filter_code].label
    with pytest.raises(ValidationError, match=f"Unknown {label} no-such-value"):
        export(ministry_admin, code, filters={filter_code: "no-such-value"})


@pytest.mark.parametrize(("code", "filter_code"), SEARCHES)
def test_a_search_longer_than_100_characters_is_refused(world, ministry_admin, code, filter_code):
    with pytest.raises(ValidationError, match="longer than 100"):
        export(ministry_admin, code, filters={filter_code: "x" * 101})


@pytest.mark.parametrize("code", ["agreements", "commitments"])
def test_a_filter_a_list_does_not_have_is_refused(world, ministry_admin, code):
    with pytest.raises(ValidationError, match="filter programme"):
        export(ministry_admin, code, filters={"programme": "kesempatan-kedua"})


# Times


def test_attendance_is_written_in_the_venues_time_zone(world, ministry_admin):
    rows = {row["Batch code"]: row for row in rows_of(ministry_admin, "attendance")}

    # The same instant: 09:00 WITA in Bali, 08:00 WIB in Surabaya.
    assert rows["las-bali"]["Session start (venue time)"] == "2026-11-02T09:00:00+08:00"
    assert rows["jepang-sby"]["Session start (venue time)"] == "2026-11-02T08:00:00+07:00"
    # Other times of the list in Asia/Jakarta.
    assert rows["las-bali"]["Recorded at"] == "2026-11-02T08:00:00+07:00"

    (sheet,) = xlsx_sheets(export(ministry_admin, "attendance", format="xlsx")).values()
    header = sheet[0]
    start = header.index("Session start (venue time)")
    batch = header.index("Batch code")
    starts = {row[batch]: row[start] for row in sheet[1:]}
    assert starts["las-bali"] == dt.datetime(2026, 11, 2, 9, 0)
    assert starts["jepang-sby"] == dt.datetime(2026, 11, 2, 8, 0)


def test_other_times_are_written_in_jakarta_time(world, ministry_admin):
    recorded = values(rows_of(ministry_admin, "phase_history"), "Recorded at")

    assert recorded == {"2026-11-20T09:30:00+07:00"}


# Pseudonyms across sheets


def test_the_pseudonym_joins_participants_with_enrolments_and_placements(world, analyst_user):
    run = export_start(
        user=analyst_user,
        datasets=["participants", "enrolments", "placements"],
        format="xlsx",
    )
    sheets = xlsx_sheets(run)

    def by(sheet_title, column):
        header, *rows = sheets[sheet_title]
        assert header[0] == "Pseudonym"
        assert "NIK" not in header and "Full name" not in header
        index = header.index(column)
        return {row[index]: row[0] for row in rows}

    people = by("Participants", "Province code")
    enrolments = by("Enrolments with progress", "Batch code")
    placements = by("Placements", "Country code")
    assert people["35"] == enrolments["jepang-sby"] == placements["KR"]
    assert people["35"] != placements["JP"]
    text = str(sheets)
    assert B not in text and world.person_b.nik not in text


@pytest.mark.parametrize("code", [code for code in PERSON_LISTS if code != "cases"])
def test_an_analysts_export_of_every_person_list_names_no_one(world, analyst_user, code):
    (sheet,) = xlsx_sheets(export(analyst_user, code, format="xlsx")).values()

    assert sheet[0][0] == "Pseudonym"
    assert len(sheet) > 1 and all(str(row[0]).startswith("P-") for row in sheet[1:])
    text = str(sheet)
    assert "********" not in text  # no masked NIK either
    for person in (world.person_a, world.person_b, world.withheld):
        assert person.full_name not in text and person.nik not in text


# Queries


@pytest.mark.parametrize("code", list(DATASETS))
def test_the_queries_of_an_export_do_not_grow_with_its_rows(
    world, organisation_a, organisation_b, ministry_admin, code
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            csv_rows(export(ministry_admin, code))
        return len(captured)

    queries()  # the user's permissions and roles are cached from here on
    before = queries()
    for n in range(3):
        World(organisation_a, organisation_b, suffix=f"-{n}")

    assert queries() == before
