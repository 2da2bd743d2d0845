"""One JSON shape for every error: `{"error": {"code", "message", "fields"}}`.

Validation errors name the fields they concern; a refusal by a service (a Django
`ValidationError`) is a 400 like them; 401, 403, 404, 405 and 429 carry a code and a message.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(codes):
    while isinstance(codes, (list, dict)):
        if not codes:
            return "invalid"
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def _messages(detail):
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [
            _messages(item) if isinstance(item, (dict, list)) else force_str(item)
            for item in detail
        ]
    return [force_str(detail)]


def error_body(code, message, fields=None):
    return {"error": {"code": code, "message": force_str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    """DRF's handler, reshaped."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail, code="refused")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _first_code(exc.get_codes())
    if isinstance(exc, exceptions.ValidationError):
        fields = _messages(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        general = fields.get("non_field_errors")
        message = general[0] if general else _("The request is not valid.")
        response.data = error_body(code, message, fields)
    else:
        response.data = error_body(code, exc.detail)
    return response
