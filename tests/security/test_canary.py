"""Canary leak scan: every restricted value of side A and side B carries a unique canary; no
page, download, export, API answer or log line may show a persona a canary of a person it may
not see that way. A participant's own values are theirs; a masked NIK is fine."""

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from . import matrix, walk
from .conftest import canary

RESTRICTED = (
    "restricted_notes",
    "fp_notes",
    "trafficking",
    "medical_number",
    "medical_file",
    "checkin_issues",
    "escalation",
    "incident",
    "case_summary",
    "case_assessment",
    "service_plan",
    "case_note",
)
# Whose restricted values (and full NIKs) each persona may see: ministry staff with the
# permission within their provinces, and each participant their own.
MAY_SEE = {
    "anonymous": set(),
    "participant_a": {"A"},
    "participant_b": {"B"},
    "staff_a": set(),
    "staff_b": set(),
    "analyst": set(),
    "officer": {"A"},
    "admin": {"A", "B"},
}


def canaries(world):
    """{text: side} of every canary: restricted fields, NIKs and family-card numbers."""
    found = {}
    for side, record in (("A", world.a), ("B", world.b)):
        for field in RESTRICTED:
            found[canary(side, field)] = side
        found[record.participant.nik] = side
        found[record.participant.kk_number] = side
    return found


def text_of(response):
    """The body as text; an Excel workbook as the text of its cells."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body[:2] == b"PK":
        try:
            workbook = load_workbook(io.BytesIO(body), read_only=True)
        except Exception:  # noqa: BLE001 - not a workbook after all (a zip of something else)
            return body.decode("latin-1")
        cells = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells.extend(str(value) for value in row if value is not None)
        return "\n".join(cells)
    return body.decode("utf-8", errors="replace")


def leaks(text, persona, table):
    return sorted(
        f"{side}:{value}"
        for value, side in table.items()
        if side not in MAY_SEE[persona] and value in text
    )


@pytest.fixture
def scan(world):
    table = canaries(world)
    found = []

    def check(name, persona, method, url, response):
        shown = leaks(text_of(response), persona, table)
        if shown:
            found.append(f"{method} {url} [{name}] as {persona}: {shown}")

    return table, found, check


def test_the_canaries_are_where_they_should_be(world, scan):
    """The scan looks at real answers: the people allowed to see a canary do see it."""
    table, _found, _check = scan
    response = world.clients["participant_a"].get("/me/data.json")
    assert canary("A", "fp_notes") in text_of(response)
    assert world.a.participant.nik in text_of(response)
    response = world.clients["admin"].get(f"/api/v1/participants/{world.b.participant.pk}/")
    assert canary("B", "restricted_notes") in text_of(response)


def test_no_page_or_api_answer_shows_a_canary_to_someone_who_may_not_see_it(world, scan, caplog):
    table, found, check = scan
    caplog.set_level(logging.DEBUG)
    names = {n for n in matrix.url_names() if not n.startswith("admin:")}

    count, _ = walk.run(world, names=names, methods=("GET",), on_response=check)
    # The admin is for ministry staff: the officer limited to Bali must not meet side B's.
    admin_names = {n for n in matrix.url_names() if n.startswith("admin:")}
    count += walk.run(
        world, names=admin_names, methods=("GET",), on_response=check, personas=("officer",)
    )[0]

    assert count > 500
    assert found == [], "\n".join(found)
    logged = [
        f"{record.name}: {leaks(record.getMessage(), 'anonymous', table)}"
        for record in caplog.records
        if leaks(record.getMessage(), "anonymous", table)
    ]
    assert logged == [], "canaries in log lines:\n" + "\n".join(logged)


@pytest.mark.parametrize("persona", ["analyst", "officer", "admin"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_export_shows_a_canary_to_someone_who_may_not_see_it(world, scan, persona, fmt):
    from portal.exports import services
    from portal.exports.datasets import DATASETS

    table, _found, _check = scan
    user = world.users[persona]
    exported = 0
    for code in DATASETS:
        try:
            run = services.export_start(user=user, datasets=[code], format=fmt)
        except (PermissionDenied, ValidationError, services.ExportRefused):
            continue
        if fmt == "csv":
            text = b"".join(services.stream_csv(run=run)).decode("utf-8-sig")
        else:
            buffer = io.BytesIO()
            services.write_xlsx(run=run, fileobj=buffer)
            workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
            text = "\n".join(
                str(value)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            )
        exported += 1
        assert leaks(text, persona, table) == [], f"{code} ({fmt}) as {persona}"
    assert exported > 0


def test_the_scan_finds_a_leak_when_participants_are_visible_to_everyone(world, scan, monkeypatch):
    from participants.models import ParticipantQuerySet

    table, found, check = scan
    monkeypatch.setattr(ParticipantQuerySet, "visible_to", lambda self, user: self)

    walk.run(
        world,
        names={"api:participants-detail"},
        methods=("GET",),
        on_response=check,
        personas=("participant_a",),
    )

    assert any(
        f"/api/v1/participants/{world.b.participant.pk}/" in line
        and f"B:{canary('B', 'restricted_notes')}" in line
        for line in found
    ), found
