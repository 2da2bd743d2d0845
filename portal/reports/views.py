"""/reports/: the report runs a user may see, their access-checked downloads, and the ministry
staff's subscriptions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import Kind, ReportRun, ReportSubscription
from .services import subscription_set


def _reader(request):
    user = request.user
    if not (user.is_ministry_staff or user.is_partner_staff):
        raise Http404
    return user


@require_GET
@login_required
def report_list(request):
    user = _reader(request)
    runs = ReportRun.objects.visible_to(user).select_related("partner")
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        runs = runs.filter(kind=kind)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    subscribed = set()
    if user.is_ministry_staff:
        subscribed = set(
            ReportSubscription.objects.filter(user=user).values_list("kind", flat=True)
        )
    kinds = [(value, label, value in subscribed) for value, label in Kind.choices]
    return render(
        request,
        "reports/report_list.html",
        {"page": page, "kind": kind, "kinds": kinds, "can_subscribe": user.is_ministry_staff},
    )


@require_GET
@login_required
def report_download(request, pk):
    user = _reader(request)
    run = get_object_or_404(ReportRun.objects.visible_to(user), pk=pk, status=ReportRun.Status.DONE)
    if not run.file:
        raise Http404
    return FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=run.file.name.rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_POST
@login_required
def subscription(request):
    user = _reader(request)
    kind = request.POST.get("kind", "")
    if not user.is_ministry_staff or kind not in Kind.values:
        raise Http404
    subscribed = request.POST.get("action") == "subscribe"
    subscription_set(user=user, kind=kind, subscribed=subscribed)
    label = Kind(kind).label
    if subscribed:
        messages.success(
            request, _("You will receive the %(kind)s reports by email.") % {"kind": label}
        )
    else:
        messages.success(
            request, _("You will no longer receive the %(kind)s reports.") % {"kind": label}
        )
    return redirect("reports:list")
