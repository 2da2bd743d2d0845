"""Every bad file is refused as a whole by the importer, with a clear reason, and writes nothing."""

import io
import os
import re
import zipfile

import pytest
from django.utils import translation

from participants.importer import import_participants
from participants.models import DataWarning, ImportRun, Participant
from tests.participants.test_sheets import rezip, xlsx_bytes

pytestmark = pytest.mark.django_db

GOOD = [["Nama Lengkap", "NIK"], ["Budi Santoso", "5104030312869809"]]


@pytest.fixture(scope="module")
def zip_bomb():
    """50 MB of zeros declared in a file of about 50 KB named like a workbook."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(50):
                member.write(b"\0" * (1024 * 1024))
    return data.getvalue()


def formula():
    def build(workbook, sheet):
        sheet["C7"] = "=1+1"

    return xlsx_bytes(GOOD, build=build).getvalue()


def too_many_rows():
    def change(name, content):
        if name.startswith("xl/worksheets/"):
            content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K1048577"', content)
        return content

    return rezip(xlsx_bytes(GOOD), change).getvalue()


@pytest.mark.parametrize(
    ("build", "code", "words"),
    [
        (lambda bomb: b"%PDF-1.7\n%binary", "not_a_spreadsheet", "PDF"),
        (lambda bomb: b"", "empty", "empty"),
        (lambda bomb: b"Kolom A,Kolom B\nx,y\n", "no_known_column", "NIK"),
        (lambda bomb: os.urandom(11 * 1024 * 1024), "too_large", "limit"),
        (lambda bomb: bomb, "zip_bomb", "zip bomb"),
        (lambda bomb: formula(), "formula", "C7"),
        (lambda bomb: too_many_rows(), "too_many_rows", "1,048,576"),
    ],
    ids=["pdf", "empty", "unknown-columns", "random-11-MB", "zip-bomb", "formula", "1048577-rows"],
)
def test_a_bad_file_is_refused_with_its_reason_and_writes_nothing(
    analyst_user,
    settings,
    zip_bomb,
    build,
    code,
    words,
):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    with translation.override("en"):
        report = import_participants(
            fileobj=io.BytesIO(build(zip_bomb)), user=analyst_user, filename="peserta.xlsx"
        )

    assert report.refused is not None and report.refused.code == code
    assert words in report.refused.message
    assert not report.committed
    assert not Participant.objects.exists() and not DataWarning.objects.exists()
    run = ImportRun.objects.get()
    assert run.status == "refused" and words in run.message
