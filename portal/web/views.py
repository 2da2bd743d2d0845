"""Pages that span apps: home (routes each role to its pages) and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.core.health import broker_state


@require_GET
@never_cache
def healthz(request):
    """JSON with the database and broker state; 503 when the database is unreachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        database = "unavailable"
    broker = broker_state()
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker}
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    """Ministry staff go to the admin (which links the national overview), partner staff to
    their dashboard; everyone else gets the home page of their links."""
    if request.user.is_ministry_staff:
        return redirect("admin:index")
    if request.user.is_participant and hasattr(request.user, "participant"):
        return redirect("me:status")
    if request.user.is_partner_staff and getattr(request.user, "membership", None):
        return redirect("partner:dashboard")
    return render(request, "web/home.html")
