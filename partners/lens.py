"""Seeing the portal as an organisation's staff see it.

A `PartnerLens` is a request-like user that is not stored: it holds the partner-staff role and a
membership of one organisation, and no model permissions, so every model's `visible_to(lens)`
gives exactly what that organisation's staff see. Ministry staff use it to look through a
partner's eyes; `actor` is the real person, for the audit trail.
"""

from django.utils.functional import cached_property

from portal.accounts.models import Role

from .models import Membership


class PartnerLens:
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_ministry_staff = False
    is_ministry_admin = False
    is_analyst = False
    is_partner_staff = True
    is_participant = False
    pk = None
    id = None
    role_codes = frozenset({Role.PARTNER_STAFF.value})
    province_codes = frozenset()

    def __init__(self, organisation, *, actor=None):
        self.organisation = organisation
        self.actor = actor
        self.username = f"lens:{organisation.slug}"

    def __str__(self):
        return self.username

    @cached_property
    def membership(self):
        return Membership(organisation=self.organisation)

    def has_role(self, *roles):
        return bool(self.role_codes & {str(r) for r in roles})

    def has_perm(self, perm, obj=None):
        return False

    def has_perms(self, perms, obj=None):
        return False

    def has_module_perms(self, app_label):
        return False

    def get_username(self):
        return self.username
