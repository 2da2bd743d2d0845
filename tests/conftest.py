"""Shared fixtures: the personas every access test uses, and the service switches.

With REQUIRE_SERVICES=1 a test that needs PostgreSQL or Redis fails instead of skipping;
with REQUIRE_BROWSER=1 the same holds for the browser.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from tests import factories


def _flag(name):
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


REQUIRE_SERVICES = _flag("REQUIRE_SERVICES")
REQUIRE_BROWSER = _flag("REQUIRE_BROWSER")


def need(condition, reason, *, required):
    """Skip when `condition` is false, or fail when the run requires it."""
    if condition:
        return
    if required:
        pytest.fail(f"{reason} (required by this run)")
    pytest.skip(reason)


# The shared sample sheet lives outside the project (../shared/data); without it the module that
# replays it is not collected (rather than skipped), so a services pass never shows a skip.
SHARED_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "sample_participants.csv"
collect_ignore = [] if SHARED_SAMPLE.exists() else ["participants/test_import_sample.py"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the reference regions and the default placement rules, as
    `make demo` does."""
    from placements.services import placement_rules_load
    from portal.regions.services import load_regions

    with django_db_blocker.unblock():
        load_regions()
        placement_rules_load()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, the reference data too; load the
    regions, placement rules and reference programmes again (as the session's setup and the
    migrations do) so that the tests after it find them."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )
    if not transactional:
        return
    from pytest_django.plugin import blocking_manager_key

    from placements.services import placement_rules_load
    from portal.regions.services import load_regions

    with item.config.stash[blocking_manager_key].unblock():
        load_regions()
        placement_rules_load()
        # The reference programmes and scope items a data migration creates.
        importlib.import_module("partners.migrations.0003_reference_programmes_scope").create(
            django_apps, None
        )


@pytest.fixture
def fresh_cache(settings):
    """A cache namespace of this test's own (rate-limit and throttle counters start at zero).

    Not `cache.clear()`: on Redis that empties the database every pytest-xdist worker shares,
    resetting another test's counters halfway."""
    import uuid

    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture
def require_postgres():
    need(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs PostgreSQL: set DATABASE_URL",
        required=REQUIRE_SERVICES,
    )


@pytest.fixture
def require_redis():
    need(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL", required=REQUIRE_SERVICES)


@pytest.fixture(scope="session", autouse=True)
def _services_present_when_required():
    if REQUIRE_SERVICES:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", (
            "REQUIRE_SERVICES=1 but DATABASE_URL does not point to PostgreSQL"
        )
        assert settings.REDIS_URL, "REQUIRE_SERVICES=1 but REDIS_URL is not set"


@pytest.fixture
def ministry_admin(db):
    return factories.UserFactory(username="m_admin", role="ministry_admin")


@pytest.fixture
def ministry_officer(db):
    return factories.UserFactory(username="m_officer", role="ministry_officer")


@pytest.fixture
def analyst_user(db):
    return factories.UserFactory(username="analyst1", role="analyst")


@pytest.fixture
def organisation_a(db):
    return factories.OrganisationFactory(name="PT Mitra A", slug="mitra-a")


@pytest.fixture
def organisation_b(db):
    return factories.OrganisationFactory(name="PT Mitra B", slug="mitra-b")


@pytest.fixture
def partner_user(organisation_a):
    return factories.PartnerStaffFactory(username="staff_a", organisation=organisation_a)


@pytest.fixture
def other_partner_user(organisation_b):
    return factories.PartnerStaffFactory(username="staff_b", organisation=organisation_b)


@pytest.fixture
def participant_account(db):
    return factories.UserFactory(username="peserta_a", role="participant")


@pytest.fixture(autouse=True)
def _fresh_region_index():
    """The region lookups cache an index per process; each test's data is rolled back."""
    from portal.regions.lookup import reset_index

    reset_index()
    yield
    reset_index()
