from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    """Log in with a username; later issues add NIK and phone number in the same field."""
