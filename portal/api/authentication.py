"""Authentication by API token (`Authorization: Bearer <secret>`).

A token acts as a `TokenUser`: a request user that is not stored, holds the partner-staff role
and a membership of the token's organisation, and no model permissions. Every model's
`visible_to(user)` therefore gives a token exactly what that organisation's staff see; the
viewsets then narrow it to the token's programmes (`portal.api.scoping`).
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from partners.models import Membership
from portal.accounts.models import Role

from .services import token_for_secret


class OrganisationStaff:
    """Stands for any partner staff member of one organisation (not stored): what they see
    is what `visible_to` gives partner staff of `organisation_id`."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_ministry_staff = False
    is_ministry_admin = False
    is_analyst = False
    is_partner_staff = True
    is_participant = False
    pk = None
    id = None
    role_codes = frozenset({Role.PARTNER_STAFF.value})
    province_codes = frozenset()

    def __init__(self, organisation_id):
        self.organisation_id = organisation_id
        self.username = f"organisation:{organisation_id}"

    def __str__(self):
        return self.username

    @cached_property
    def membership(self):
        return Membership(organisation_id=self.organisation_id)

    def has_role(self, *roles):
        return bool(self.role_codes & {str(r) for r in roles})

    def has_perm(self, perm, obj=None):
        return False

    def has_perms(self, perms, obj=None):
        return False

    def has_module_perms(self, app_label):
        return False

    def get_username(self):
        return self.username


class TokenUser(OrganisationStaff):
    """The request user of a token: partner staff of the token's organisation. (The services
    record the token's stored `service_user` as the actor: `permissions.actor_of`.)"""

    def __init__(self, token):
        super().__init__(token.organisation_id)
        self.token = token
        self.username = f"api-token:{token.prefix}"

    @cached_property
    def membership(self):
        return Membership(organisation=self.token.organisation)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown, expired or revoked token."))
        return TokenUser(token), token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
