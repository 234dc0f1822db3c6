"""Data migration: the agents' groups and their permissions.

The département/région scope itself lives in each agent's ProfilAgent; groups say what an
agent may do (edit, publish, only read), the profile says where.
"""

from django.db import migrations

EDIT = ["view", "add", "change"]
STRUCTURES_MODELS = ["structure", "presenceprofessionnelle", "professionnelsoutenu"]
# Autocomplete of communes and aids in the forms needs the view permission on them.
LOOKUPS = [("territoires", "view_commune"), ("aides", "view_aide")]
PUBLISH = [
    ("structures", "publish_structure"),
    ("structures", "publish_professionnelsoutenu"),
]


def _codes(actions):
    return [("structures", f"{a}_{m}") for m in STRUCTURES_MODELS for a in actions]


GROUPS = {
    "Agent régional": _codes([*EDIT, "delete"]) + PUBLISH + LOOKUPS,
    "Agent départemental": _codes(EDIT) + PUBLISH + LOOKUPS,
    "Lecteur": _codes(["view"]) + LOOKUPS,
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # On a fresh database permissions are only created after all migrations: make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for app_label, codename in codes:
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0001_initial"),
        ("aides", "0001_initial"),
        ("territoires", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
