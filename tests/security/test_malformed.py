"""Malformed input on every form page and API write endpoint: a 400 or a form error, never a
500, and nothing written.

The form fields are read from each page's own HTML and the API request bodies from the OpenAPI
schema, so a new field or endpoint is fuzzed without being listed here.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from participants.models import Participant, PersonalDocument
from portal.accounts import services as account_services
from tests import factories

pytestmark = pytest.mark.django_db

# Tables that record the attempt itself (sessions, audit, login throttling, API request log);
# every other table must keep its row count.
LOG_APPS = {"sessions", "auditlog", "axes", "admin"}
LOG_MODELS = {"api.apirequestlog"}

HUGE = "A" * 200_000
BAD_TEXT = [
    "",
    HUGE,
    "\x00",
    "abc\x00def",
    "\u202egnp.exe",  # right-to-left override
    "\U0001f600" * 40,  # emoji
    "3171O1O1O19OOOO1",  # NIK with letters
    "12345",
    "0000-01-01",
    "99999-99-99",
    "-1",
    "1e309",
    "NaN",
    "<script>alert(1)</script>",
    "'; DROP TABLE participants_participant; --",
    "../../etc/passwd",
]
# Raw, form-encoded bodies a browser would never send: invalid UTF-8 and a lone surrogate.
RAW_BODIES = [b"%ED%A0%80=%ED%A0%80", b"%FF%FE=%00%C0%AF", b"a=" + b"%41" * 50_000]
ACCEPTED = {200, 302, 400, 403, 404, 405, 413, 429}


def row_counts():
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in LOG_APPS or label in LOG_MODELS or model._meta.proxy:
            continue
        counts[label] = model._default_manager.count()
    return counts


class FormFields(HTMLParser):
    """The names of the fields of the page's POST forms (action, enctype, field names)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "select", "textarea"}:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                self._current["fields"][name] = attrs.get("type", tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def page_forms(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    parser = FormFields()
    parser.feed(response.content.decode())
    # The language switcher and log-out button are in every page's header; they are not this
    # page's forms.
    return [f for f in parser.forms if f["action"] not in {"/i18n/setlang/", "/logout/"}]


def fuzz_form(client, path, *, allow_redirect=False, differ=()):
    """Post every malformed value into every field of the page's forms; return the statuses.

    Fields named in `differ` get a value unlike the others' (a confirmation that never matches,
    as an unusual but valid password typed twice would be accepted)."""
    forms = page_forms(client, path)
    assert forms, f"{path} has no POST form"
    before = row_counts()
    statuses = set()
    for form in forms:
        target = form["action"] or path
        names = [n for n, kind in form["fields"].items() if kind not in {"submit", "file"}]
        bodies = [
            {name: value + ("!" if name in differ else "") for name in names} for value in BAD_TEXT
        ]
        # A list where one value is expected.
        bodies.append({name: ["1", "2", HUGE + ("!" if name in differ else "")] for name in names})
        bodies.append({"unknown_field": "x", "id": "1", "pk": "1", "is_superuser": "on"})
        for body in bodies:
            response = client.post(target, body)
            statuses.add(response.status_code)
            assert response.status_code in ACCEPTED, (target, body.keys(), response.status_code)
        for raw in RAW_BODIES:
            response = client.generic(
                "POST", target, raw, content_type="application/x-www-form-urlencoded"
            )
            statuses.add(response.status_code)
            assert response.status_code in ACCEPTED, (target, raw[:40], response.status_code)
    assert row_counts() == before, path
    if not allow_redirect:
        assert 302 not in statuses, f"{path} accepted a malformed post"
    return statuses


# --- form pages ------------------------------------------------------------------------------


def test_login_refuses_malformed_input(client, settings):
    settings.AXES_ENABLED = False  # let every attempt reach the form, not the lock-out
    statuses = fuzz_form(client, "/login/")
    assert statuses <= {200, 400}
    assert "_auth_user_id" not in client.session


