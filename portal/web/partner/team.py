"""/partner/team/: the organisation's lead invites colleagues and removes them.

Only the lead of the organisation (a real partner staff user) may open the page: colleagues
who are not the lead, and ministry staff looking through the partner's eyes, get 403. The state
changes are `partners.services.colleague_invite` and `colleague_remove`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partners.models import Membership
from partners.services import PartnerError, colleague_invite, colleague_remove
from portal.accounts.services import LinkError

from .access import partner_page
from .forms import InviteForm


def _require_lead(pv):
    if pv.looking_as or not pv.is_lead:
        raise PermissionDenied


@partner_page
@require_http_methods(["GET", "POST"])
def team(request, pv):
    _require_lead(pv)
    form = InviteForm(request.POST if request.method == "POST" else None)
    invited = None
    if request.method == "POST" and form.is_valid():
        try:
            user, url = colleague_invite(actor=pv.actor, **form.cleaned_data)
        except (PartnerError, LinkError, ValidationError) as error:
            problems = error.messages if isinstance(error, ValidationError) else [str(error)]
            for problem in problems:
                form.add_error(None, problem)
        else:
            # The link is shown once, to copy, besides being sent.
            invited = {"user": user, "url": url}
            form = InviteForm()
    members = (
        Membership.objects.filter(organisation=pv.organisation, user__is_active=True)
        .select_related("user")
        .order_by("-is_lead", "user__username")
    )
    context = {"pv": pv, "form": form, "members": members, "invited": invited}
    return render(request, "web/partner/team.html", context)


@partner_page
@require_POST
def team_remove(request, pv, user_pk):
    _require_lead(pv)
    membership = get_object_or_404(
        Membership.objects.filter(organisation=pv.organisation).select_related("user"),
        user_id=user_pk,
    )
    try:
        colleague_remove(actor=pv.actor, user=membership.user)
    except PartnerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(name)s no longer has access.") % {"name": membership.user.get_username()}
        )
    return redirect("partner:team")
