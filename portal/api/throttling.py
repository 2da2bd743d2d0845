from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .permissions import token_of


class ApiTokenRateThrottle(SimpleRateThrottle):
    """PORTAL_API_TOKEN_RATE requests per token (kept in the cache); the browser session is
    not throttled here."""

    scope = "api_token"

    def get_rate(self):
        return settings.PORTAL_API_TOKEN_RATE

    def get_cache_key(self, request, view):
        token = token_of(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.token_hash[:32]}