def test_password_reset_refuses_malformed_input(client):
    # The answer never says whether an account exists, so a well-formed but unknown
    # identifier is redirected to the login page as a known one would be; nothing is written.
    fuzz_form(client, "/password/reset/", allow_redirect=True)


def test_link_redeem_refuses_malformed_input(client):
    user = factories.UserFactory(username="invited", role="partner_staff", password="")
    link, url = account_services.link_issue(user=user, purpose="invite")
    path = re.search(r"/link/[^/]+/", url).group(0)

    fuzz_form(client, path, differ=("new_password2",))

    user.refresh_from_db()
    assert not user.has_usable_password() or not user.check_password(HUGE)
    assert client.get(path).status_code == 200  # the link still works


def test_malformed_link_tokens_are_404s(client):
    for token in ("x" * 5000, "%00", "\u202e", "..%2F..%2F", "\U0001f600"):
        assert client.get(f"/link/{token}/").status_code in {404, 410}


def test_the_export_form_refuses_malformed_input(client, analyst_user):
    client.force_login(analyst_user)
    fuzz_form(client, "/analyst/exports/")


def test_the_report_subscription_refuses_malformed_input(client, ministry_officer):
    client.force_login(ministry_officer)
    before = row_counts()
    for value in BAD_TEXT:
        response = client.post("/reports/subscription/", {"kind": value, "action": value})
        assert response.status_code in ACCEPTED
    assert row_counts() == before


def test_notifications_refuse_malformed_input(client, partner_user):
    client.force_login(partner_user)
    before = row_counts()
    for value in BAD_TEXT:
        assert client.post("/notifications/read/", {"page": value}).status_code in ACCEPTED
        # A NUL anywhere in the address is refused before any view (portal.core.middleware).
        expected = 400 if "\x00" in value else 200
        assert client.get("/notifications/", {"page": value}).status_code == expected
    for pk in ("0", "-1", "99999999999999999999", "abc"):
        assert client.post(f"/notifications/{pk}/read/").status_code in {404, 400}
    assert row_counts() == before


def test_the_partner_team_form_refuses_malformed_input(client, organisation_a):
    lead = factories.PartnerStaffFactory(
        username="lead_a", organisation=organisation_a, is_lead=True
    )
    client.force_login(lead)
    fuzz_form(client, "/partner/team/")


def test_the_analyst_import_refuses_malformed_files(client, analyst_user):
    client.force_login(analyst_user)
    page_forms(client, "/analyst/import/")
    before = row_counts()
    participants = Participant.objects.count()
    uploads = [
        SimpleUploadedFile("peserta.csv", b"", content_type="text/csv"),
        SimpleUploadedFile("peserta.csv", b"\x00\xff\xfe" * 1000, content_type="text/csv"),
        SimpleUploadedFile("peserta.xlsx", b"PK\x03\x04 not a zip", content_type="text/csv"),
        SimpleUploadedFile("peserta.php", b"<?php system($_GET['c']); ?>", content_type="x/y"),
        SimpleUploadedFile("\u202evsc.exe", b"MZ\x90\x00", content_type="application/x-dos"),
        SimpleUploadedFile("peserta.csv", b"nik\n" + "\ud800".encode("utf-8", "surrogatepass")),
    ]
    for upload in uploads:
        response = client.post("/analyst/import/", {"file": upload, "sheet": upload})
        assert response.status_code in {200, 302, 400}, (upload.name, response.status_code)
        if response.status_code == 302:  # the run's page, listing what is wrong
            assert client.get(response.url).status_code == 200
    # An import run records the attempt; no person is written before the analyst commits.
    assert Participant.objects.count() == participants
    after = row_counts()
    for label in ("participants.importrun", "participants.importrunentry"):
        before.pop(label), after.pop(label)
    assert after == before


def test_the_correction_request_refuses_malformed_input(client, participant_account):
    factories.ParticipantFactory(user=participant_account)
    client.force_login(participant_account)
    fuzz_form(client, "/me/data/")


