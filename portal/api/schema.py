"""The OpenAPI schema declares the error responses every endpoint may give, in their shape."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from .serializers import ErrorSerializer

ERROR_STATUSES = {
    "400": "Invalid filter, cursor or body; a refusal by the portal's rules.",
    "401": "No credentials, or an unknown, expired or revoked token.",
    "403": "Not allowed for this user or token (e.g. a read-only token writing).",
    "404": "No such object among those the user may see.",
    "429": "Too many requests with this token; see Retry-After.",
}


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses
        for status, description in ERROR_STATUSES.items():
            if status not in responses:
                response = self._get_response_for_code(ErrorSerializer, status)
                response["description"] = description
                responses[status] = response
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token issued by a ministry admin: `Authorization: Bearer <token>`.",
        }


# Without `participants.view_nik` the NIK is shown masked (`portal.audit.masking.mask_nik`).
MASKED_NIK_PATTERN = r"^(?:\d{16}|\d{4}\*{8}\d{4})$"


def declare_masked_nik(result, generator, request, public):
    """Postprocessing hook: a participant's NIK in a response is 16 digits or masked
    (5171********0001); requests still need the 16 digits."""
    component = result.get("components", {}).get("schemas", {}).get("Participant")
    if component and "nik" in component.get("properties", {}):
        nik = component["properties"]["nik"]
        nik["pattern"] = MASKED_NIK_PATTERN
        nik["description"] = (
            "16 digits; masked as 5171********0001 without the permission to see NIKs."
        )
    return result
