"""Schemathesis, in-process: every operation of the schema, called with generated data by a
ministry admin (browser session) and by a partner's read-write token, answers without a server
error and as the schema declares (status code and body)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from participants.models import PersonalDocument
from tests.api.factories import build_side, issue_token

pytestmark = pytest.mark.django_db

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.response_schema_conformance,
]
# Fixed, so that a session's unsafe requests pass the CSRF check (cookie and header agree).
CSRF_TOKEN = "schemathesisCsrfToken0123456789a"
HYPOTHESIS = hypothesis_settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def _in_process(settings):
    """The WSGI handler in the test's own thread keeps the test's connection (and transaction)
    open between requests, as Django's test client does; token requests are not rate-limited."""
    settings.PORTAL_API_TOKEN_RATE = "1000000/hour"
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(organisation_a, organisation_b, participant_account):
    """Rows for every endpoint on both sides, so lists and details return data (and a
    deleted row of each side, so the deletions list has tombstones)."""
    world = {
        "A": build_side(
            organisation_a,
            province_id="51",
            regency_id="51.71",
            suffix="A",
            user=participant_account,
        ),
        "B": build_side(organisation_b, province_id="31", regency_id="31.71", suffix="B"),
    }
    for side in world.values():
        person = side["participants"]
        side["documents"] = PersonalDocument.objects.create(
            participant=person, kind="ktp", number=person.nik, original_name="ktp.pdf"
        )
        PersonalDocument.objects.create(participant=person, kind="diploma").delete()
    return world


@pytest.fixture
def api_schema(_in_process, world):
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


# Body fields that name another object, and the endpoint of that object.
REFERENCES = {
    "participant": "participants",
    "batch": "batches",
    "enrolment": "enrolments",
    "placement": "placements",
    "programme": "programmes",
}


def with_known_references(case, world):
    """The generated body, naming side A's objects where it names any."""
    if isinstance(case.body, dict):
        for field, endpoint in REFERENCES.items():
            if field in case.body:
                case.body[field] = world["A"][endpoint].pk
    return case


def strategies(operation, world):
    """Generated data; and, for an operation on one object or a write, that data with the
    ids of side A's rows (both personas see them), so details and writes reach real objects."""
    yield operation.as_strategy()
    known = {}
    if "{id}" in operation.path:
        endpoint = operation.path.removeprefix("/api/v1/").split("/")[0]
        known["path_parameters"] = {"id": world["A"][endpoint].pk}
    if known or operation.method.upper() != "GET":
        yield operation.as_strategy(**known).map(lambda case: with_known_references(case, world))


def run_all(api_schema, world, credentials):
    """Run every operation with HYPOTHESIS settings. Returns the failures ({operation label:
    message}, every failing operation, not only the first) and the labels of the operations
    that succeeded (2xx) at least once, so that a run cannot pass on 401s and 404s alone."""
    failures, succeeded = {}, set()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 35  # a list and a detail for each of 17 endpoints; deletions
    for operation in operations:
        for strategy in strategies(operation, world):

            @HYPOTHESIS
            @given(case=strategy)
            def run(case):
                # Schemathesis fills the declared bearer scheme with random tokens: the
                # persona's own credentials are what this test is about.
                case.headers = {
                    name: value
                    for name, value in (case.headers or {}).items()
                    if name.lower() != "authorization"
                }
                response = case.call_and_validate(checks=CHECKS, **credentials)
                if 200 <= response.status_code < 300:
                    succeeded.add(operation.label)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all reported below
                failures.setdefault(operation.label, str(exc))
    return failures, succeeded


def assert_no_failures(failures):
    if failures:
        pytest.fail("\n\n".join(f"{label}\n{message}" for label, message in failures.items()))


@pytest.fixture
def admin_session(ministry_admin):
    client = Client()
    client.force_login(ministry_admin)
    session_id = client.cookies["sessionid"].value
    return {
        "headers": {"X-CSRFToken": CSRF_TOKEN},
        "cookies": {"sessionid": session_id, "csrftoken": CSRF_TOKEN},
    }


@pytest.fixture
def partner_token(organisation_a, ministry_admin):
    _, secret = issue_token(organisation=organisation_a, actor=ministry_admin, scope="read_write")
    return {"headers": {"Authorization": f"Bearer {secret}"}}


def reads(api_schema, *, without=()):
    return {
        operation.label
        for operation in (result.ok() for result in api_schema.get_all_operations())
        if operation.method.upper() == "GET"
        and operation.path.removeprefix("/api/v1/").split("/")[0] not in without
    }


def test_as_a_ministry_admin(api_schema, world, admin_session):
    failures, succeeded = run_all(api_schema, world, admin_session)
    assert_no_failures(failures)
    assert reads(api_schema) <= succeeded


def test_as_a_partner_token(api_schema, world, partner_token):
    failures, succeeded = run_all(api_schema, world, partner_token)
    assert_no_failures(failures)
    # Cases are for ministry staff only: a token gets 403 there.
    assert reads(api_schema, without={"cases"}) <= succeeded
    assert not (reads(api_schema) - reads(api_schema, without={"cases"})) & succeeded


@pytest.mark.parametrize("field", ["phone", "second_phone", "kk_number"])
@pytest.mark.parametrize("value", [" ", "-", "abc"])
def test_a_value_that_normalises_to_nothing_is_not_a_server_error(
    api, ministry_admin, world, field, value
):
    """Found by Schemathesis (a 500 from the NOT NULL column): a 400, or stored as empty."""
    person = world["A"]["participants"]
    client = api.as_user(ministry_admin)
    client.raise_request_exception = False
    response = client.patch(f"/api/v1/participants/{person.pk}/", {field: value}, format="json")
    assert response.status_code in (200, 400)
    person.refresh_from_db()
    assert getattr(person, field) is not None
