from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Placements")

    def ready(self):
        from auditlog.registry import auditlog

        from participants.apps import model_restricted_fields

        from . import models

        for model in (
            models.JobOrder,
            models.DestinationRule,
            models.ChecklistItem,
            models.Placement,
            models.Milestone,
            models.CheckIn,
            models.ContractChange,
            models.Incident,
            models.Case,
            models.Referral,
            models.ServiceDelivery,
        ):
            auditlog.register(model, mask_fields=list(model_restricted_fields(model)))