def test_the_two_factor_forms_refuse_malformed_codes(client, settings, ministry_officer):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PORTAL_REQUIRE_2FA = True
    client.force_login(ministry_officer)
    client.get("/two-factor/setup/")  # creates the pending device shown on the page
    fuzz_form(client, "/two-factor/setup/")
    assert not TOTPDevice.objects.filter(user=ministry_officer, confirmed=True).exists()
    TOTPDevice.objects.filter(user=ministry_officer).update(confirmed=True)
    fuzz_form(client, "/two-factor/verify/")
    assert client.get("/notifications/").status_code == 302  # still not verified


# --- filter forms (GET) ----------------------------------------------------------------------

FILTER_PAGES = [
    ("partner_user", "/partner/participants/"),
    ("partner_user", "/partner/batches/"),
    ("partner_user", "/partner/agreements/"),
    ("ministry_admin", "/analyst/exchanges/"),
    ("analyst_user", "/analyst/import/"),
    ("ministry_officer", "/reports/"),
    ("ministry_admin", "/privacy/"),
    ("ministry_officer", "/referrals/"),
]


@pytest.mark.parametrize(("persona", "path"), FILTER_PAGES)
def test_filter_forms_answer_malformed_query_strings_without_an_error(
    request, client, persona, path
):
    client.force_login(request.getfixturevalue(persona))
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    names = set(re.findall(r'name="([a-z_]+)"', first.content.decode())) | {"page", "q", "o"}
    names -= {"csrfmiddlewaretoken", "language", "next"}
    for value in BAD_TEXT[:3] + BAD_TEXT[4:]:  # a 200,000-character address is refused earlier
        response = client.get(path, dict.fromkeys(names, value))
        # 404: an organisation switch (`org`) naming no organisation of the user.
        assert response.status_code in {200, 400, 404}, (path, value[:20], response.status_code)
    response = client.get(path + "?page=%ED%A0%80&q=%FF%00")
    assert response.status_code in {200, 400}


# --- API write endpoints ---------------------------------------------------------------------


@pytest.fixture
def api(ministry_admin):
    client = APIClient()
    client.force_login(ministry_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def write_operations(api):
    """(method, path template, request properties) of every write operation in the schema."""
    schema = api.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    operations = []
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method not in item:
                continue
            content = item[method].get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            operations.append((method, path, properties))
    return operations


def bad_json_bodies(properties):
    names = list(properties) or ["name"]
    bodies = [
        {},
        [],
        "text",
        None,
        12345,
        [dict.fromkeys(names, "1")],
        {"unknown_field": 1, "id": 99, "is_superuser": True},
        # (No valid value among them: a PATCH would otherwise rightly change that one.)
        {"nik": "3171O1O1O19OOOO1", "full_name": "\x00", "sex": "?"},
        {"nik": "12" * 8 + "\x00", "full_name": "Budi\x00", "sex": "\x00"},
        {"nik": "3171010119900001", "birth_date": "0000-01-01", "sex": "\u202e"},
        {"nik": "3171010119900001", "birth_date": "99999-99-99", "sex": "\U0001f600"},
    ]
    for value in (None, True, 1e308, -1, [], {}, "x" * 100_000, "\u202e\U0001f600", "\x00"):
        bodies.append(dict.fromkeys(names, value))
    return bodies


def assert_refused(response, what):
    assert response.status_code in {400, 403, 404, 405, 413, 415}, (
        what,
        response.status_code,
        response.content[:300],
    )


def test_every_api_write_endpoint_refuses_malformed_bodies(api):
    person = factories.ParticipantFactory()
    case = factories.CaseFactory(participant=person)
    operations = write_operations(api)
    assert len(operations) >= 5
    before = row_counts()
    checked = 0
    for method, template, properties in operations:
        path = template.replace("{id}", str(case.pk if "cases" in template else person.pk))
        path = re.sub(r"\{[^}]+\}", str(person.pk), path)
        send = getattr(api, method)
        for body in bad_json_bodies(properties):
            response = send(path, body, format="json")
            if method == "patch" and response.status_code == 200:
                # Nothing to change (DRF ignores unknown fields): checked below, nothing changed.
                assert not body or "unknown_field" in body, (path, body)
            else:
                assert_refused(response, (method, path, body))
            checked += 1
        raw_bodies = [
            b"{not json",
            b'{"full_name": "\\ud800", "nik": "\\udfff"}',  # lone surrogates, escaped
            b'{"nik": "3171010119900001", "full_name": "' + b"A" * 11_000_000 + b'"}',
            b"\xff\xfe\x00",
        ]
        for raw in raw_bodies:
            response = api.generic(method.upper(), path, raw, content_type="application/json")
            assert_refused(response, (method, path, raw[:40]))
            checked += 1
        response = api.generic(method.upper(), path, b"a=1", content_type="text/plain")
        assert_refused(response, (method, path, "text/plain"))
    assert row_counts() == before
    person_after = type(person).objects.get(pk=person.pk)
    assert (person_after.full_name, person_after.nik) == (person.full_name, person.nik)
    assert checked > 100


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    nik=st.text(min_size=0, max_size=30).filter(lambda s: not s.strip().isdigit()),
    name=st.text(max_size=300),
    birth=st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans()),
)
def test_registering_with_a_nik_that_has_letters_is_always_refused(api, nik, name, birth):
    before = row_counts()
    body = json.dumps(
        {"nik": nik, "full_name": name, "birth_date": birth, "sex": "M"}, ensure_ascii=True
    )
    response = api.generic("POST", "/api/v1/participants/", body, content_type="application/json")
    assert_refused(response, (nik, name[:20], birth))
    assert row_counts() == before


