"""The analyst export pages (/analyst/, /analyst/exports/...) and the participant's own-data
download (/me/data.xlsx): who may use them, what the form produces and how files are delivered."""

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from partners.models import ScopeItem
from portal.celery import app
from portal.exports import views
from portal.exports.models import ExportRun
from portal.exports.services import export_start
from tests import factories

from .helpers import csv_rows

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.exports.urls")]

NIK = "5171011705900001"
ANALYST_PAGES = ["exports:analyst_home", "exports:new", "exports:jobs", "exports:exchanges"]
RUN_PAGES = ["exports:job", "exports:progress", "exports:download"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_tasks():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def url(name, *args):
    return reverse(name, args=args)


def body(response):
    """The bytes of a response, streamed or not (consumed with English headers)."""
    with translation.override("en"):
        if response.streaming:
            return b"".join(response.streaming_content)
        return response.content


def table(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def sheets(data):
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook
    }


def export(client, **fields):
    fields.setdefault("datasets", ["participants"])
    fields.setdefault("format", "csv")
    return client.post(url("exports:new"), fields)


def finished_run(user, *, hours=24, **options):
    """A done Excel export of `user` with a file on disk, expiring in `hours`."""
    from portal.exports.services import build_xlsx_file

    run = export_start(user=user, datasets=["participants"], format="xlsx", **options)
    build_xlsx_file(run=run)
    run.expires_at = timezone.now() + dt.timedelta(hours=hours)
    run.save(update_fields=["expires_at"])
    return run


@pytest.fixture
def person(db):
    return factories.ParticipantFactory(nik=NIK, full_name="Made Wirawan", province_id="51")


@pytest.fixture
def kemensos(db):
    return factories.OrganisationFactory(name="Kemensos", slug="kemensos", kind="ministry")


@pytest.fixture
def exchange_agreement(kemensos):
    agreement = factories.AgreementFactory(number="MOU/KEMENSOS/2025", parties=[kemensos])
    agreement.scope_items.add(
        ScopeItem.objects.create(code="data", name="Data exchange", covers_data_exchange=True)
    )
    return agreement


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ANALYST_PAGES + ["exports:own_data"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(url(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", RUN_PAGES)
def test_anonymous_visitors_of_a_run_are_sent_to_the_login_page(client, analyst_user, name):
    run = finished_run(analyst_user)

    response = client.get(url(name, run.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["participant_account", "partner_user"])
@pytest.mark.parametrize("name", ANALYST_PAGES)
def test_participants_and_partner_staff_are_refused_the_analyst_pages(
    client, request, persona, name
):
    login(client, request.getfixturevalue(persona))

    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize("persona", ["participant_account", "partner_user"])
@pytest.mark.parametrize("name", RUN_PAGES)
def test_participants_and_partner_staff_are_refused_a_run(
    client, request, analyst_user, persona, name
):
    run = finished_run(analyst_user)
    login(client, request.getfixturevalue(persona))

    assert client.get(url(name, run.pk)).status_code == 403


def test_partner_staff_cannot_post_an_export(client, partner_user):
    login(client, partner_user)

    assert export(client).status_code == 403
    assert not ExportRun.objects.exists()


def test_the_analysts_home_links_exports_jobs_and_imports_but_not_the_exchange_log(
    client, analyst_user
):
    page = login(client, analyst_user).get(url("exports:analyst_home")).content.decode()

    assert url("exports:new") in page
    assert url("exports:jobs") in page
    assert reverse("imports:index") in page
    assert url("exports:exchanges") not in page


@pytest.mark.parametrize("persona", ["ministry_admin", "ministry_officer"])
def test_ministry_staff_see_the_exchange_log_on_the_analysts_home(client, request, persona):
    page = login(client, request.getfixturevalue(persona)).get(url("exports:analyst_home"))

    assert page.status_code == 200
    assert url("exports:exchanges") in page.content.decode()


@pytest.mark.parametrize("name", ["exports:analyst_home", "exports:new", "exports:jobs"])
@pytest.mark.parametrize("persona", ["analyst_user", "ministry_admin"])
def test_analysts_and_ministry_admins_open_the_export_pages(client, request, persona, name):
    assert login(client, request.getfixturevalue(persona)).get(url(name)).status_code == 200


@pytest.mark.parametrize("name", ["exports:jobs", "exports:progress", "exports:download"])
def test_the_read_only_pages_answer_405_to_a_post(client, analyst_user, name):
    run = finished_run(analyst_user)
    login(client, analyst_user)
    address = url(name, run.pk) if name != "exports:jobs" else url(name)

    assert client.post(address).status_code == 405


# --- the form ---------------------------------------------------------------------------------


def test_the_form_explains_lists_formats_filters_and_pseudonymises_analysts_by_default(
    client, analyst_user
):
    page = login(client, analyst_user).get(url("exports:new")).content.decode()

    assert "<legend>Lists</legend>" in page
    assert "One row per person" in page  # each list has a description
    assert 'value="cases"' not in page  # cases need the case permission
    assert 'name="filter_province"' in page and 'name="filter_track"' in page
    assert "Applies to: Participants" in page
    assert 'id="id_pseudonymise" checked>' in page
    assert "For another organisation (data exchange)" in page
    assert 'name="recipient"' in page


def test_a_ministry_admin_is_not_pseudonymised_by_default_and_may_export_cases(
    client, ministry_admin
):
    page = login(client, ministry_admin).get(url("exports:new")).content.decode()

    assert 'id="id_pseudonymise">' in page
    assert 'value="cases"' in page


def test_the_form_streams_a_csv_whose_rows_are_the_layers(client, ministry_admin, person):
    factories.ParticipantFactory(full_name="Ketut Sari")
    response = export(login(client, ministry_admin), pseudonymise="")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = table(body(response))
    with translation.override("en"):
        expected = csv_rows(
            export_start(user=ministry_admin, datasets=["participants"], format="csv")
        )
    assert rows == expected
    assert [row[rows[0].index("NIK")] for row in rows[1:]][0] == NIK
    run = ExportRun.objects.order_by("pk").first()
    assert (run.status, run.row_count, run.user) == ("done", 2, ministry_admin)


def test_the_streamed_headers_are_in_the_language_of_the_page(client, ministry_admin, person):
    response = export(login(client, ministry_admin))

    with translation.override("id"):
        header = table(b"".join(response.streaming_content))[0]
        assert translation.gettext("Phone") == "Telepon"
    assert "Phone" in header


def test_a_download_stopped_half_way_is_recorded_as_interrupted(rf, ministry_admin):
    factories.ParticipantFactory.create_batch(3)
    # The view itself (the test client would reconnect the connection cleanup on close).
    request = rf.post(url("exports:new"), {"datasets": ["participants"], "format": "csv"})
    request.user = ministry_admin
    response = views.export_new(request)

    next(iter(response.streaming_content))
    # Keep the test's database connection open when the response ends, as the client does.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)

    assert ExportRun.objects.get().status == "interrupted"


def test_an_analysts_csv_is_pseudonymised_when_the_box_stays_checked(client, analyst_user, person):
    rows = table(body(export(login(client, analyst_user), pseudonymise="on")))

    assert rows[0][0] == "Pseudonym"
    assert "Made Wirawan" not in str(rows) and NIK not in str(rows)


def test_the_filters_narrow_the_rows(client, ministry_admin, person):
    factories.ParticipantFactory(full_name="Jakarta Person", province_id="31", regency_id=None)

    rows = table(body(export(login(client, ministry_admin), filter_province="51")))

    names = [row[rows[0].index("Full name")] for row in rows[1:]]
    assert names == ["Made Wirawan"]
    assert ExportRun.objects.get().filters == {"province": "51"}


def test_two_lists_in_one_csv_are_explained_and_nothing_is_recorded(client, ministry_admin):
    response = export(login(client, ministry_admin), datasets=["participants", "placements"])

    assert response.status_code == 200
    assert "A CSV file holds one list" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_a_filter_none_of_the_chosen_lists_has_is_explained(client, ministry_admin):
    response = export(login(client, ministry_admin), datasets=["job_orders"], filter_province="51")

    assert "None of the chosen lists has the filter province" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_a_small_excel_export_is_answered_at_once(client, ministry_admin, person):
    factories.ParticipationFactory(participant=person)
    response = export(
        login(client, ministry_admin), datasets=["participants", "participations"], format="xlsx"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="portal-')
    assert response["X-Content-Type-Options"] == "nosniff"
    workbook = sheets(body(response))
    assert list(workbook) == ["Participants", "Participations"]
    assert workbook["Participants"][1][0] == NIK
    assert ExportRun.objects.get().status == "done"


@pytest.fixture
def two_rows_in_the_request(settings):
    settings.EXPORT_BACKGROUND_ROWS = 2


def test_a_large_excel_export_goes_to_the_worker_and_shows_a_progress_bar(
    client, analyst_user, two_rows_in_the_request, django_capture_on_commit_callbacks
):
    factories.ParticipantFactory.create_batch(3)
    login(client, analyst_user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = export(client, format="xlsx")

    run = ExportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("exports:job", run.pk)
    assert len(callbacks) == 1
    assert (run.status, run.rows_total) == ("pending", 3)
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "js/import-progress.js" in page
    assert url("exports:job", run.pk) in page  # the refresh link without JavaScript
    assert "<script>" not in page
    progress = client.get(url("exports:progress", run.pk)).json()
    assert progress == {"status": "pending", "finished": False, "done": 0, "total": 3}


def test_the_worker_writes_the_large_export_and_its_owner_downloads_it(
    client, analyst_user, two_rows_in_the_request, eager_tasks, django_capture_on_commit_callbacks
):
    factories.ParticipantFactory.create_batch(3)
    login(client, analyst_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, format="xlsx")
    run = ExportRun.objects.get()

    page = client.get(response["Location"]).content.decode()
    assert "<progress" not in page
    assert url("exports:download", run.pk) in page
    assert client.get(url("exports:progress", run.pk)).json()["finished"] is True
    download = client.get(url("exports:download", run.pk))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    assert len(sheets(body(download))["Participants"]) == 4
    entry = LogEntry.objects.filter(object_pk=str(run.pk), actor=analyst_user).latest("pk")
    assert entry.additional_data["event"] == "download"


def test_the_jobs_list_shows_the_download_link_and_its_expiry(client, analyst_user):
    run = finished_run(analyst_user)

    page = login(client, analyst_user).get(url("exports:jobs")).content.decode()

    assert url("exports:download", run.pk) in page
    assert "until" in page and "Participants" in page


def test_another_analyst_gets_404_for_the_run_and_its_file(client, analyst_user):
    run = finished_run(analyst_user)
    other = factories.UserFactory(username="analyst2", role="analyst")
    login(client, other)

    for name in RUN_PAGES:
        assert client.get(url(name, run.pk)).status_code == 404, name
    assert url("exports:job", run.pk) not in client.get(url("exports:jobs")).content.decode()


def test_a_ministry_admin_sees_an_analysts_run_but_only_its_owner_downloads_it(
    client, analyst_user, ministry_admin
):
    run = finished_run(analyst_user)
    login(client, ministry_admin)

    page = client.get(url("exports:job", run.pk))
    assert page.status_code == 200
    assert url("exports:download", run.pk) not in page.content.decode()
    assert "Only the person who made this export" in page.content.decode()
    assert client.get(url("exports:download", run.pk)).status_code == 404


def test_an_expired_link_answers_410_with_the_way_to_export_again(client, analyst_user):
    run = finished_run(analyst_user, hours=-1)

    response = login(client, analyst_user).get(url("exports:download", run.pk))

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert url("exports:new") in response.content.decode()
    assert not LogEntry.objects.filter(
        object_pk=str(run.pk), additional_data__event="download"
    ).exists()


def test_a_csv_run_has_no_file_to_download(client, analyst_user, person):
    run = export_start(user=analyst_user, datasets=["participants"], format="csv")
    csv_rows(run)

    login(client, analyst_user)
    assert client.get(url("exports:download", run.pk)).status_code == 404
    assert "not kept" in client.get(url("exports:job", run.pk)).content.decode()


# --- data exchange from the form --------------------------------------------------------------


def test_an_exchange_not_covered_by_the_agreement_is_refused_with_the_reason(
    client, ministry_admin, kemensos, person
):
    plain = factories.AgreementFactory(number="PKS/PLAIN", parties=[kemensos])

    response = export(
        login(client, ministry_admin), recipient=kemensos.pk, agreement=plain.pk, purpose="DTSEN"
    )

    assert response.status_code == 200
    assert "does not cover data exchange" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_an_exchange_without_a_purpose_is_refused(
    client, analyst_user, kemensos, exchange_agreement
):
    response = export(
        login(client, analyst_user), recipient=kemensos.pk, agreement=exchange_agreement.pk
    )

    assert "Say what the data is for" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_an_agreement_without_a_recipient_asks_for_the_recipient(
    client, analyst_user, exchange_agreement
):
    response = export(login(client, analyst_user), agreement=exchange_agreement.pk)

    assert "Choose the organisation that receives the data" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_an_allowed_exchange_is_exported_and_logged(
    client, ministry_admin, kemensos, exchange_agreement, person
):
    response = export(
        login(client, ministry_admin),
        recipient=kemensos.pk,
        agreement=exchange_agreement.pk,
        purpose="DTSEN match",
    )
    body(response)

    run = ExportRun.objects.get()
    assert (run.recipient, run.agreement, run.purpose) == (
        kemensos,
        exchange_agreement,
        "DTSEN match",
    )
    assert run.row_count == 1 and len(run.sha256) == 64


# --- query counts -----------------------------------------------------------------------------


def make_runs(user, count):
    ExportRun.objects.bulk_create(
        ExportRun(user=user, datasets=["participants"], format="csv", status="done", row_count=n)
        for n in range(count)
    )


def test_the_jobs_list_costs_the_same_queries_for_five_or_fifty_runs(
    client, analyst_user, django_assert_max_num_queries
):
    # session, user, roles, user permissions, group permissions, count, runs with their users
    login(client, analyst_user)
    make_runs(analyst_user, 5)
    with django_assert_max_num_queries(7):
        page = client.get(url("exports:jobs")).content.decode()
    assert page.count(' scope="row"') == 5
    make_runs(analyst_user, 45)
    with django_assert_max_num_queries(7):
        page = client.get(url("exports:jobs")).content.decode()
    assert page.count(' scope="row"') == 25


# --- own data ---------------------------------------------------------------------------------


def test_a_participant_downloads_their_own_data_only(client, participant_account, person):
    person.user = participant_account
    person.save()
    factories.ParticipationFactory(participant=person)
    factories.ParticipantFactory(full_name="Someone Else")

    response = login(client, participant_account).get(url("exports:own_data"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["X-Content-Type-Options"] == "nosniff"
    workbook = sheets(body(response))
    people = workbook["Participants"]
    assert len(people) == 2
    assert people[1][people[0].index("NIK")] == NIK  # unmasked: it is their own
    assert "Someone Else" not in str(workbook)
    assert len(workbook["Participations"]) == 2
    run = ExportRun.objects.get()
    assert (run.subject, run.user) == (person, participant_account)


@pytest.mark.parametrize("persona", ["participant_account", "analyst_user", "partner_user"])
def test_users_without_a_participant_record_get_404_for_own_data(client, request, persona):
    login(client, request.getfixturevalue(persona))

    assert client.get(url("exports:own_data")).status_code == 404
    assert not ExportRun.objects.exists()
