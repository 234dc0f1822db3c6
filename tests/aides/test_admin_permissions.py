"""Who may change the public aid catalogue from the back-office, and that its form saves.

Every back-office group can *view* aids (the forms of structures look them up), so the
actions that put aids on or off the public site need a permission of their own
(`aides.publish_aide`), checked on the server whatever the page offered.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User

from aides.models import Aide
from tests.factories import AideFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/aides/aide/"


def staff(username, group=None, perms=()):
    user = User.objects.create_user(username, password="x", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def crafted_action(client, action, aide):
    """The POST a user could forge from the list, even if the menu did not offer it."""
    return client.post(
        CHANGELIST,
        {"action": action, "select_across": "1", "index": "0", "_selected_action": [aide.pk]},
    )


@pytest.mark.parametrize("group", ["Lecteur", "Agent départemental", "Agent régional"])
@pytest.mark.parametrize("action", ["publier", "archiver", "repasser_en_brouillon"])
def test_agents_without_the_publish_permission_change_no_aid(client, group, action):
    published = AideFactory(slug="aide-publiee", statut="publiee")
    draft = AideFactory(slug="aide-brouillon", statut="brouillon")
    client.force_login(staff("agent", group))

    page = client.get(CHANGELIST)
    assert page.status_code == 200  # they may read the catalogue
    assert f'value="{action}"' not in page.content.decode()

    for aide in (published, draft):
        response = crafted_action(client, action, aide)
        assert response.status_code in (200, 302)
    assert Aide.objects.get(pk=published.pk).statut == "publiee"
    assert Aide.objects.get(pk=draft.pk).statut == "brouillon"
    assert published.history.count() == 1 and draft.history.count() == 1
    client.logout()
    assert client.get("/aides/aide-publiee/").status_code == 200
    assert client.get("/aides/aide-brouillon/").status_code == 404


def test_the_publish_permission_allows_the_three_actions(client):
    aide = AideFactory(slug="aide-a-publier", statut="brouillon")
    client.force_login(staff("editeur", perms=["view_aide", "publish_aide"]))
    assert 'value="publier"' in client.get(CHANGELIST).content.decode()
    for action, statut in (("publier", "publiee"), ("archiver", "archivee"),
                           ("repasser_en_brouillon", "brouillon")):  # fmt: skip
        response = client.post(CHANGELIST, {"action": action, "_selected_action": [aide.pk]})
        assert response.status_code == 302
        assert Aide.objects.get(pk=aide.pk).statut == statut, action


def test_the_migration_gives_the_publish_permission_to_no_agent_group():
    holders = Group.objects.filter(permissions__codename="publish_aide")
    assert not holders.exists()
    assert Permission.objects.filter(
        codename="publish_aide", content_type__app_label="aides"
    ).exists()
