"""Authentication by API token (`Authorization: Bearer <secret>`).

A token acts as a `TokenUser`: a request user that is not stored, holds the partner-staff role
and a membership of the token's organisation, and no model permissions. Every model's
`visible_to(user)` therefore gives a token exactly what that organisation's staff see; the
viewsets then narrow it to the token's programmes (`portal.api.scoping`).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from partners.lens import PartnerLens

from .services import token_for_secret


class TokenUser(PartnerLens):
    """The request user of a token: partner staff of the token's organisation (a lens on it).
    The services record the token's stored `service_user` as the actor (`permissions.actor_of`)."""

    def __init__(self, token):
        super().__init__(token.organisation)
        self.token = token
        self.username = f"api-token:{token.prefix}"


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
