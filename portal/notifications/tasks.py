"""Reminder tasks. They take ids and call services; the beat schedule in settings runs
`scan_reminders` and `send_pending`.

Enqueuing never breaks the caller: when the broker cannot be reached (Redis down), the error is
logged and the notification stays pending in the database, where the next `send_pending` run
finds it.
"""

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from . import services

logger = logging.getLogger(__name__)


class GuardedTask(DjangoTask):
    """A task whose enqueuing (`delay`, `delay_on_commit`) logs broker failures instead of
    raising them into the web request or command that enqueued it.

    In eager mode (no Redis: development, `make demo`) the task runs inline; an error there
    (a refused email and its retries) is logged too, since the row records it and stays pending.
    """

    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except (OperationalError, RedisError, OSError) as error:
            logger.warning(
                "Task %s not enqueued (%s); the database keeps the work pending", self.name, error
            )
        except Exception as error:
            if not self.app.conf.task_always_eager:
                raise
            logger.warning("Task %s failed inline (%s); it stays pending", self.name, error)
        return None


@shared_task(name="portal.notifications.scan_reminders", base=GuardedTask, acks_late=True)
def scan_reminders():
    """Record what every reminder rule finds due, then send the pending notifications."""
    return services.scan_reminders()


@shared_task(name="portal.notifications.send_pending", base=GuardedTask, acks_late=True)
def send_pending():
    """Send every pending notification (and those a dead worker left half-sent)."""
    return services.send_pending()


@shared_task(
    name="portal.notifications.send_one",
    base=GuardedTask,
    acks_late=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS - 1,
    soft_time_limit=60,
    time_limit=90,
)
def send_one(notification_id):
    """Send one notification by id (nothing when another worker already sent it)."""
    return services.send_notification(notification_id=notification_id)
