"""`manage.py export_participants`: the export page's rules for the given user, from a shell."""

import csv
import hashlib
import io
import types

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from portal.exports import services
from portal.exports.management.commands import export_participants
from portal.exports.models import ExportRun
from tests import factories

pytestmark = pytest.mark.django_db

BALI_NIK = "5171011705900001"
JATIM_NIK = "3578015507080002"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(organisation_a, organisation_b):
    """A former prisoner in Bali in Kesempatan Kedua (shared with A) and a Sekolah Rakyat
    student in East Java (shared with B)."""
    agreement = factories.AgreementFactory(parties=[organisation_a])
    kk = factories.ProgrammeFactory(code="kesempatan-kedua", agreements=[agreement])
    prisoner = factories.ParticipantFactory(
        nik=BALI_NIK, full_name="Made Wirawan", is_former_prisoner=True, province_id="51"
    )
    student = factories.ParticipantFactory(
        nik=JATIM_NIK, full_name="Siti Aminah", is_sr_student=True, province_id="35",
        regency_id=None,
    )  # fmt: skip
    factories.share_with(prisoner, organisation_a, programme=kk)
    factories.share_with(student, organisation_b)
    return {"prisoner": prisoner, "student": student}


def run_command(user, path, *options, fmt="csv"):
    out = io.StringIO()
    call_command(
        "export_participants",
        "--user", user.username, "--format", fmt, "-o", str(path), "--language", "en", *options,
        stdout=out,
    )  # fmt: skip
    return out.getvalue()


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fileobj:
        return list(csv.DictReader(fileobj))


def names(path):
    return {row["Full name"] for row in read_csv(path)}


def test_an_admin_exports_every_participant_with_the_full_nik(ministry_admin, people, tmp_path):
    target = tmp_path / "peserta.csv"

    out = run_command(ministry_admin, target)

    rows = read_csv(target)
    assert {row["NIK"] for row in rows} == {BALI_NIK, JATIM_NIK}
    assert out.strip() == f"2 rows written to {target}"
    run = ExportRun.objects.get()
    assert run.user == ministry_admin and run.status == ExportRun.Status.DONE
    assert run.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()


def test_an_analysts_export_is_pseudonymised_by_default(analyst_user, people, tmp_path):
    target = tmp_path / "analyst.csv"

    run_command(analyst_user, target)

    rows = read_csv(target)
    assert len(rows) == 2
    assert all(row["Pseudonym"].startswith("P-") for row in rows)
    assert "NIK" not in rows[0] and "Full name" not in rows[0]
    assert BALI_NIK not in target.read_text(encoding="utf-8-sig")
    assert ExportRun.objects.get().pseudonymised


def test_pseudonymise_forces_pseudonyms_for_anyone(ministry_admin, people, tmp_path):
    target = tmp_path / "pseudo.csv"

    run_command(ministry_admin, target, "--pseudonymise")

    text = target.read_text(encoding="utf-8-sig")
    assert "Pseudonym" in text.splitlines()[0]
    assert BALI_NIK not in text and "Made Wirawan" not in text


def test_an_analyst_who_asks_for_names_gets_masked_niks(analyst_user, people, tmp_path):
    target = tmp_path / "names.csv"

    run_command(analyst_user, target, "--no-pseudonymise")

    rows = read_csv(target)
    assert {row["NIK"] for row in rows} == {"5171********0001", "3578********0002"}
    assert names(target) == {"Made Wirawan", "Siti Aminah"}


def test_partner_staff_export_only_their_people_with_masked_niks(partner_user, people, tmp_path):
    target = tmp_path / "mitra-a.csv"

    out = run_command(partner_user, target)

    rows = read_csv(target)
    assert [(row["NIK"], row["Full name"]) for row in rows] == [
        ("5171********0001", "Made Wirawan")
    ]
    assert out.startswith("1 rows written")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--programme", "kesempatan-kedua", {"Made Wirawan"}),
        ("--category", "sr_student", {"Siti Aminah"}),
        ("--province", "51", {"Made Wirawan"}),
    ],
)
def test_the_filters_select_the_people(ministry_admin, people, tmp_path, option, value, expected):
    target = tmp_path / "filtered.csv"

    run_command(ministry_admin, target, option, value)

    assert names(target) == expected
    assert ExportRun.objects.get().filters == {option.lstrip("-"): value}


