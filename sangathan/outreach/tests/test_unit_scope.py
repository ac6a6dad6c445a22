"""A unit's history and its approval rule: the unit is fetched through the user's scope (404 outside it,
the same as an id that does not exist), then the action is checked (403 inside but not allowed)."""

from django.urls import reverse

from sangathan.outreach.models import ApprovalRule
from sangathan.testing import log_in

MISSING = 999_999


def test_outside_the_scope_is_the_same_404_as_no_such_unit(client, tree, cast):
    log_in(client, cast.sibling_admin, language="hi")
    for unit_id in (tree.booth1.pk, tree.jaipur.pk, MISSING):
        assert client.get(reverse("outreach:unit", args=[unit_id])).status_code == 404
        assert client.post(reverse("outreach:rule", args=[unit_id]), {"four_eyes": "on"}).status_code == 404
    assert not ApprovalRule.objects.exists()
    assert client.get(reverse("outreach:unit", args=[tree.ajmer_booth.pk])).status_code == 200


def test_a_unit_in_view_without_approval_rights_is_refused(client, tree, cast):
    log_in(client, cast.viewer, language="hi")
    assert client.get(reverse("outreach:unit", args=[tree.booth1.pk])).status_code == 200
    assert client.post(reverse("outreach:rule", args=[tree.jaipur.pk]), {"four_eyes": "on"}).status_code == 403
    assert not ApprovalRule.objects.exists()


def test_the_in_charge_sets_the_rule_of_their_unit(client, tree, cast):
    log_in(client, cast.district_admin, language="hi")
    response = client.post(reverse("outreach:rule", args=[tree.jaipur.pk]), {"four_eyes": "on"})
    assert response.status_code == 302
    assert ApprovalRule.objects.get().unit == tree.jaipur
