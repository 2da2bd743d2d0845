"""Referral pages for the staff of the receiving organisation: the person, the reason and the
services asked, never the case file. Answers and reports go through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ReferralAnswerForm, ReferralCompleteForm
from .models import Referral


def _referrals(user):
    if not (user.is_partner_staff or user.has_perm("placements.view_case")):
        raise PermissionDenied
    return Referral.objects.visible_to(user).select_related("case__participant", "to_organisation")


@login_required
def referral_list(request):
    referrals = _referrals(request.user)
    status = request.GET.get("status", "")
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "placements/referral_list.html",
        {"page": page, "status": status, "statuses": Referral.Status.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, pk):
    referral = get_object_or_404(_referrals(request.user), pk=pk)
    answer_form = ReferralAnswerForm(prefix="answer")
    complete_form = ReferralCompleteForm(prefix="complete")
    if request.method == "POST":
        try:
            if "answer-decision" in request.POST:
                answer_form = ReferralAnswerForm(request.POST, prefix="answer")
                if answer_form.is_valid():
                    accept = answer_form.cleaned_data["decision"] == "accept"
                    services.referral_answer(
                        referral=referral,
                        accept=accept,
                        answer=answer_form.cleaned_data["answer"],
                        actor=request.user,
                    )
                    messages.success(
                        request,
                        _("Referral accepted.") if accept else _("Referral rejected."),
                    )
                    return redirect("placements:referral_detail", pk=referral.pk)
            else:
                complete_form = ReferralCompleteForm(request.POST, prefix="complete")
                if complete_form.is_valid():
                    services.referral_complete(
                        referral=referral,
                        services_given=complete_form.cleaned_data["services_given"],
                        delivered_on=complete_form.cleaned_data["delivered_on"],
                        actor=request.user,
                    )
                    messages.success(request, _("Services recorded; the referral is done."))
                    return redirect("placements:referral_detail", pk=referral.pk)
        except services.PlacementError as error:
            messages.error(request, str(error))
    participant = referral.case.participant
    return render(
        request,
        "placements/referral_detail.html",
        {
            "referral": referral,
            "participant": participant,
            "age": participant.age(),
            "answer_form": answer_form,
            "complete_form": complete_form,
            "deliveries": referral.services.all(),
        },
    )