# --- uploaded documents ----------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ADD_DOCUMENT = "/admin/participants/personaldocument/add/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def add_document(client, person, upload):
    return client.post(
        ADD_DOCUMENT,
        {"participant": person.pk, "kind": "ktp", "number": "", "upload": upload},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ktp.pdf", b"<html><script>alert(1)</script></html>"),  # HTML named as a PDF
        ("ktp.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("shell.php", b"<?php system($_GET['c']); ?>"),
        ("ktp.exe", b"MZ\x90\x00\x03"),
        ("\u202egpj.exe", b"MZ\x90\x00"),
        ("empty.pdf", b""),
    ],
)
def test_a_document_that_is_not_a_pdf_jpeg_or_png_is_refused(
    client, ministry_admin, media, name, content
):
    person = factories.ParticipantFactory()
    client.force_login(ministry_admin)
    before = row_counts()

    response = add_document(client, person, SimpleUploadedFile(name, content, "application/pdf"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert row_counts() == before
    assert not any(media.rglob("*.*"))


def test_a_document_over_the_upload_limit_is_refused(client, ministry_admin, media, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    person = factories.ParticipantFactory()
    client.force_login(ministry_admin)
    before = row_counts()

    client.cookies["django_language"] = "en"
    response = add_document(client, person, SimpleUploadedFile("ktp.pdf", PDF + b"0" * 1000))

    assert response.status_code == 200
    assert "larger than 1000" in str(response.context["adminform"].form.errors)
    assert row_counts() == before


def test_a_request_body_over_the_upload_limit_is_refused_before_any_view(client, ministry_admin):
    client.force_login(ministry_admin)
    before = row_counts()

    response = client.generic(
        "POST",
        ADD_DOCUMENT,
        b"a=" + b"b" * (11 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert row_counts() == before


def test_a_document_is_downloaded_as_an_attachment_never_shown_inline(
    client, ministry_admin, media
):
    person = factories.ParticipantFactory()
    client.force_login(ministry_admin)
    response = add_document(client, person, SimpleUploadedFile("ktp<script>.pdf", PDF))
    assert response.status_code == 302
    document = PersonalDocument.objects.get(participant=person)
    # Stored under a random name without the uploader's name or extension.
    assert re.fullmatch(rf"documents/{person.pk}/[0-9a-f]{{32}}", document.file.name)

    download = client.get(f"/participants/documents/{document.pk}/download/")

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # The media folder is not served by any URL: only the access-checked view gives the file.
    assert client.get("/media/" + document.file.name).status_code == 404
