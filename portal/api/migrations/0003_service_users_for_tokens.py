"""Give each existing API token a service user (partner staff of its organisation, no usable
password), as `portal.api.services.service_user_create` does for new tokens."""

from django.contrib.auth.hashers import make_password
from django.db import migrations


def forwards(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("partners", "Membership")
    role = Group.objects.get_or_create(name="partner_staff")[0]
    users = {}  # a rotated token shares its successor's user
    for token in ApiToken.objects.filter(service_user__isnull=True).order_by("-pk"):
        user = users.get(token.replaced_by_id)
        if user is None:
            user = User.objects.create(
                username=f"api-token-{token.pk}",
                first_name=token.name[:150],
                last_name="(API)",
                password=make_password(None),
                is_active=True,
            )
            user.groups.add(role)
            Membership.objects.create(user=user, organisation_id=token.organisation_id)
        users[token.pk] = user
        token.service_user = user
        token.save(update_fields=["service_user"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_deletions_service_users"),
        ("accounts", "0002_roles"),
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
