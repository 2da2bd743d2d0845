from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Organisation, models.Membership, models.Agreement, models.Commitment):
            auditlog.register(model)
