"""Deliver a message by email or SMS.

Email goes through Django's mail backend (EMAIL_URL; the console in development). SMS goes
through the class named by `settings.PORTAL_SMS_SENDER`: any class with a `send(to, body)` method,
so a real gateway is one more class and one setting.
"""

import sys

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class EmailSender:
    """Send through Django's configured email backend, from DEFAULT_FROM_EMAIL."""

    def send(self, to, subject, body):
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


class ConsoleSmsSender:
    """Development SMS sender: writes the message to standard output instead of sending it."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to, body):
        self.stream.write(f"SMS to {to}\n{body}\n{'-' * 40}\n")
        self.stream.flush()


def sms_sender():
    """An instance of the SMS sender class named by settings.PORTAL_SMS_SENDER."""
    return import_string(settings.PORTAL_SMS_SENDER)()


def send_message(*, channel, to, subject, body):
    """Send `body` to `to` by `channel`; SMS has no subject, so `subject` is used for email only."""
    channel = Channel(channel)
    if not to:
        raise ValueError("send_message needs an address")
    if channel == Channel.EMAIL:
        EmailSender().send(to, subject, body)
    else:
        sms_sender().send(to, body)
