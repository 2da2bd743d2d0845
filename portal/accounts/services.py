"""Account state changes: creating users with a role."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import MINISTRY_ROLES, Role, User


@transaction.atomic
def user_create(
    *, username, role, email="", first_name="", last_name="", password=None, provinces=(), phone=""
):
    """Create a user holding exactly one role; ministry roles may enter the admin."""
    role = Role(role)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        is_staff=role in MINISTRY_ROLES,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    if provinces:
        user.provinces.set(provinces)
    return user
