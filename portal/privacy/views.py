"""The data-protection page for ministry staff: find a person, then see who read their
restricted data and when, their consents given and withdrawn, and the exports and exchanges that
contained them.

Who: ministry admins and officers (officers limited to provinces see only people living there:
404 for anyone else, by `Participant.objects.visible_to`). Partner staff, analysts and
participants get 403; anonymous users the login page.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.models import Participant

from . import services


def _require_ministry(user):
    if not services.may_see_report(user):
        raise PermissionDenied


@login_required
@require_GET
@never_cache
def search(request):
    """Search a person by NIK (exact) or part of the name."""
    _require_ministry(request.user)
    query = request.GET.get("q", "")[:100]
    people = list(services.people_search(user=request.user, query=query))
    rows = [
        {"person": person, "nik": services.nik_shown(user=request.user, participant=person)}
        for person in people
    ]
    context = {"query": query, "rows": rows, "limit": services.SEARCH_SHOWN}
    return render(request, "privacy/search.html", context)


@login_required
@require_GET
@never_cache
def person(request, pk):
    """Who accessed this person's restricted data, their consents, exports and exchanges."""
    _require_ministry(request.user)
    participant = get_object_or_404(
        Participant.objects.visible_to(request.user).select_related("province"), pk=pk
    )
    context = {
        "person": participant,
        "nik": services.nik_shown(user=request.user, participant=participant),
        "limit": services.ACCESS_SHOWN,
        **services.person_report(participant=participant, user=request.user),
    }
    return render(request, "privacy/person.html", context)
