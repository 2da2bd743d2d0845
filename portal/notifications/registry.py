"""Reminder rules: each app declares its own in `<app>/reminders.py` with `@rule(...)`.

A rule is a function `(*, today, now)` yielding `Due` items: the object, the date it is due
for, its recipients and the context of the rule's message. `today` is the date in
Asia/Jakarta and `now` an aware datetime; rules derive everything from the database with a few
set-based queries, so that running a rule again yields the same items (the notification log's
unique key then records each once).

The notifications app never imports an app above it: `all_rules()` imports the `reminders`
modules of the installed apps through `autodiscover_modules`.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

_RULES = {}
_discovered = False


@dataclass(frozen=True)
class Due:
    """One reminder due: `recipients` are users or user ids; `context` fills the template."""

    obj: Any
    due_on: dt.date
    recipients: tuple
    context: dict = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class Rule:
    """A reminder kind: its code (the notification's `kind`), label, message and function.

    `subject` and `body` are English gettext_lazy msgids with `%(name)s` placeholders from
    each Due's context; they are rendered once per language, Indonesian first.
    """

    code: str
    label: str
    subject: Any
    body: Any
    function: Any

    def due(self, *, today, now):
        return self.function(today=today, now=now)


def rule(*, code, label, subject, body):
    """Register the decorated function as the reminder rule `code`."""

    def register(function):
        if code in _RULES and _RULES[code].function is not function:
            raise ValueError(f"reminder rule {code!r} is declared twice")
        _RULES[code] = Rule(code=code, label=label, subject=subject, body=body, function=function)
        return function

    return register


def all_rules():
    """Every declared rule, by code (the apps' `reminders` modules are imported once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("reminders")
        _discovered = True
    return dict(sorted(_RULES.items()))


def get_rule(code):
    return all_rules()[code]


def threshold_windows(today, thresholds):
    """For "N days before" reminders: (threshold, first, last) date windows of the expiry date.

    An expiry date in [first, last] is due for `threshold` today: the smallest threshold whose
    day has come, so a first run never sends the 90- and 30-day reminders together. Each window
    ends the day before the next smaller threshold; the smallest ends on `today` + 1 (nothing is
    sent once the date has passed).
    """
    ordered = sorted(thresholds)
    windows = []
    for index, threshold in enumerate(ordered):
        smaller = ordered[index - 1] if index else 0
        windows.append(
            (
                threshold,
                today + dt.timedelta(days=smaller + 1),
                today + dt.timedelta(days=threshold),
            )
        )
    return windows


EXPIRY_THRESHOLDS = (90, 30, 7)


@dataclass(frozen=True)
class Bilingual:
    """A context value stored in both languages (e.g. a country's names): shown in the one
    being rendered."""

    id: str
    en: str

    def __str__(self):
        from django.utils import translation

        return self.id if (translation.get_language() or "id").startswith("id") else self.en
