"""Partner-page worlds: an organisation with an active agreement, a programme, a batch it
provides and participants shared with it (consent given)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tests import factories


@dataclass
class World:
    organisation: object
    agreement: object
    programme: object
    batch: object

    def participant(self, *, consent=True, enrol=True, **fields):
        """A participant shared with the organisation (and enrolled in its batch)."""
        participant = factories.ParticipantFactory(**fields)
        factories.ParticipationFactory(
            participant=participant, programme=self.programme, organisations=[self.organisation]
        )
        if consent:
            factories.ConsentFactory(participant=participant)
        if enrol:
            factories.EnrolmentFactory(participant=participant, batch=self.batch, status="enrolled")
        return participant

    def past_sessions(self, count, *, batch=None):
        """`count` sessions that were already held, oldest first."""
        now = timezone.now()
        return [
            factories.SessionFactory(
                batch=batch or self.batch,
                starts_at=now - dt.timedelta(days=count - i, hours=3),
                ends_at=now - dt.timedelta(days=count - i),
            )
            for i in range(count)
        ]


def world_for(organisation, *, batch_name=None):
    agreement = factories.AgreementFactory(parties=[organisation])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    extra = {"name": batch_name} if batch_name else {}
    batch = factories.BatchFactory(provider=organisation, programme=programme, **extra)
    return World(organisation, agreement, programme, batch)
