"""A participant's session ends after PORTAL_PARTICIPANT_IDLE_MINUTES without a request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

SESSION_KEY = "portal_last_seen"


class ParticipantIdleTimeoutMiddleware:
    """Log a participant out when their last request is older than the idle limit.

    Participants often use a shared or borrowed phone; staff sessions are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_participant:
            now = int(time.time())
            limit = settings.PORTAL_PARTICIPANT_IDLE_MINUTES * 60
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - last_seen > limit:
                logout(request)
                messages.info(
                    request, _("You were logged out after a while without activity. Log in again.")
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= 60:  # a session write a minute at most
                request.session[SESSION_KEY] = now
        return self.get_response(request)