def test_xlsx_holds_several_lists_and_opens_with_openpyxl(ministry_admin, people, tmp_path):
    target = tmp_path / "portal.xlsx"

    out = run_command(
        ministry_admin, target, "--list", "participants", "--list", "participations", fmt="xlsx"
    )

    workbook = load_workbook(target, read_only=True)
    assert workbook.sheetnames == ["Participants", "Participations"]
    people_sheet = list(workbook["Participants"].iter_rows(values_only=True))
    assert people_sheet[0][:2] == ("NIK", "Full name")
    assert {row[0] for row in people_sheet[1:]} == {BALI_NIK, JATIM_NIK}
    assert len(list(workbook["Participations"].iter_rows())) == 3
    assert out.strip() == f"4 rows written to {target}"
    run = ExportRun.objects.get()
    assert run.status == ExportRun.Status.DONE and run.row_count == 4
    assert run.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert not run.file  # the workbook is the caller's file, not a stored download


def refused(user, tmp_path, *options, fmt="csv"):
    """Run the command expecting a refusal; return the message after checking nothing was
    written and no export was recorded."""
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as error:
        run_command(user, target, *options, fmt=fmt)
    assert error.value.returncode == 2
    assert list(tmp_path.iterdir()) == []
    assert not ExportRun.objects.exists()
    return str(error.value)


def test_an_unknown_user_is_refused(tmp_path, db):
    ghost = types.SimpleNamespace(username="ghost")

    assert "no user ghost" in refused(ghost, tmp_path)


def test_an_unknown_filter_value_is_refused_naming_it(ministry_admin, people, tmp_path):
    assert "Unknown province 99" in refused(ministry_admin, tmp_path, "--province", "99")
    assert "Unknown programme nope" in refused(ministry_admin, tmp_path, "--programme", "nope")


def test_a_user_who_may_not_export_is_refused(participant_account, people, tmp_path):
    assert "peserta_a may not export lists" in refused(participant_account, tmp_path)


def test_partner_staff_may_not_export_cases(partner_user, people, tmp_path):
    message = refused(partner_user, tmp_path, "--list", "cases")

    assert "staff_a may not export the list cases" in message


def test_a_csv_of_several_lists_is_refused(ministry_admin, people, tmp_path):
    message = refused(ministry_admin, tmp_path, "--list", "participants", "--list", "placements")

    assert "Excel" in message


def test_a_missing_directory_is_refused(ministry_admin, people, tmp_path):
    with pytest.raises(CommandError, match="does not exist") as error:
        run_command(ministry_admin, tmp_path / "nowhere" / "out.csv")

    assert error.value.returncode == 2
    assert not ExportRun.objects.exists()


def test_an_export_that_fails_half_way_leaves_no_file(
    ministry_admin, people, tmp_path, monkeypatch
):
    original = services.stream_csv

    def failing(*, run):
        stream = original(run=run)
        yield next(stream)
        stream.close()
        raise OSError("disk full")

    monkeypatch.setattr(services, "stream_csv", failing)
    previous = tmp_path / "out.csv"
    previous.write_text("an older export\n")

    with pytest.raises(OSError, match="disk full"):
        run_command(ministry_admin, previous)

    assert list(tmp_path.iterdir()) == [previous]
    assert previous.read_text() == "an older export\n"
    assert ExportRun.objects.get().status == ExportRun.Status.INTERRUPTED


def test_from_the_shell_a_refusal_exits_with_status_2_and_says_why(
    ministry_admin, people, tmp_path, capsys, monkeypatch
):
    # run_from_argv closes the database connections at the end: keep the test's transaction.
    monkeypatch.setattr(
        "django.core.management.base.connections",
        type("Connections", (), {"close_all": staticmethod(lambda: None)})(),
    )
    command = export_participants.Command()

    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(
            ["manage.py", "export_participants", "--user", "m_admin", "--format", "csv",
             "-o", str(tmp_path / "x.csv"), "--province", "99", "--language", "en"]
        )  # fmt: skip

    assert exit_info.value.code == 2
    assert "Unknown province 99" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
