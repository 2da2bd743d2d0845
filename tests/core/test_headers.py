"""Security headers, the Content-Security-Policy, CSRF on every form and secure cookies."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.core.test_settings import PRODUCTION, read_settings

ROOT = Path(__file__).resolve().parents[2]

# A handful of representative pages: (persona fixture or None, path).
PAGES = [
    (None, "/login/"),
    (None, "/password/reset/"),
    (None, "/api/docs/"),
    (None, "/healthz"),
    (None, "/no-such-page/"),
    ("partner_user", "/partner/"),
    ("analyst_user", "/analyst/"),
    ("analyst_user", "/analyst/import/"),
    ("ministry_admin", "/admin/"),
    ("ministry_admin", "/admin/accounts/user/"),
    ("ministry_admin", "/admin/participants/participant/"),
    ("ministry_officer", "/notifications/"),
]


def directives(header):
    policy = {}
    for part in header.split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "path"), PAGES)
def test_every_page_carries_the_csp_and_security_headers(request, client, persona, path):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(path)

    assert response.status_code in {200, 404}, (path, response.status_code)
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for values in policy.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
        assert not any(v.startswith(("http:", "https:", "*")) for v in values)
    # Styles: the portal's files and the hash of the admin's one inline <style> element only.
    assert policy["style-src"][0] == "'self'"
    assert all(v.startswith("'sha256-") for v in policy["style-src"][1:])
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_admin_style_hash_matches_djangos_inline_style():
    """The one relaxation is the hash of exactly this element of Django's changelist template."""
    import base64
    import hashlib

    import django

    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    blocks = re.findall(r"<style>(.*?)</style>", template.read_text(), re.S)
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in blocks
    }
    style_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert set(style_src[1:]) == hashes


def _templates():
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    dirs += list(ROOT.glob("portal/*/templates"))
    return [p for d in dirs for p in d.rglob("*.html")]


def test_every_post_form_in_the_templates_has_a_csrf_token():
    missing = []
    forms = 0
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            opening = match.group(0)[: match.group(0).index(">") + 1]
            if not re.search(r"method=[\"']?post", opening, re.I):
                continue
            forms += 1
            if "{% csrf_token %}" not in match.group(1):
                missing.append(f"{path.relative_to(ROOT)}: {opening}")
    assert forms >= 10
    assert missing == []


def test_templates_have_no_inline_script_style_attribute_or_event_handler():
    found = []
    for path in _templates():
        text = path.read_text()
        rel = path.relative_to(ROOT)
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{rel}: {tag}")
        found += [f"{rel}: style attribute" for _ in re.findall(r"\sstyle=", text)]
        found += [f"{rel}: {m}" for m in re.findall(r"\son[a-z]+=", text)]
        found += [f"{rel}: <style>" for _ in re.findall(r"<style\b", text, re.I)]
    assert found == []


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(partner_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_user)

    response = client.post("/notifications/read/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_login_form_is_refused_without_the_csrf_token():
    factories.UserFactory(username="someone", role="partner_staff")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "someone", "password": factories.PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_with_debug_off_cookies_are_secure_and_two_factor_is_required():
    values = read_settings(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_HTTPONLY",
        "PORTAL_REQUIRE_2FA",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        **PRODUCTION,
    )

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "PORTAL_REQUIRE_2FA": True,
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    }


def test_with_debug_on_the_demo_keeps_a_plain_login():
    values = read_settings("PORTAL_REQUIRE_2FA", "SESSION_COOKIE_SECURE", DJANGO_DEBUG="1")

    assert values == {"PORTAL_REQUIRE_2FA": False, "SESSION_COOKIE_SECURE": False}


def test_two_factor_can_be_required_in_development_too():
    values = read_settings("PORTAL_REQUIRE_2FA", DJANGO_DEBUG="1", PORTAL_REQUIRE_2FA="1")

    assert values == {"PORTAL_REQUIRE_2FA": True}


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [5, 50])
def test_the_headers_add_no_queries(client, rows, django_assert_max_num_queries):
    for i in range(rows):
        factories.UserFactory(username=f"filler{i}", role="partner_staff")
    with django_assert_max_num_queries(1):  # the health check's own database probe
        response = client.get("/healthz")
    assert "Content-Security-Policy" in response
