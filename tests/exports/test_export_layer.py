"""The export layer: who sees which rows and fields, pseudonyms, formula neutralisation, audit."""

import datetime as dt
import tracemalloc
import types

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from participants.models import FormerPrisonerProfile, ReturningWorkerProfile
from portal.exports.models import ExportedPerson, ExportRun
from portal.exports.services import (
    ExportRefused,
    export_start,
    exports_including,
    stream_csv,
)
from tests import factories

from .helpers import csv_dicts, csv_rows, xlsx_sheets

pytestmark = pytest.mark.django_db

NIK = "5171011705900001"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def prisoner(db):
    person = factories.ParticipantFactory(
        nik=NIK, full_name="Made Wirawan", is_former_prisoner=True, phone="+6281234567890"
    )
    FormerPrisonerProfile.objects.create(participant=person, sentence_months=30, notes="CANARY")
    return person


def start(user, **options):
    options.setdefault("datasets", ["participants"])
    options.setdefault("format", "csv")
    return export_start(user=user, **options)


def test_ministry_admin_sees_full_nik_and_restricted_fields(ministry_admin, prisoner):
    rows = csv_dicts(start(ministry_admin))

    assert rows == [rows[0]]
    assert rows[0]["NIK"] == NIK
    assert rows[0]["Full name"] == "Made Wirawan"
    assert rows[0]["Sentence (months)"] == "30"
    assert rows[0]["Corrections notes"] == "CANARY"


def test_without_the_nik_permission_the_nik_is_masked_and_restricted_fields_left_out(
    ministry_admin, prisoner
):
    officer = factories.UserFactory(role="ministry_officer")
    officer.groups.first().permissions.remove(
        *Permission.objects.filter(codename__in=["view_nik", "view_restricted"])
    )

    (row,) = csv_dicts(start(officer))

    assert row["NIK"] == "5171********0001"
    assert "Sentence (months)" not in row
    assert "Corrections notes" not in row
    assert "CANARY" not in str(row)


def test_an_analysts_export_is_pseudonymised_by_default(analyst_user, prisoner):
    run = start(analyst_user)
    (row,) = csv_dicts(run)

    assert run.pseudonymised
    assert row["Pseudonym"].startswith("P-")
    assert NIK not in str(row) and "Made Wirawan" not in str(row)
    assert "NIK" not in row and "Full name" not in row and "Phone" not in row
    # A birth date is reduced to its year.
    assert row["Birth date"] == str(prisoner.birth_date.year)


def test_pseudonyms_join_the_sheets_of_one_export_and_differ_between_exports(
    analyst_user, prisoner
):
    factories.ParticipationFactory(participant=prisoner)
    run = start(analyst_user, datasets=["participants", "participations"], format="xlsx")
    sheets = xlsx_sheets(run)
    people = sheets["Participants"]
    participations = sheets["Participations"]
    assert people[0][0] == participations[0][0] == "Pseudonym"
    assert people[1][0] == participations[1][0]

    (other,) = csv_dicts(start(analyst_user))
    assert other["Pseudonym"] != people[1][0]


def test_an_analyst_may_ask_for_names_but_the_nik_stays_masked(analyst_user, prisoner):
    (row,) = csv_dicts(start(analyst_user, pseudonymise=False))

    assert row["Full name"] == "Made Wirawan"
    assert row["NIK"] == "5171********0001"


def test_partner_staff_export_only_the_people_shared_with_their_organisation(
    partner_user, organisation_a, organisation_b
):
    mine = factories.ParticipantFactory(full_name="Shared With A")
    theirs = factories.ParticipantFactory(full_name="Shared With B")
    no_consent = factories.ParticipantFactory(full_name="No Consent")
    factories.share_with(mine, organisation_a)
    factories.share_with(theirs, organisation_b)
    factories.share_with(no_consent, organisation_a, consent=False)

    names = [row["Full name"] for row in csv_dicts(start(partner_user))]

    assert names == ["Shared With A"]


def test_partner_staff_cannot_export_cases(partner_user):
    with pytest.raises(PermissionDenied):
        start(partner_user, datasets=["cases"])


