"""The in-portal notification list: every user's own notifications, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Notification

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request):
    notifications = Notification.objects.own(request.user).only(
        "pk", "kind", "subject", "body", "url", "due_on", "created_at", "read_at"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Notification.objects.own(request.user).unread().count()
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.own(request.user), pk=pk)
    services.mark_read(user=request.user, notification_id=notification.pk)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect(_back(request))


def _back(request):
    page = request.POST.get("page", "")
    target = reverse("notifications:list")
    return f"{target}?page={page}" if page.isdigit() else target
