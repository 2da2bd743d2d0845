"""factory_boy factories shared by every test module."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from partners.models import Membership, Organisation
from portal.accounts.models import User

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    role = "ministry_officer"
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)
    is_staff = factory.LazyAttribute(lambda o: o.role in {"ministry_admin", "ministry_officer"})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        role = kwargs.pop("role", "ministry_officer")
        user = super()._create(model_class, *args, **kwargs)
        user.groups.add(Group.objects.get(name=role))
        return user


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisasi {n}")
    slug = factory.Sequence(lambda n: f"organisasi-{n}")
    kind = Organisation.Kind.CSR_COMPANY


class PartnerStaffFactory(UserFactory):
    """A partner staff user with a membership of `organisation`."""

    role = "partner_staff"

    @classmethod
    def _create(cls, model_class, *args, organisation=None, is_lead=False, **kwargs):
        kwargs["role"] = "partner_staff"
        user = super()._create(model_class, *args, **kwargs)
        Membership.objects.create(
            user=user, organisation=organisation or OrganisationFactory(), is_lead=is_lead
        )
        return user


# --- Registry, partners and training -------------------------------------------------------

_nik_serial = iter(range(1, 10**6))


def make_nik(*, region="5171", district="01", birth=None, female=False, serial=None):
    """A structurally valid NIK: region (4) + district (2) + DDMMYY (+40 for women) + serial."""
    birth = birth or dt.date(1990, 5, 17)
    day = birth.day + (40 if female else 0)
    number = serial if serial is not None else next(_nik_serial)
    return f"{region}{district}{day:02d}{birth:%m%y}{number:04d}"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.Participant"

    class Params:
        female = False

    birth_date = factory.Faker("date_between", start_date="-40y", end_date="-20y")
    nik = factory.LazyAttribute(lambda o: make_nik(birth=o.birth_date, female=o.female))
    full_name = factory.Faker("name", locale="id_ID")
    sex = factory.LazyAttribute(lambda o: "F" if o.female else "M")
    phone = "+6281234567890"
    province_id = "51"
    regency_id = "51.71"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.Consent"

    participant = factory.SubFactory(ParticipantFactory)
    purpose = "partner_sharing"
    given_by = "participant"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Agreement"
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"PKS/{n:03d}/2026")
    title = factory.Sequence(lambda n: f"Perjanjian kerja sama {n}")
    signed_on = factory.LazyFunction(lambda: dt.date(2025, 11, 3))
    valid_from = factory.LazyFunction(lambda: dt.date(2025, 11, 3))
    valid_until = factory.LazyFunction(lambda: dt.date(2030, 11, 2))

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        from partners.models import AgreementParty

        for organisation in extracted or ():
            AgreementParty.objects.create(agreement=self, organisation=organisation, role="party")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Programme"
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Program {n}")

    @factory.post_generation
    def agreements(self, create, extracted, **kwargs):
        if extracted:
            self.agreements.add(*extracted)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.Participation"
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    status = "active"

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if extracted:
            self.responsible_organisations.add(*extracted)


def share_with(participant, organisation, *, programme=None, consent=True):
    """Make `participant` visible to `organisation`'s staff: an active agreement with the
    organisation as party, a programme under it, a participation naming the organisation and
    (unless consent=False) a standing partner-sharing consent. Returns the participation."""
    if programme is None:
        agreement = AgreementFactory(parties=[organisation])
        programme = ProgrammeFactory(agreements=[agreement])
    participation = ParticipationFactory(
        participant=participant, programme=programme, organisations=[organisation]
    )
    if consent:
        ConsentFactory(participant=participant)
    return participation


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Track"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"track-{n}")
    name = factory.Sequence(lambda n: f"Las SMAW {n}")
    kind = "welding"
    target_hours = 120
    min_attendance_share = 0.8
    min_score = 70


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Batch"

    code = factory.Sequence(lambda n: f"batch-{n}")
    name = factory.Sequence(lambda n: f"Angkatan {n}")
    track = factory.SubFactory(TrackFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    provider = factory.SubFactory(OrganisationFactory)
    venue = "BLK Denpasar"
    timezone = "Asia/Makassar"
    capacity = 20
    starts_on = factory.LazyFunction(lambda: dt.date(2026, 11, 2))
    ends_on = factory.LazyFunction(lambda: dt.date(2027, 1, 29))
    status = "running"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Session"

    batch = factory.SubFactory(BatchFactory)
    topic = "Praktik"
    starts_at = factory.Sequence(
        lambda n: dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC) + dt.timedelta(days=n)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Enrolment"

    participant = factory.SubFactory(ParticipantFactory)
    batch = factory.SubFactory(BatchFactory)
    status = "active"


# --- Placements and cases --------------------------------------------------------------------


class JobOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.JobOrder"

    reference = factory.Sequence(lambda n: f"JO-{n:05d}")
    title = "Welder SMAW, shipyard"
    country_id = "JP"
    scheme = "p2p"
    agency = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PLACEMENT_AGENCY)
    employer = "Imabari Zosen"
    occupation = "Welder"
    sector = "shipbuilding"
    positions = 10
    min_age = 18
    max_age = 40
    contract_months = 36
    salary = 1800
    status = "open"


class PlacementFactory(factory.django.DjangoModelFactory):
    """A placement created directly in `phase` (tests of the journey use the services)."""

    class Meta:
        model = "placements.Placement"

    participant = factory.SubFactory(ParticipantFactory)
    country_id = "JP"
    scheme = "p2p"
    occupation = "Welder"
    sector = "shipbuilding"
    phase = "registered"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.Case"

    participant = factory.SubFactory(ParticipantFactory)
    type = "unpaid_wages"
    severity = "medium"
    summary = "Gaji tiga bulan tidak dibayar"
    status = "open"
