"""Who is looking at the partner pages, and through which organisation's eyes.

Partner staff see their own organisation. Ministry staff not limited to provinces choose a
partner (`?org=<slug>` on any partner page, remembered in the session) and see the pages exactly
as that partner's staff do: the pages query through a `PartnerLens`, never through the ministry
user. Everyone else gets 403.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from partners.lens import PartnerLens
from partners.models import Organisation

SESSION_KEY = "partner_lens_org"


@dataclass(frozen=True)
class PartnerView:
    organisation: Organisation
    viewer: object  # the user (partner staff) or a PartnerLens (ministry looking as the partner)
    actor: object  # the real person, for services and the audit trail
    is_lead: bool
    looking_as: bool  # True when ministry staff look through the partner's eyes


def partner_view_for(request):
    """The PartnerView of this request, or None when ministry staff have not chosen a partner."""
    user = request.user
    if user.is_partner_staff:
        membership = getattr(user, "membership", None)
        if membership is None:
            raise PermissionDenied
        return PartnerView(
            organisation=membership.organisation,
            viewer=user,
            actor=user,
            is_lead=membership.is_lead,
            looking_as=False,
        )
    if user.is_ministry_staff:
        if user.province_codes:
            # A partner's view spans every province; an officer limited to some would see more
            # through it than through their own eyes.
            raise PermissionDenied
        slug = request.GET.get("org") or request.session.get(SESSION_KEY)
        if not slug:
            return None
        organisation = get_object_or_404(Organisation, slug=slug)
        request.session[SESSION_KEY] = organisation.slug
        return PartnerView(
            organisation=organisation,
            viewer=PartnerLens(organisation, actor=user),
            actor=user,
            is_lead=False,
            looking_as=True,
        )
    raise PermissionDenied


def partner_page(view):
    """Decorate a partner page: `view(request, pv, ...)` with the request's PartnerView.

    Anonymous users go to the login page; ministry staff without a chosen partner go to the
    national overview to choose one.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pv = partner_view_for(request)
        if pv is None:
            return redirect("ministry:overview")
        return view(request, pv, *args, **kwargs)

    return wrapper
