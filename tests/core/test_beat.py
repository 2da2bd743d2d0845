"""The beat schedule names only tasks that exist, on a schedule read in Asia/Jakarta."""

from celery.schedules import crontab
from django.conf import settings

from portal.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled == {
        "portal.notifications.scan_reminders",
        "portal.notifications.send_pending",
        "portal.reports.run_weekly",
        "portal.reports.run_monthly",
        "portal.exports.purge_expired",
    }
    assert scheduled <= set(app.tasks)


def test_the_schedule_is_read_in_jakarta_time():
    assert app.conf.timezone == "Asia/Jakarta"
    monthly = settings.CELERY_BEAT_SCHEDULE["monthly-reports"]["schedule"]
    assert isinstance(monthly, crontab)
    assert monthly.day_of_month == {1} and monthly.hour == {6}
