"""Users, roles and one-time links."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Each role is a Group named by its code, created by a migration."""

    MINISTRY_ADMIN = "ministry_admin", _("Ministry admin")
    MINISTRY_OFFICER = "ministry_officer", _("Ministry officer")
    ANALYST = "analyst", _("Analyst")
    PARTNER_STAFF = "partner_staff", _("Partner staff")
    PARTICIPANT = "participant", _("Participant")


MINISTRY_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER})


class User(AbstractUser):
    """A person who logs in: ministry staff, analyst, partner staff or participant."""

    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    provinces = models.ManyToManyField(
        "regions.Province",
        blank=True,
        related_name="officers",
        verbose_name=_("limited to provinces"),
        help_text=_("A ministry officer limited to provinces sees only participants living there."),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def role_codes(self):
        if not self.pk:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles):
        return bool(self.role_codes & {str(r) for r in roles})

    @property
    def is_ministry_staff(self):
        return self.is_superuser or self.has_role(*MINISTRY_ROLES)

    @property
    def is_ministry_admin(self):
        return self.is_superuser or self.has_role(Role.MINISTRY_ADMIN)

    @property
    def is_analyst(self):
        return self.has_role(Role.ANALYST)

    @property
    def is_partner_staff(self):
        return self.has_role(Role.PARTNER_STAFF)

    @property
    def is_participant(self):
        return self.has_role(Role.PARTICIPANT)

    @cached_property
    def province_codes(self):
        """Province codes an officer is limited to; empty means not limited."""
        if not self.pk or self.is_ministry_admin:
            return frozenset()
        return frozenset(self.provinces.values_list("code", flat=True))


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class OneTimeLink(models.Model):
    """A link to set a password (invitation or reset), valid for a week and usable once.

    Only the SHA-256 of the token is stored; the token itself exists in the link alone.
    """

    class Purpose(models.TextChoices):
        INVITE = "invite", _("Invitation")
        RESET = "reset", _("Password reset")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="one_time_links", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("one-time link")
        verbose_name_plural = _("one-time links")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="one_time_link_expires_after_creation",
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} – {self.user}"

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > timezone.now()
