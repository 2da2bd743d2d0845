"""The Content-Security-Policy in a real browser: the pages load without one violation."""

import contextlib

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded before any page script runs; an init script is not subject to the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
    + ` at ${e.sourceFile || ''}:${e.lineNumber || ''} ${e.sample || ''}`);
});
"""


class CspWatch:
    def __init__(self, tab):
        self.tab = tab
        self.console = []
        tab.context.add_init_script(script=RECORD_VIOLATIONS)
        tab.page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.console.append(message.text)

    def visit(self, path):
        response = self.tab.goto(path)
        assert response.status == 200, (path, response.status)
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        self.tab.page.wait_for_load_state("networkidle")
        events = self.tab.page.evaluate("() => window.__cspViolations")
        return [f"{path}: {line}" for line in self.console + events]


def test_public_pages_load_without_csp_violations(tab):
    watch = CspWatch(tab)
    violations = []
    for path in ("/login/", "/password/reset/", "/api/docs/"):
        violations += watch.visit(path)
        watch.console.clear()

    assert violations == []
    assert tab.outside_requests() == []


def test_staff_pages_and_the_admin_load_without_csp_violations(tab):
    factories.UserFactory(username="boss", role="ministry_admin", is_superuser=True)
    factories.UserFactory(username="other", role="ministry_officer")
    watch = CspWatch(tab)
    tab.login("boss")
    violations = []
    paths = [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{factories.User.objects.get(username='other').pk}/change/",
        "/admin/participants/participant/",
        "/admin/participants/participant/add/",
        "/notifications/",
    ]
    for path in paths:
        violations += watch.visit(path)
        watch.console.clear()

    assert violations == []
    # The admin's scripts really ran: the two-list widget of the groups field was built.
    tab.goto(paths[3])
    assert tab.page.locator("#id_groups_from").count() == 1
    assert tab.outside_requests() == []


def test_analyst_and_partner_pages_load_without_csp_violations(tab, organisation_a):
    factories.UserFactory(username="analis", role="analyst")
    factories.PartnerStaffFactory(username="mitra", organisation=organisation_a)
    watch = CspWatch(tab)
    violations = []
    tab.login("analis")
    for path in ("/analyst/", "/analyst/import/", "/analyst/exports/"):
        violations += watch.visit(path)
        watch.console.clear()
    tab.goto("/")
    tab.page.context.clear_cookies()
    tab.login("mitra")
    violations += watch.visit("/partner/")

    assert violations == []


def test_the_two_factor_setup_page_draws_its_qr_code_under_the_policy(tab, settings):
    settings.PORTAL_REQUIRE_2FA = True
    factories.UserFactory(username="officer", role="ministry_officer")
    watch = CspWatch(tab)
    tab.login("officer")

    assert tab.page.url.split("?")[0].endswith(reverse("twofactor_setup"))
    violations = watch.visit(reverse("twofactor_setup"))
    assert violations == []
    assert tab.page.locator("svg.segno").is_visible()
    assert tab.outside_requests() == []


def test_an_inline_script_would_be_blocked_and_reported(tab):
    """The watch above has teeth: a script injected inline is refused and recorded."""
    watch = CspWatch(tab)
    assert watch.visit("/login/") == []

    # Playwright may report the refused script as an error of its own.
    with contextlib.suppress(Exception):
        tab.page.add_script_tag(content="window.__ran = true;")
    tab.page.wait_for_timeout(200)

    assert tab.page.evaluate("() => window.__ran === true") is False
    events = tab.page.evaluate("() => window.__cspViolations")
    assert any("script-src" in line for line in events + watch.console)
