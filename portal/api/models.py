"""API tokens issued to partner organisations' systems, and the log of their requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens not revoked and not expired at `now`."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A secret that lets an organisation's system use the API with its staff's visibility.

    Only the SHA-256 of the secret is stored; the secret is shown once, when it is issued.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it."))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    programmes = models.ManyToManyField(
        "partners.Programme",
        blank=True,
        related_name="+",
        verbose_name=_("programmes"),
        help_text=_("Empty: every programme the organisation may see."),
    )
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="api_tokens",
        verbose_name=_("service user"),
        help_text=_(
            "The user the portal records as the actor of this token's writes: partner staff of "
            "the organisation, without a usable password. Kept when the token is rotated."
        ),
    )
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        editable=False,
        verbose_name=_("replaced by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self):
        return f"{self.organisation}: {self.name} ({self.prefix}…)"

    @property
    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self):
        return self.scope == self.Scope.READ_WRITE


class ApiRequestLog(models.Model):
    """One request made with a token: which endpoint, and how it was answered."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="requests")
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    endpoint = models.CharField(_("endpoint"), max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        indexes = [models.Index(fields=["token", "-at"], name="api_request_token_at")]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"


def scope_keys(ids):
    """Ids stored as ",3,17," so that one id is found with `__contains=",3,"` on any database."""
    ids = sorted({int(i) for i in ids if i is not None})
    return f",{','.join(map(str, ids))}," if ids else ""


class DeletionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tombstones of rows `user` could see when they were deleted (by the scope keys
        computed then): ministry staff within their provinces, analysts all, partner staff
        those of their organisation (and reference data), participants none. Cases only with
        `placements.view_case`; restricted documents only with `participants.view_restricted`.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        rows = self
        if not user.has_perm("placements.view_case") or not user.is_ministry_staff:
            rows = rows.exclude(endpoint="cases")
        if not user.has_perm("participants.view_restricted"):
            rows = rows.exclude(restricted=True)
        if user.is_ministry_staff:
            if user.province_codes:
                return rows.filter(
                    Q(participant_id__isnull=True) | Q(province_code__in=user.province_codes)
                )
            return rows
        if user.is_participant:
            return self.none()
        if user.is_analyst:
            return rows
        if user.is_partner_staff:
            membership = getattr(user, "membership", None)
            if membership is None:
                return self.none()
            return rows.filter(
                Q(open_to_partners=True)
                | Q(organisation_keys__contains=f",{membership.organisation_id},")
            )
        return self.none()

    def in_programmes(self, programme_ids):
        """A token limited to programmes: tombstones of rows of those programmes, and of rows
        that belong to no programme (organisations, tracks, job orders)."""
        condition = Q(programme_keys="")
        for programme_id in programme_ids:
            condition |= Q(programme_keys__contains=f",{programme_id},")
        return self.filter(condition)


class Deletion(models.Model):
    """A tombstone: a row an API list showed was deleted. Partner systems syncing with
    `updated_since` learn of deletions here. Who may see it is decided by the scope keys
    computed when the row was deleted (the row and its relations are gone afterwards)."""

    endpoint = models.CharField(_("type"), max_length=30, db_index=True)
    object_id = models.BigIntegerField(_("object id"))
    deleted_at = models.DateTimeField(_("deleted at"), default=timezone.now, db_index=True)
    participant_id = models.BigIntegerField(_("participant id"), null=True, blank=True)
    province_code = models.CharField(_("province code"), max_length=2, blank=True)
    organisation_keys = models.CharField(
        _("organisations"),
        max_length=2000,
        blank=True,
        help_text=_("The partner organisations whose staff could see the row (,3,17,)."),
    )
    programme_keys = models.CharField(
        _("programmes"), max_length=2000, blank=True, help_text=_("The row's programmes.")
    )
    open_to_partners = models.BooleanField(
        _("open to every partner"), default=False, help_text=_("Reference data, open job orders.")
    )
    restricted = models.BooleanField(
        _("restricted"), default=False, help_text=_("A health result or criminal record.")
    )

    objects = DeletionQuerySet.as_manager()

    class Meta:
        ordering = ["deleted_at", "pk"]
        verbose_name = _("deletion")
        verbose_name_plural = _("deletions")
        indexes = [models.Index(fields=["deleted_at", "id"], name="api_deletion_at")]

    def __str__(self):
        return f"{self.endpoint} {self.object_id} ({self.deleted_at:%Y-%m-%d %H:%M})"
