"""The import pages at /analyst/import/: upload, dry-run preview, commit, history, downloads and
the background path with its progress endpoint."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from participants.models import ImportRun, Participant
from participants.tasks import import_participants_task, progress_get, upload_name
from portal.celery import app
from tests.factories import UserFactory, make_nik

pytestmark = pytest.mark.django_db

HEADER = "NIK,Nama lengkap,Tanggal lahir,Jenis kelamin (L/P),Kabupaten/Kota,Provinsi\n"
BAD_ROW = "12345,Nik Terlalu Pendek,17-05-1990,L,Kota Denpasar,Bali\n"
INDEX = reverse("imports:index")


def person(serial, *, birth=dt.date(1990, 5, 17)):
    nik = make_nik(birth=birth, serial=serial)
    return f"{nik},Orang Nomor {serial},{birth:%d-%m-%Y},L,Kota Denpasar,Bali\n"


def sheet(*rows, name="peserta.csv"):
    return SimpleUploadedFile(name, (HEADER + "".join(rows)).encode(), content_type="text/csv")


def people(count, start=1):
    return [person(serial) for serial in range(start, start + count)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    client.force_login(user)
    return client


def upload(client, *rows, follow=False):
    return client.post(INDEX, {"file": sheet(*rows)}, follow=follow)


def last_run():
    return ImportRun.objects.order_by("-pk").first()


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["imports:index", "imports:template_csv"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["participant_account", "partner_user", "ministry_officer"])
@pytest.mark.parametrize("url_name", ["imports:index", "imports:template_xlsx"])
def test_people_without_the_import_permission_are_refused(client, request, persona, url_name):
    login(client, request.getfixturevalue(persona))

    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("persona", ["analyst_user", "ministry_admin"])
def test_analysts_and_ministry_admins_see_the_import_page(client, request, persona):
    response = login(client, request.getfixturevalue(persona)).get(INDEX)

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_the_home_page_links_analysts_to_the_import_page(client, analyst_user):
    page = login(client, analyst_user).get(reverse("home")).content.decode()

    assert INDEX in page


def test_another_analysts_run_is_a_404_but_a_ministry_admin_sees_it(
    client, analyst_user, ministry_admin
):
    other = UserFactory(username="analyst2", role="analyst")
    upload(login(client, other), person(1), BAD_ROW)
    run = last_run()
    client.logout()

    login(client, analyst_user)
    for name in ("run", "progress", "report", "rejected_csv", "rejected_xlsx"):
        assert client.get(reverse(f"imports:{name}", args=[run.pk])).status_code == 404, name
    assert client.post(reverse("imports:commit", args=[run.pk])).status_code == 404
    assert "peserta.csv" not in client.get(INDEX).content.decode()
    client.logout()

    login(client, ministry_admin)
    assert client.get(reverse("imports:run", args=[run.pk])).status_code == 200
    assert "peserta.csv" in client.get(INDEX).content.decode()


def test_the_commit_answers_405_to_a_get(client, analyst_user):
    upload(login(client, analyst_user), person(1))

    assert client.get(reverse("imports:commit", args=[last_run().pk])).status_code == 405


# --- dry run and commit -----------------------------------------------------------------------


def test_an_upload_is_checked_first_and_the_preview_shows_row_column_and_reason(
    client, analyst_user
):
    client.cookies["django_language"] = "en"
    response = upload(login(client, analyst_user), person(1), BAD_ROW, follow=True)

    run = last_run()
    page = response.content.decode()
    assert (run.dry_run, run.status, run.user) == (True, "done", analyst_user)
    assert Participant.objects.count() == 0
    assert response.redirect_chain[-1][0] == reverse("imports:run", args=[run.pk])
    assert "<td>3</td>" in page  # the header is row 1
    assert "column “NIK”" in page
    assert "Import all (all or nothing)" in page
    assert "Import the valid rows" in page


def test_the_preview_shows_every_row_on_request(client, analyst_user):
    upload(login(client, analyst_user), person(1), BAD_ROW, person(2))

    page = client.get(reverse("imports:run", args=[last_run().pk]), {"show": "all"})

    assert make_nik(serial=1) in page.content.decode()
    assert make_nik(serial=2) in page.content.decode()


def test_import_all_writes_nothing_while_a_row_is_rejected(client, analyst_user):
    upload(login(client, analyst_user), person(1), BAD_ROW)
    dry_run = last_run()

    response = client.post(reverse("imports:commit", args=[dry_run.pk]), {"mode": "all"})

    run = last_run()
    assert response["Location"] == reverse("imports:run", args=[run.pk])
    assert (run.dry_run, run.skip_invalid) == (False, False)
    assert run.counts["rejected"] == 1
    assert Participant.objects.count() == 0


def test_import_the_valid_rows_writes_them_and_keeps_the_rejected_ones(client, analyst_user):
    upload(login(client, analyst_user), person(1), BAD_ROW, person(2))

    client.post(reverse("imports:commit", args=[last_run().pk]), {"mode": "valid"})

    run = last_run()
    assert (run.dry_run, run.skip_invalid, run.status) == (False, True, "done")
    assert set(Participant.objects.values_list("nik", flat=True)) == {
        make_nik(serial=1),
        make_nik(serial=2),
    }
    assert client.get(reverse("imports:rejected_csv", args=[run.pk])).status_code == 200


def test_a_clean_file_is_imported_all_or_nothing(client, analyst_user):
    upload(login(client, analyst_user), *people(3))

    client.post(reverse("imports:commit", args=[last_run().pk]), {"mode": "all"})

    assert Participant.objects.count() == 3
    assert last_run().counts["new"] == 3


def test_only_a_finished_dry_run_can_be_committed(client, analyst_user):
    upload(login(client, analyst_user), person(1))
    client.post(reverse("imports:commit", args=[last_run().pk]), {"mode": "all"})
    committed = last_run()

    client.post(reverse("imports:commit", args=[committed.pk]), {"mode": "all"})

    assert last_run() == committed


def test_a_refused_file_shows_the_reason(client, analyst_user):
    login(client, analyst_user)
    bad = SimpleUploadedFile("kosong.csv", b"Warna,Rasa\nmerah,manis\n")

    response = client.post(INDEX, {"file": bad}, follow=True)

    assert last_run().status == "refused"
    assert last_run().message in response.content.decode()
    assert "Import all" not in response.content.decode()


# --- downloads --------------------------------------------------------------------------------


def test_the_rejected_rows_come_back_with_a_reason_column(client, analyst_user):
    upload(login(client, analyst_user), person(1), BAD_ROW)
    run = last_run()

    response = client.get(reverse("imports:rejected_csv", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert response["Content-Disposition"].startswith("attachment")
    assert rows[0][-1] == "Alasan / Reason"
    assert rows[0][0] == "NIK"
    assert len(rows) == 2
    assert rows[1][0] == "12345"
    assert rows[1][-1]


def test_the_rejected_rows_come_as_an_excel_workbook_too(client, analyst_user):
    upload(login(client, analyst_user), person(1), BAD_ROW)

    response = client.get(reverse("imports:rejected_xlsx", args=[last_run().pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    assert [cell.value for cell in sheet[1]][-1] == "Alasan / Reason"


def test_a_clean_run_has_no_rejected_rows_file(client, analyst_user):
    upload(login(client, analyst_user), person(1))

    assert client.get(reverse("imports:rejected_csv", args=[last_run().pk])).status_code == 404


def test_the_report_lists_row_outcome_nik_and_messages(client, analyst_user):
    upload(login(client, analyst_user), person(1), BAD_ROW)

    response = client.get(reverse("imports:report", args=[last_run().pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0] == ["row", "outcome", "nik", "messages"]
    assert rows[1][:3] == ["2", "new", make_nik(serial=1)]
    assert rows[2][:2] == ["3", "rejected"]


def test_the_template_has_indonesian_headers_by_default_and_english_on_request(
    client, analyst_user
):
    login(client, analyst_user)

    indonesian = client.get(reverse("imports:template_csv")).content.decode("utf-8-sig")
    english = client.get(
        reverse("imports:template_csv"), headers={"accept-language": "en"}
    ).content.decode("utf-8-sig")
    client.cookies["django_language"] = "en"
    workbook = client.get(reverse("imports:template_xlsx"))

    assert "Nama lengkap" in indonesian.splitlines()[0]
    assert "Full name" in english.splitlines()[0]
    first_row = [c.value for c in load_workbook(io.BytesIO(workbook.content)).worksheets[0][1]]
    assert any("Full name" in str(value) for value in first_row)


# --- background -------------------------------------------------------------------------------


@pytest.fixture
def small_background_limit(settings):
    settings.IMPORT_BACKGROUND_ROWS = 3


@pytest.fixture
def eager_tasks():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_a_large_file_is_left_to_the_worker_with_a_progress_bar(
    client, analyst_user, small_background_limit, django_capture_on_commit_callbacks
):
    login(client, analyst_user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, *people(6), follow=True)

    run = last_run()
    assert len(callbacks) == 1
    assert run.status == "pending"
    assert "<progress" in response.content.decode()
    assert "js/import-progress.js" in response.content.decode()
    progress = client.get(reverse("imports:progress", args=[run.pk])).json()
    assert progress == {"status": "pending", "finished": False, "done": 0, "total": None}


def test_the_task_imports_reports_progress_and_does_not_run_twice(
    client, analyst_user, small_background_limit, django_capture_on_commit_callbacks
):
    login(client, analyst_user)
    with django_capture_on_commit_callbacks():
        upload(client, *people(6))
    dry_run = last_run()
    path = upload_name(dry_run.sha256)
    # No worker runs in the tests: call the task as the worker would.
    assert import_participants_task(dry_run.pk, path)["new"] == 6
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("imports:commit", args=[dry_run.pk]), {"mode": "all"})
    run = last_run()
    assert (len(callbacks), run.status, run.dry_run) == (1, "pending", False)

    assert import_participants_task(run.pk, path)["new"] == 6
    assert import_participants_task(run.pk, path) is None

    run.refresh_from_db()
    assert (run.status, run.counts["new"]) == ("done", 6)
    assert Participant.objects.count() == 6
    assert progress_get(run.pk) == {"done": 6, "total": 6}
    progress = client.get(reverse("imports:progress", args=[run.pk])).json()
    assert progress == {"status": "done", "finished": True, "done": 6, "total": 6}


def test_without_redis_the_task_runs_inline_after_commit(
    client, analyst_user, small_background_limit, eager_tasks, django_capture_on_commit_callbacks
):
    login(client, analyst_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, *people(6))
    response = client.get(reverse("imports:run", args=[last_run().pk]))

    assert last_run().status == "done"
    assert last_run().counts["new"] == 6
    assert "<progress" not in response.content.decode()


# --- query counts -----------------------------------------------------------------------------


def make_runs(user, count):
    for n in range(count):
        ImportRun.objects.create(
            user=user,
            filename=f"file-{n}.csv",
            status="done",
            dry_run=bool(n % 2),
            counts={"new": n},
        )


def test_the_history_costs_the_same_queries_for_five_or_fifteen_runs(
    client, analyst_user, django_assert_max_num_queries
):
    # session, user, permissions (user, groups), roles (visible_to), count, runs with users
    login(client, analyst_user)
    make_runs(analyst_user, 5)
    client.get(INDEX)
    with django_assert_max_num_queries(7):
        assert client.get(INDEX).status_code == 200
    make_runs(analyst_user, 10)
    with django_assert_max_num_queries(7):
        assert client.get(INDEX).status_code == 200


@pytest.mark.parametrize("count", [5, 15])
def test_the_preview_costs_the_same_queries_for_five_or_fifteen_rows(
    client, analyst_user, django_assert_max_num_queries, count
):
    # session, user, permissions (user, groups), roles (visible_to), the run; the rows come
    # from the kept file, not the database
    upload(login(client, analyst_user), *people(count))
    url = reverse("imports:run", args=[last_run().pk])
    with django_assert_max_num_queries(6):
        page = client.get(url, {"show": "all"}).content.decode()
    assert page.count('<tr class="outcome-new">') == count