def test_participants_cannot_use_the_staff_export(participant_account):
    with pytest.raises(PermissionDenied):
        start(participant_account)


def test_the_province_filter_and_an_unknown_code_are_explained(ministry_admin, prisoner):
    factories.ParticipantFactory(province_id="31", regency_id=None)

    rows = csv_dicts(start(ministry_admin, filters={"province": "51"}))
    assert [row["NIK"] for row in rows] == [NIK]

    with pytest.raises(ValidationError, match="Unknown province 99"):
        start(ministry_admin, filters={"province": "99"})
    with pytest.raises(ValidationError, match="filter colour"):
        start(ministry_admin, filters={"colour": "red"})


def test_a_csv_holds_one_list(ministry_admin):
    with pytest.raises(ValidationError, match="one list"):
        start(ministry_admin, datasets=["participants", "placements"])


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_cells_that_could_run_as_formulas_are_neutralised(ministry_admin, text):
    factories.ParticipantFactory(full_name=text, address=text)

    (row,) = csv_dicts(start(ministry_admin))
    assert row["Full name"] == "'" + text
    assert row["Address"] == "'" + text

    sheet = xlsx_sheets(start(ministry_admin, format="xlsx"))["Participants"]
    header = sheet[0]
    # (XML turns a carriage return into a line feed; the apostrophe stays first.)
    assert sheet[1][header.index("Full name")].replace("\n", "\r") in ("'" + text, "'\n" + text[1:])


def test_validated_values_are_written_as_they_are(ministry_admin, prisoner):
    (row,) = csv_dicts(start(ministry_admin))

    assert row["Phone"] == "+6281234567890"
    assert row["Birth date"] == prisoner.birth_date.isoformat()
    sheet = xlsx_sheets(start(ministry_admin, format="xlsx"))["Participants"]
    header = sheet[0]
    assert sheet[1][header.index("Phone")] == "+6281234567890"
    assert sheet[1][header.index("Birth date")].date() == prisoner.birth_date


def test_headers_follow_the_users_language(ministry_admin, prisoner):
    with translation.override("id"):
        header = csv_rows(start(ministry_admin))[0]

    assert "Nama lengkap" in header, header


def test_every_export_is_audited_with_its_people(ministry_admin, prisoner):
    other = factories.ParticipantFactory()
    run = start(ministry_admin, filters={"category": "former_prisoner"})
    csv_rows(run)

    run.refresh_from_db()
    assert run.status == ExportRun.Status.DONE and run.row_count == 1
    assert list(exports_including(prisoner)) == [run]
    assert list(exports_including(other)) == []
    entry = LogEntry.objects.get(object_pk=str(run.pk), content_type__model="exportrun")
    assert entry.actor == ministry_admin
    assert entry.additional_data["filters"] == {"category": "former_prisoner"}
    assert entry.additional_data["rows"] == 1


def test_a_download_that_stops_half_way_is_recorded_as_interrupted(ministry_admin):
    factories.ParticipantFactory.create_batch(3)
    run = start(ministry_admin)
    stream = stream_csv(run=run)
    next(stream)
    stream.close()

    run.refresh_from_db()
    assert run.status == ExportRun.Status.INTERRUPTED


def test_the_csv_is_a_generator_whose_first_bytes_come_before_any_query(
    ministry_admin, django_assert_num_queries
):
    factories.ParticipantFactory.create_batch(3)
    run = start(ministry_admin)
    stream = stream_csv(run=run)

    assert isinstance(stream, types.GeneratorType)
    with django_assert_num_queries(1):  # marking the run as running
        first = next(stream)
    assert first.startswith("\ufeff".encode())
    assert b"\n" in first and first.count(b"\n") == 1
    stream.close()


def test_memory_does_not_grow_with_the_rows_streamed(ministry_admin):
    factories.ParticipantFactory.create_batch(50)

    def peak(rows):
        run = start(ministry_admin)
        stream = stream_csv(run=run)
        tracemalloc.start()
        for _ in range(rows):
            next(stream)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        stream.close()
        return peak

    # Header plus one batch, against streaming the whole list: the same order of memory.
    assert peak(2) > 0
    small, whole = peak(1), peak(2)
    assert whole < small + 2_000_000


