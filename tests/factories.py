"""factory_boy factories shared by every test module."""

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
