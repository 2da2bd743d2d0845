"""Tasks of the core layer.

`ping` is the smallest real task: it proves that a message goes through the broker to a worker
and back, and touches nothing else (no database, no model instances). The worker test and the
operator's checks use it, e.g. `celery -A portal call portal.core.ping`.
"""

from celery import shared_task


@shared_task(name="portal.core.ping")
def ping():
    """Return "pong"."""
    return "pong"