# Data exchange


@pytest.fixture
def kemensos(db):
    return factories.OrganisationFactory(name="Kemensos", slug="kemensos", kind="ministry")


@pytest.fixture
def exchange_agreement(kemensos):
    from partners.models import ScopeItem

    agreement = factories.AgreementFactory(parties=[kemensos])
    agreement.scope_items.add(
        ScopeItem.objects.create(code="data", name="Data exchange", covers_data_exchange=True)
    )
    return agreement


def exchange(user, recipient, agreement, **options):
    return start(user, recipient=recipient, agreement=agreement, purpose="DTSEN match", **options)


def test_an_exchange_is_logged_with_agreement_recipient_purpose_rows_and_hash(
    ministry_admin, kemensos, exchange_agreement, prisoner
):
    run = exchange(ministry_admin, kemensos, exchange_agreement)
    data = b"".join(stream_csv(run=run))

    run.refresh_from_db()
    import hashlib

    assert run.is_exchange and run.row_count == 1
    assert run.sha256 == hashlib.sha256(data).hexdigest()
    assert list(ExportRun.objects.exchanges_visible_to(ministry_admin)) == [run]


def test_people_who_withdrew_consent_to_the_exchange_are_left_out_and_counted(
    ministry_admin, kemensos, exchange_agreement, prisoner
):
    withdrawn = factories.ParticipantFactory(full_name="Withdrew")
    factories.ConsentFactory(
        participant=withdrawn,
        purpose="data_exchange",
        given_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        withdrawn_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    run = exchange(ministry_admin, kemensos, exchange_agreement)

    names = [row["Full name"] for row in csv_dicts(run)]

    run.refresh_from_db()
    assert names == ["Made Wirawan"]
    assert run.excluded_count == 1
    assert not ExportedPerson.objects.filter(run=run, participant=withdrawn).exists()


def test_an_exchange_without_an_agreement_covering_data_exchange_is_refused(
    ministry_admin, kemensos
):
    plain = factories.AgreementFactory(parties=[kemensos])
    with pytest.raises(ExportRefused, match="does not cover data exchange"):
        exchange(ministry_admin, kemensos, plain)


def test_an_exchange_under_an_expired_agreement_or_with_a_non_party_is_refused(
    ministry_admin, kemensos, exchange_agreement, organisation_b
):
    with pytest.raises(ExportRefused, match="not a party"):
        exchange(ministry_admin, organisation_b, exchange_agreement)
    exchange_agreement.valid_until = dt.date(2026, 1, 1)
    exchange_agreement.save()
    with pytest.raises(ExportRefused, match="not in force"):
        exchange(ministry_admin, kemensos, exchange_agreement)
    assert not ExportRun.objects.exists()


def test_partner_staff_make_no_exchange(partner_user, kemensos, exchange_agreement):
    with pytest.raises(PermissionDenied):
        exchange(partner_user, kemensos, exchange_agreement)


# The data subject's own download


def test_a_participant_downloads_all_their_own_data_unmasked(participant_account, prisoner):
    prisoner.user = participant_account
    prisoner.save()
    ReturningWorkerProfile.objects.create(participant=prisoner, trafficking_notes="MINE")
    factories.ParticipantFactory(full_name="Someone Else")

    run = export_start(user=participant_account, datasets=None, format="xlsx", subject=prisoner)
    sheets = xlsx_sheets(run)

    people = sheets["Participants"]
    assert len(people) == 2
    row = dict(zip(people[0], people[1], strict=True))
    assert row["NIK"] == NIK
    assert row["Corrections notes"] == "CANARY"
    assert row["Trafficking notes"] == "MINE"
    assert "Job orders" not in sheets


def test_a_participant_cannot_download_someone_elses_data(participant_account, prisoner):
    with pytest.raises(PermissionDenied):
        export_start(user=participant_account, datasets=None, format="xlsx", subject=prisoner)
