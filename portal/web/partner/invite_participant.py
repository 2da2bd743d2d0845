"""/partner/participants/<id>/invite/: partner staff invite a participant they see by name.

GET asks to confirm; POST creates the participant's login if missing and a one-time link, shown
once to copy, show as a QR code or print, with buttons to send it by email or SMS. Inviting
again (resend) replaces the earlier link.
"""

import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from participants import services as registry
from participants.models import Participant
from portal.accounts import services as accounts
from portal.accounts.senders import Channel

from .access import partner_page

logger = logging.getLogger(__name__)


def _qr(url):
    svg = segno.make(url, error="m").svg_inline(
        scale=4, border=4, light="#fff", title=_("QR code of the link")
    )
    return mark_safe(svg)  # noqa: S308 - segno's own SVG of a URL we built


@never_cache
@require_http_methods(["GET", "POST"])
@partner_page
def participant_invite(request, pv, pk):
    participant = get_object_or_404(Participant.objects.visible_to(pv.viewer), pk=pk)
    context = {"participant": participant, "pv": pv, "days": settings.ONE_TIME_LINK_DAYS}
    if request.method == "POST":
        channel = request.POST.get("channel") or None
        if channel not in {None, Channel.EMAIL, Channel.SMS}:
            channel = None
        try:
            user, link, url = registry.participant_account_invite(
                participant=participant, actor=pv.actor, channel=channel
            )
        except accounts.LinkError as error:
            messages.error(request, str(error))
        except Exception:  # the SMS or mail gateway failed: the link exists, show it
            logger.exception("Sending an invitation to participant %s failed", participant.pk)
            messages.error(request, _("The message could not be sent. Copy or print the link."))
        else:
            if channel:
                messages.success(request, _("The link was sent."))
            context.update(user=user, link=link, url=url, qr=_qr(url), channel=channel)
            response = render(request, "web/me/partner_invite.html", context)
            response["Referrer-Policy"] = "strict-origin"
            return response
    account = participant.user
    context.update(
        has_account=account is not None,
        has_logged_in=bool(account and account.last_login),
        email=(account.email if account else participant.email),
        phone=(
            account.phone if account else "" if participant.phone_is_guardian else participant.phone
        ),
    )
    return render(request, "web/me/partner_invite_confirm.html", context)
