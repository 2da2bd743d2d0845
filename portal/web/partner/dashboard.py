"""/partner/: the dashboard of one organisation, as its staff see it."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import partner_page
from .figures import dashboard_figures


@partner_page
@require_GET
def dashboard(request, pv):
    """Headline figures, charts with their tables, and the commitments of the agreements."""
    figures = dashboard_figures(pv.viewer)
    return render(request, "web/partner/dashboard.html", {"pv": pv, "figures": figures})
