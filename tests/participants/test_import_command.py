"""`manage.py import_participants`: counts per outcome, the report file and the exit status.

(Owned by the command's author; the engine's own tests are the other test_import_*.py files.)
"""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from participants.models import ImportRun, Participant
from tests.factories import make_nik

pytestmark = pytest.mark.django_db

HEADER = "NIK,Nama lengkap,Tanggal lahir,Jenis kelamin (L/P),Kabupaten/Kota,Provinsi\n"
BAD_ROW = "12345,Nik Terlalu Pendek,17-05-1990,L,Kota Denpasar,Bali\n"
TEEN_BIRTH = dt.date(2009, 4, 14)


def person(serial, *, birth=dt.date(1990, 5, 17), name=None):
    nik = make_nik(birth=birth, serial=serial)
    return f"{nik},{name or f'Orang Nomor {serial}'},{birth:%d-%m-%Y},L,Kota Denpasar,Bali\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sheet(tmp_path):
    def write(*rows, content=None, name="peserta.csv"):
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        else:
            path.write_text(HEADER + "".join(rows), encoding="utf-8")
        return str(path)

    return write


def run_command(*args, user):
    """Call the command; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_participants", *args, f"--user={user.username}", stdout=out, stderr=err
        )
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def read_report(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_it_imports_a_clean_file_prints_the_counts_and_exits_with_0(sheet, ministry_admin):
    status, out, _err = run_command(sheet(person(1), person(2)), user=ministry_admin)

    assert status == 0
    assert "new: 2" in out
    assert "rejected: 0" in out
    assert Participant.objects.count() == 2


def test_a_rejected_row_writes_nothing_by_default_and_exits_with_1(sheet, ministry_admin):
    status, out, err = run_command(sheet(person(1), BAD_ROW), user=ministry_admin)

    assert status == 1
    assert "rejected: 1" in out
    assert "Nothing was written" in out
    assert "row 3" in err
    assert Participant.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows_and_still_exits_with_1(sheet, ministry_admin):
    status, out, _err = run_command(
        sheet(person(1), BAD_ROW, person(2)), "--skip-invalid", user=ministry_admin
    )

    assert status == 1
    assert "new: 2" in out
    assert Participant.objects.count() == 2


@pytest.mark.parametrize(
    "content",
    [b"", bytes(range(256)) * 40, b"Warna,Rasa\nmerah,manis\nhijau,asam\n"],
    ids=["empty", "random-bytes", "no-known-column"],
)
def test_a_refused_file_exits_with_2_and_writes_nothing(sheet, ministry_admin, content):
    status, _out, err = run_command(sheet(content=content), user=ministry_admin)

    assert status == 2
    assert "refused" in err
    assert Participant.objects.count() == 0


def test_the_report_lists_each_row_with_its_outcome_nik_and_messages(
    sheet, ministry_admin, tmp_path
):
    existing = make_nik(serial=7)
    run_command(sheet(person(7)), user=ministry_admin)
    report = tmp_path / "report.csv"

    status, _out, _err = run_command(
        sheet(person(7), person(8), BAD_ROW, "\n", person(9)),
        "--skip-invalid",
        f"--report={report}",
        user=ministry_admin,
    )

    rows = read_report(report)
    assert status == 1
    assert rows[0] == ["row", "outcome", "nik", "messages"]
    by_row = {row[0]: row for row in rows[1:]}
    assert by_row["2"][1:3] == ["unchanged", existing]
    assert by_row["3"][1:3] == ["new", make_nik(serial=8)]
    assert by_row["4"][1] == "rejected"
    assert "NIK" in by_row["4"][3]
    assert by_row["6"][1:3] == ["new", make_nik(serial=9)]
    assert {row[1] for row in rows[1:]} <= {
        "new",
        "updated",
        "unchanged",
        "merged",
        "skipped",
        "rejected",
    }


def test_a_dry_run_writes_nothing_and_says_so(sheet, ministry_admin):
    status, out, _err = run_command(sheet(person(1), person(2)), "--dry-run", user=ministry_admin)

    assert status == 0
    assert "Dry run" in out
    assert "new: 2" in out
    assert Participant.objects.count() == 0
    assert ImportRun.objects.get().dry_run


def test_as_of_decides_whether_a_student_is_a_minor(sheet, ministry_admin, tmp_path):
    path = sheet(person(1, birth=TEEN_BIRTH, name="Anisa Rahmadani"))
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"

    run_command(path, "--dry-run", "--as-of=2026-01-01", f"--report={before}", user=ministry_admin)
    run_command(path, "--dry-run", "--as-of=2028-01-01", f"--report={after}", user=ministry_admin)

    assert "MINOR" in read_report(before)[1][3]
    assert "MINOR" not in read_report(after)[1][3]


def test_it_reads_an_xlsx_file_by_its_content_whatever_its_name(ministry_admin, tmp_path):
    workbook = Workbook()
    for line in (HEADER, person(1), BAD_ROW):
        workbook.active.append(line.rstrip("\n").split(","))
    path = tmp_path / "peserta.csv"  # the name says CSV; the content is a workbook
    workbook.save(path)

    status, out, _err = run_command(str(path), "--skip-invalid", user=ministry_admin)

    assert status == 1
    assert "new: 1" in out
    assert "rejected: 1" in out


def test_an_analyst_may_import(sheet, analyst_user):
    status, _out, _err = run_command(sheet(person(1)), user=analyst_user)

    assert status == 0
    assert ImportRun.objects.get().user == analyst_user


def test_a_user_without_the_import_permission_is_refused(sheet, partner_user):
    with pytest.raises(CommandError, match="may not import") as error:
        call_command("import_participants", sheet(person(1)), f"--user={partner_user.username}")

    assert error.value.returncode == 2
    assert Participant.objects.count() == 0
    assert not ImportRun.objects.exists()


def test_the_user_is_required(sheet):
    with pytest.raises(CommandError, match="--user USERNAME is required"):
        call_command("import_participants", sheet(person(1)))


def test_an_unknown_user_or_a_bad_date_is_a_usage_error(sheet, ministry_admin):
    with pytest.raises(CommandError, match="no user"):
        call_command("import_participants", sheet(person(1)), "--user=nobody")
    with pytest.raises(CommandError, match="--as-of"):
        call_command(
            "import_participants",
            sheet(person(1)),
            "--as-of=01-01-2026",
            f"--user={ministry_admin.username}",
        )
