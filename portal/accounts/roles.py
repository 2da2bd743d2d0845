"""What each role may do: one declared table, synced into the role groups after every migrate.

Partner staff and participants hold no model permissions: what they see is decided by each
model's `visible_to(user)` queryset method, not by Django permissions.
"""

from .models import Role

# Apps whose models ministry staff manage in the admin.
PORTAL_APPS = ("participants", "partners", "training", "placements", "regions")

# Permissions that are granted by name (restricted data, NIKs, imports, exports) are declared by
# the app that defines them; a role lists them here as "app_label.codename".
ROLE_PERMISSIONS = {
    Role.MINISTRY_ADMIN: {
        "apps": dict.fromkeys(PORTAL_APPS, ("view", "add", "change", "delete"))
        | {"accounts": ("view", "add", "change", "delete"), "auditlog": ("view",)},
        "extra": ("*",),
    },
    Role.MINISTRY_OFFICER: {
        "apps": dict.fromkeys(PORTAL_APPS, ("view", "add", "change"))
        | {"regions": ("view",), "auditlog": ("view",)},
        "extra": (
            "participants.view_restricted",
            "participants.view_nik",
            "participants.export_participants",
        ),
    },
    # Analysts send and receive the spreadsheets: importing and exporting (pseudonymised by
    # default, NIKs masked, restricted fields left out).
    Role.ANALYST: {
        "apps": {},
        "extra": ("participants.import_participants", "participants.export_participants"),
    },
    Role.PARTNER_STAFF: {"apps": {}, "extra": ()},
    Role.PARTICIPANT: {"apps": {}, "extra": ()},
}

STANDARD_ACTIONS = ("view", "add", "change", "delete")


def permissions_for(role):
    """The Permission queryset a role should hold."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    spec = ROLE_PERMISSIONS[role]
    query = Q(pk__in=[])
    for app, actions in spec["apps"].items():
        for action in actions:
            query |= Q(content_type__app_label=app, codename__startswith=f"{action}_")
    for name in spec["extra"]:
        if name == "*":
            # Every non-standard permission of the portal's apps (restricted data, exports...).
            custom = Q(content_type__app_label__in=PORTAL_APPS)
            for action in STANDARD_ACTIONS:
                custom &= ~Q(codename__startswith=f"{action}_")
            query |= custom
        else:
            app, codename = name.split(".")
            query |= Q(content_type__app_label=app, codename=codename)
    return Permission.objects.filter(query)


def sync_role_permissions(**kwargs):
    """Create the role groups if needed and give each exactly its declared permissions."""
    from django.contrib.auth.models import Group

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role))
