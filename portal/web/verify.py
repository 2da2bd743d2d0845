"""/verify/<code>/: public certificate verification, showing nothing a holder would not print.

The holder's initials, the track, the issuer and the validity; 404 for an unknown code; rate
limited per address so that codes cannot be guessed in bulk (429 with a page that says so).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from training.models import Certificate

RATE = "20/m"


def initials(full_name):
    """Initials only, e.g. "B. S." for Budi Santoso: a name is never shown in full."""
    return " ".join(f"{word[0].upper()}." for word in full_name.split() if word[:1].isalpha())


@require_GET
@ratelimit(key="ip", rate=RATE, block=False)
def verify(request, code):
    if getattr(request, "limited", False):
        return render(request, "web/verify_limited.html", status=429)
    certificate = (
        Certificate.objects.select_related("enrolment__participant", "enrolment__batch__track")
        .filter(verification_code=code.strip())
        .first()
    )
    if certificate is None:
        raise Http404
    today = timezone.localdate()
    context = {
        "holder": initials(certificate.enrolment.participant.full_name),
        "track": certificate.enrolment.batch.track.name,
        "issuer": certificate.issuer,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "valid": certificate.expires_on is None or certificate.expires_on >= today,
        "code": certificate.verification_code,
    }
    response = render(request, "web/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
