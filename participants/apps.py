from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Participant,
            models.FormerPrisonerProfile,
            models.StudentProfile,
            models.ReturningWorkerProfile,
            models.Consent,
            models.PersonalDocument,
            models.DecileRecord,
            models.Participation,
        ):
            auditlog.register(model, mask_fields=list(model_restricted_fields(model)))
        auditlog.register(models.PendingChange, mask_fields=["current_value", "proposed_value"])


def model_restricted_fields(model):
    return getattr(model, "RESTRICTED_FIELDS", ())
