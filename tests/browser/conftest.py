"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Without chromium (or without axe-core from `npm ci`) these tests skip; with REQUIRE_BROWSER=1 they
fail instead. Playwright cannot download a browser here, so it always launches /usr/bin/chromium.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REQUIRE_BROWSER, need
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the same test are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The flags that keep chromium from reaching out to the closed network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    need(
        shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
        f"needs chromium at {CHROMIUM} (apt-get install chromium)",
        required=REQUIRE_BROWSER,
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Tab:
    """A page in a fresh browser context that remembers every request it made."""

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.requests = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def goto(self, path, **kwargs):
        return self.page.goto(self.base_url + path, **kwargs)

    def login(self, username, password=PASSWORD):
        self.goto("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.press("input[name=password]", "Enter")
        assert "/login/" not in self.page.url, f"{username} could not log in"

    def outside_requests(self):
        """Every request that left the portal (another host, or not http at all)."""
        own = urlsplit(self.base_url).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != own
        ]

    def axe_serious(self):
        """axe-core's serious and critical violations on the current page, as readable lines."""
        need(AXE_JS.exists(), "needs node_modules/axe-core (npm ci)", required=REQUIRE_BROWSER)
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # An init script is not subject to the page's Content-Security-Policy.
            self.context.add_init_script(path=str(AXE_JS))
            self.page.reload()
        result = self.page.evaluate("async () => await axe.run(document)")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]


@pytest.fixture
def tab(chromium, live_server):
    """A new tab at a 1280-px desktop width; `tab.page` is the Playwright page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    yield Tab(context, live_server.url)
    context.close()


@pytest.fixture
def phone_tab(chromium, live_server):
    """A new tab the size of a cheap phone (360 x 740)."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True, has_touch=True
    )
    yield Tab(context, live_server.url)
    context.close()
