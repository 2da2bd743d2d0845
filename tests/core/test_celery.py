"""The task queue end to end: a real worker on Redis, and eager mode without Redis.

tests/settings.py gives each test process its own `task_default_queue`, so a worker started
here never takes tasks sent by another test process on the same Redis, and the reverse.
"""

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from portal.celery import app
from portal.core.tasks import ping


def _forget_result_backend():
    # Celery caches the backend on the app (or per thread when the backend is not thread-safe);
    # drop both so the next use reads `result_backend` again.
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_results(require_redis, settings):
    """Keep task results in Redis for this test only: the portal itself stores none."""
    previous = app.conf.result_backend
    app.conf.result_backend = settings.REDIS_URL
    _forget_result_backend()
    yield
    app.conf.result_backend = previous
    _forget_result_backend()


@pytest.fixture
def eager_tasks():
    """The configuration every run without REDIS_URL has (see test_settings)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_a_worker_on_redis_runs_a_task_sent_with_delay_and_returns_its_result(redis_results):
    assert not app.conf.task_always_eager

    with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        result = ping.delay()

        assert result.get(timeout=20) == "pong"
    assert result.successful()
    result.forget()


def test_without_redis_delay_runs_the_task_inline(eager_tasks):
    result = ping.delay()

    assert isinstance(result, EagerResult)
    assert result.get() == "pong"


def test_the_ping_task_is_registered_under_its_stable_name():
    app.loader.import_default_modules()

    assert "portal.core.ping" in app.tasks
