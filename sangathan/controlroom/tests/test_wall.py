"""The wall: scoped (a sibling district sees nothing of another, a viewer has no wall), its numbers the
roll-up's, its panel polled by htmx, the refresh button."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.controlroom import selectors, services
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Level, Position
from sangathan.org.tests.factories import PersonFactory, UserFactory, make_unit
from sangathan.outreach import services as outreach_services
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(tree, bearers, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        for name, posts in (("booth1", 3), ("jaipur_ac", 2), ("ajmer_booth", 4)):
            services.activity_report_submit(
                appointment_id=getattr(bearers, name).pk,
                day=today,
                counts={"posts": posts, "shares": 1},
                urls=[f"https://x.com/bjp4rajasthan/status/18660000000000000{posts}"],
            )
    return today


def test_the_state_wall_counts_districts_and_levels(client, tree, cast, reported):
    log_in(client, cast.state_admin, language="hi")
    page = client.get(reverse("controlroom:wall", args=[tree.rajasthan.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-reported="0" data-total="2"' in text  # no district in-charge reported themselves
    assert 'data-level="booth" data-units-reported="2" data-bearers-reported="2"' in text
    assert 'data-level="assembly" data-units-reported="1"' in text
    assert 'id="cr-posts">9<' in text  # 3 + 2 + 4 posts below the state
    assert "x.com/bjp4rajasthan/status/186600000000000003" in text
    assert 'hx-trigger="every 30s"' in text and "htmx" in text
    assert "आंकड़ों का अर्थ" in text  # the definitions


def test_a_district_sees_its_own_area_only(client, tree, cast, reported):
    log_in(client, cast.district_admin)
    page = client.get(reverse("controlroom:wall", args=[tree.jaipur.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "186600000000000003" in text and "186600000000000004" not in text  # Ajmer's post not shown
    assert 'id="cr-posts">5<' in text
    assert "Kishangarh" not in text and "किशनगढ़" not in text
    # The sibling district's wall, its panel and its refresh: 404, nothing leaks.
    for name in ("controlroom:wall", "controlroom:panel"):
        assert client.get(reverse(name, args=[tree.ajmer.pk])).status_code == 404
    assert client.post(reverse("controlroom:refresh", args=[tree.ajmer.pk])).status_code == 404
    assert client.get(reverse("controlroom:wall", args=[tree.rajasthan.pk])).status_code == 404
    # Home goes to the district's own wall.
    assert client.get(reverse("controlroom:home"))["Location"] == reverse("controlroom:wall", args=[tree.jaipur.pk])


def test_the_wall_is_for_the_control_room_and_in_charges(client, tree, cast, reported):
    operator = UserFactory(username="operator")
    RoleAssignment.objects.create(user=operator, unit=tree.jaipur, role=Role.CONTROL_ROOM)
    log_in(client, operator)
    assert client.get(reverse("controlroom:wall", args=[tree.jaipur.pk])).status_code == 200
    assert client.get(reverse("controlroom:wall", args=[tree.ajmer.pk])).status_code == 404
    log_in(client, cast.viewer)
    assert client.get(reverse("controlroom:wall", args=[tree.jaipur.pk])).status_code == 403
    home = client.get(reverse("controlroom:home"))
    assert home.status_code == 200 and 'id="cr-none"' in home.content.decode()
    client.logout()
    assert client.get(reverse("controlroom:wall", args=[tree.jaipur.pk])).status_code == 302


def test_the_panel_and_the_refresh(client, tree, cast, bearers, django_capture_on_commit_callbacks):
    log_in(client, cast.district_admin)
    panel = client.get(reverse("controlroom:panel", args=[tree.jaipur.pk]))
    assert panel.status_code == 200 and "hx-trigger" not in panel.content.decode()
    services.activity_report_submit(
        appointment_id=bearers.booth2.pk, day=timezone.localdate(), counts={"posts": 1}
    )  # committed with the test; its refresh is not run
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("controlroom:refresh", args=[tree.jaipur.pk]))
    assert response.status_code == 302
    panel = client.get(reverse("controlroom:panel", args=[tree.jaipur.pk]))
    assert 'data-level="booth" data-units-reported="1"' in panel.content.decode()


def test_silent_units_and_messages_in_flight(client, tree, cast, bearers, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    services.activity_report_submit(
        appointment_id=bearers.booth1.pk, day=today - datetime.timedelta(days=2), counts={"posts": 1}
    )
    services.rollup_refresh(day=today)
    message = outreach_services.message_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="ZQ booth meeting",
        body_hi="रविवार को बूथ बैठक है।",
        text_whatsapp="बैठक!",
    )
    with django_capture_on_commit_callbacks(execute=True):
        outreach_services.message_send(message=message, by=cast.district_admin)
    wall = selectors.wall(cast.district_admin, tree.jaipur)
    silent_units = {row["unit"].pk for row in wall.silent}
    assert tree.booth1.pk not in silent_units  # reported two days ago: not silent
    assert {tree.booth2.pk, tree.amer.pk, tree.jaipur_ac.pk} <= silent_units
    assert wall.silent_total == 3
    assert [row["message"].title for row in wall.messages] == ["ZQ booth meeting"]
    assert wall.messages[0]["counts"].total == 2
    log_in(client, cast.sibling_admin)
    assert selectors.wall(cast.sibling_admin, tree.ajmer).messages == []


def test_report_links_go_out_through_the_outbox_once_a_day(
    client, tree, cast, bearers, django_capture_on_commit_callbacks
):
    log_in(client, cast.sibling_admin)
    assert client.post(reverse("controlroom:send_links", args=[tree.jaipur.pk])).status_code == 404
    log_in(client, cast.viewer)
    assert client.post(reverse("controlroom:send_links", args=[tree.jaipur.pk])).status_code == 403
    assert not OutboxMessage.objects.filter(template="controlroom_report_link").exists()
    log_in(client, cast.district_admin)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("controlroom:send_links", args=[tree.jaipur.pk])).status_code == 302
    sent = OutboxMessage.objects.filter(template="controlroom_report_link")
    people = {
        bearers.jaipur.person_id,
        bearers.jaipur_ac.person_id,
        bearers.amer.person_id,
        bearers.booth1.person_id,
        bearers.booth2.person_id,
    }
    assert set(sent.values_list("person_id", flat=True)) == people  # the district and below, once each
    body = sent.get(person_id=bearers.booth1.person_id, channel=sent.first().channel).body
    path = re.search(r"/r/[^/\s]+/", body).group(0)
    assert "निजी लिंक" in body
    assert client.get(path).status_code == 200


def test_the_panel_reads_the_same_number_of_queries_whatever_the_number_of_units(client, tree, cast, bearers):
    log_in(client, cast.state_admin)
    services.rollup_refresh(day=timezone.localdate())
    url = reverse("controlroom:panel", args=[tree.rajasthan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    more = [make_unit(tree.rajasthan, "district", f"More {n}") for n in range(3)]  # more children, more rows
    for unit in more:
        org_services.appointment_create(
            unit=unit, position=Position.objects.get(level=unit.level, is_key=True), person=PersonFactory()
        )
    services.rollup_refresh(day=timezone.localdate())
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)
