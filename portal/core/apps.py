from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "portal.core"
    label = "core"
    verbose_name = "Portal"


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, restricted to ministry staff by PortalAdminSite."""

    default = False
    default_site = "portal.core.admin_site.PortalAdminSite"
