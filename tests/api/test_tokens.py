"""API tokens: issued, rotated and revoked by ministry admins; a token sees what its
organisation's staff see, within its programmes; each request logged and rate-limited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone, translation
from rest_framework.request import Request

from portal.accounts.models import hash_token
from portal.api.models import ApiRequestLog, ApiToken
from portal.api.permissions import TokenScope
from portal.api.services import token_issue, token_revoke, token_rotate
from tests import factories
from tests.api.factories import issue_token, shared_person

pytestmark = pytest.mark.django_db


def test_the_secret_is_stored_only_as_its_hash(ministry_admin, organisation_a):
    token, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    assert token.token_hash == hash_token(secret)
    assert token.prefix == secret[:8]
    assert not ApiToken.objects.filter(token_hash=secret).exists()


def test_only_ministry_admins_issue_tokens(ministry_officer, partner_user, organisation_a):
    for actor in (ministry_officer, partner_user):
        with pytest.raises(PermissionDenied):
            issue_token(organisation=organisation_a, actor=actor)


def test_a_token_must_expire_in_the_future(ministry_admin, organisation_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_issue(
            organisation=organisation_a,
            name="x",
            scope="read",
            expires_at=timezone.now() - dt.timedelta(minutes=1),
            actor=ministry_admin,
        )


def test_a_valid_token_sees_what_its_organisation_staff_see(
    api, ministry_admin, organisation_a, organisation_b
):
    mine, _ = shared_person(organisation_a)
    theirs, _ = shared_person(organisation_b)
    _, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    client = api.with_token(secret)
    response = client.get("/api/v1/participants/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert "*" in response.json()["results"][0]["nik"]
    assert client.get(f"/api/v1/participants/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").status_code == 403


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_an_expired_revoked_or_unknown_token_is_a_401(api, ministry_admin, organisation_a, state):
    token, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif state == "revoked":
        token_revoke(token=token, actor=ministry_admin)
    else:
        secret = secret[::-1]
    response = api.with_token(secret).get("/api/v1/participants/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_rotating_revokes_the_old_secret_and_the_new_one_works(api, ministry_admin, organisation_a):
    programme = factories.ProgrammeFactory()
    token, old_secret = issue_token(
        organisation=organisation_a,
        actor=ministry_admin,
        scope="read_write",
        programmes=[programme],
    )
    new, new_secret = token_rotate(token=token, actor=ministry_admin)
    assert api.with_token(old_secret).get("/api/v1/programmes/").status_code == 401
    assert api.with_token(new_secret).get("/api/v1/programmes/").status_code == 200
    token.refresh_from_db()
    assert token.replaced_by == new
    assert (new.scope, list(new.programmes.all()), new.expires_at) == (
        "read_write",
        [programme],
        token.expires_at,
    )


def test_a_read_token_cannot_write_and_a_read_write_token_can(api, ministry_admin, organisation_a):
    _, read = issue_token(organisation=organisation_a, actor=ministry_admin)
    _, write = issue_token(organisation=organisation_a, actor=ministry_admin, scope="read_write")
    refused = api.with_token(read).post("/api/v1/programmes/", {}, format="json")
    assert refused.status_code == 403
    with translation.override("id"):
        assert refused.json()["error"]["message"] == translation.gettext(
            "This API token may only read."
        )
    # The read endpoints take no writes at all: a read-write token passes the scope check and
    # meets the 405 of the endpoint.
    assert api.with_token(write).post("/api/v1/programmes/", {}, format="json").status_code == 405


def test_the_scope_permission_lets_reads_through_and_session_users_write(
    ministry_admin, organisation_a
):
    read_token, _ = issue_token(organisation=organisation_a, actor=ministry_admin)
    factory = RequestFactory()

    def allowed(method, auth):
        request = Request(getattr(factory, method)("/api/v1/x/"))
        request._authenticator, request._user, request._auth = None, ministry_admin, auth
        return TokenScope().has_permission(request, view=None)

    assert allowed("get", read_token)
    assert not allowed("post", read_token)
    assert not allowed("patch", read_token)
    assert allowed("post", None)


def test_a_token_limited_to_programmes_sees_only_their_rows(api, ministry_admin, organisation_a):
    inside, inside_participation = shared_person(organisation_a)
    outside, _ = shared_person(organisation_a)
    _, secret = issue_token(
        organisation=organisation_a,
        actor=ministry_admin,
        programmes=[inside_participation.programme],
    )
    client = api.with_token(secret)
    assert [r["id"] for r in client.get("/api/v1/participants/").json()["results"]] == [inside.pk]
    assert client.get(f"/api/v1/participants/{outside.pk}/").status_code == 404
    assert [r["id"] for r in client.get("/api/v1/programmes/").json()["results"]] == [
        inside_participation.programme.pk
    ]


def test_each_token_request_is_logged_with_its_endpoint_and_status(
    api, ministry_admin, organisation_a
):
    token, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    client = api.with_token(secret)
    client.get("/api/v1/participants/")
    client.get("/api/v1/participants/999999/")
    logged = list(
        ApiRequestLog.objects.order_by("pk").values_list("token", "method", "endpoint", "status")
    )
    assert logged == [
        (token.pk, "GET", "api:participants-list", 200),
        (token.pk, "GET", "api:participants-detail", 404),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_over_its_rate_gets_a_429_with_retry_after(
    api, settings, ministry_admin, organisation_a, organisation_b
):
    settings.PORTAL_API_TOKEN_RATE = "2/minute"
    token, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    _, other_secret = issue_token(organisation=organisation_b, actor=ministry_admin)
    client = api.with_token(secret)
    assert [client.get("/api/v1/tracks/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/tracks/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"
    assert ApiRequestLog.objects.filter(token=token, status=429).count() == 1
    assert api.with_token(other_secret).get("/api/v1/tracks/").status_code == 200


def test_the_browser_session_is_not_rate_limited_per_token(api, settings, ministry_admin):
    settings.PORTAL_API_TOKEN_RATE = "1/minute"
    client = api.as_user(ministry_admin)
    assert [client.get("/api/v1/tracks/").status_code for _ in range(3)] == [200, 200, 200]


def test_the_session_needs_csrf_to_write(ministry_admin):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(ministry_admin)
    response = client.post("/api/v1/tracks/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_the_admin_issues_a_token_and_shows_the_secret_once(client, ministry_admin, organisation_a):
    client.force_login(ministry_admin)
    expires = (timezone.localtime() + dt.timedelta(days=90)).replace(microsecond=0)
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "organisation": organisation_a.pk,
            "name": "SIM LPK",
            "scope": "read",
            "expires_at_0": expires.date().isoformat(),
            "expires_at_1": expires.time().isoformat(),
        },
        follow=True,
    )
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(token.prefix in m for m in shown)
    words = " ".join(shown).replace(",", " ").split()
    assert any(hash_token(word) == token.token_hash for word in words)
    assert token.created_by == ministry_admin


def test_the_admin_revokes_and_rotates_with_actions(client, ministry_admin, organisation_a):
    first, _ = issue_token(organisation=organisation_a, actor=ministry_admin)
    second, _ = issue_token(organisation=organisation_a, actor=ministry_admin)
    client.force_login(ministry_admin)
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [first.pk]})
    client.post("/admin/api/apitoken/", {"action": "rotate", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is not None and second.replaced_by.is_usable


def test_officers_and_partners_cannot_open_the_token_admin(client, ministry_officer):
    client.force_login(ministry_officer)
    assert client.get("/admin/api/apitoken/").status_code == 403
