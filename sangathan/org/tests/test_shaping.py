"""A structure each state shapes: posts and levels a state adds (org.shaping), its page, its rules."""

import pytest
from django.urls import reverse

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.org import coverage, services, shaping
from sangathan.org.errors import OrgError
from sangathan.org.models import CoverageCounter, Level, Position, Unit
from sangathan.org.selectors import coverage_for_unit, naive_coverage
from sangathan.org.tests.factories import PersonFactory, UserFactory, level, make_unit, position
from sangathan.testing import log_in


@pytest.fixture
def gujarat(tree):
    state = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    district = make_unit(state, "district", "Surat", name_hi="सूरत")
    admin = UserFactory(username="gujarat_admin")
    RoleAssignment.objects.create(user=admin, unit=state, role=Role.STATE_ADMIN)
    return state, district, admin


def add_post(state, by, **kwargs):
    fields = {"level": level("district"), "title_hi": "प्रवक्ता", "title_en": "Spokesperson", "seats": 2} | kwargs
    return shaping.state_position_add(state=state, by=by, **fields)


def structure_url(unit):
    return reverse("org:structure", args=[unit.pk])


def table_rows():
    return Level.objects.count(), Position.objects.count()


# ---------------------------------------------------------------- posts


def test_a_state_post_is_in_its_committees_only(tree, cast, gujarat):
    surat = gujarat[1]
    post = add_post(tree.rajasthan, cast.state_admin)
    assert post.state == tree.rajasthan and post.order > 0 and not post.is_key
    assert post in shaping.positions_for_unit(tree.jaipur)
    assert post not in shaping.positions_for_unit(surat)
    services.appointment_create(unit=tree.jaipur, position=post, person=PersonFactory())
    with pytest.raises(OrgError) as refused:
        services.appointment_create(unit=surat, position=post, person=PersonFactory())
    assert refused.value.code == "position_level"


def test_a_state_post_counts_in_coverage_within_the_state_only(tree, cast):
    post = add_post(tree.rajasthan, cast.state_admin)
    services.appointment_create(unit=tree.jaipur, position=post, person=PersonFactory())
    in_state = {p.position.pk: p for row in coverage_for_unit(tree.rajasthan) for p in row.positions}
    assert in_state[post.pk].filled == 1 and in_state[post.pk].seats_total == 2 * 2  # two districts, two seats
    nationally = {p.position.pk for row in coverage_for_unit(tree.india) for p in row.positions}
    assert post.pk not in nationally


def test_a_district_admin_cannot_add_a_post_nor_a_level(tree, cast, client):
    before = table_rows()
    with pytest.raises(OrgError) as refused:
        add_post(tree.rajasthan, cast.district_admin)
    assert refused.value.code == "not_state_admin"
    with pytest.raises(OrgError):
        shaping.state_level_add(
            state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone", by=cast.district_admin
        )
    log_in(client, cast.district_admin)
    page = client.get(structure_url(tree.rajasthan))
    assert page.status_code == 404  # the state unit is above their scope
    data = {"add": "post", "post-level": level("district").pk, "post-title_hi": "क", "post-title_en": "K"}
    assert client.post(structure_url(tree.rajasthan), data).status_code == 404
    assert table_rows() == before


def test_a_sibling_state_neither_sees_nor_changes_the_structure(tree, cast, gujarat, client):
    log_in(client, gujarat[2])
    assert client.get(structure_url(tree.rajasthan)).status_code == 404
    data = {"add": "level", "level-after": level("district").pk, "level-name_hi": "ज़ोन", "level-name_en": "Zone"}
    assert client.post(structure_url(tree.rajasthan), data).status_code == 404
    with pytest.raises(OrgError):
        add_post(tree.rajasthan, gujarat[2])
    assert not Position.objects.filter(state__isnull=False).exists()


def test_a_viewer_of_the_state_sees_the_page_without_the_forms_and_may_not_post(tree, client):
    viewer = UserFactory(username="state_viewer")
    RoleAssignment.objects.create(user=viewer, unit=tree.rajasthan, role=Role.VIEWER)
    log_in(client, viewer)
    page = client.get(structure_url(tree.rajasthan))
    assert page.status_code == 200 and b"post-title_hi" not in page.content
    data = {"add": "post", "post-level": level("district").pk, "post-title_hi": "क", "post-title_en": "K"}
    assert client.post(structure_url(tree.rajasthan), data).status_code == 403
    assert not Position.objects.filter(state__isnull=False).exists()


def test_below_a_state_the_page_shows_the_states_structure_and_only_a_state_is_shaped(tree, cast, client):
    add_post(tree.rajasthan, cast.state_admin)
    log_in(client, cast.district_admin)
    page = client.get(structure_url(tree.jaipur)).content.decode()
    assert "Spokesperson" in page and "post-title_hi" not in page and "National" not in page
    data = {"add": "post", "post-level": level("assembly").pk, "post-title_hi": "क", "post-title_en": "K"}
    data["post-seats"] = "1"
    response = client.post(structure_url(tree.jaipur), data)
    assert response.status_code == 400 and "Only a state adds" in response.content.decode()
    assert Position.objects.filter(state__isnull=False).count() == 1


def test_the_state_admin_adds_a_post_on_the_page_in_hindi_and_it_is_audited(tree, cast, client):
    log_in(client, cast.state_admin, language="hi")
    data = {
        "add": "post",
        "post-level": level("district").pk,
        "post-title_hi": "मीडिया समन्वयक",
        "post-title_en": "Media coordinator",
        "post-seats": "1",
    }
    response = client.post(structure_url(tree.rajasthan), data)
    assert response.status_code == 302
    post = Position.objects.get(state=tree.rajasthan)
    entry = AuditEntry.objects.get_for_object(post).get()
    assert entry.actor == cast.state_admin and entry.unit_path == tree.rajasthan.path
    page = client.get(structure_url(tree.rajasthan))
    assert "मीडिया समन्वयक" in page.content.decode() and "इस प्रदेश का अपना" in page.content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("post-title_hi", "", "This field is required."),
        ("post-title_en", "", "This field is required."),
        ("post-title_en", "x" * 81, "at most 80"),
        ("post-title_hi", "<b>प्रवक्ता</b>", "HTML"),
        ("post-title_en", "!!!", "at least one letter"),
        ("post-seats", "0", "greater than or equal to 1"),
        ("post-seats", "101", "less than or equal to 100"),
        ("post-seats", "two", "whole number"),
        ("post-level", "999999", "valid choice"),
        ("post-level", "abc", "valid choice"),
        ("post-is_key", "on", "same in every state"),
        ("post-title_en", "President", "already has a post"),
    ],
)
def test_bad_post_input_is_refused_with_a_message_and_changes_nothing(tree, cast, client, field, value, message):
    log_in(client, cast.state_admin)
    data = {
        "add": "post",
        "post-level": level("district").pk,
        "post-title_hi": "प्रवक्ता",
        "post-title_en": "Spokesperson",
        "post-seats": "1",
    } | {field: value}
    before = table_rows()
    response = client.post(structure_url(tree.rajasthan), data)
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert table_rows() == before


def test_bad_input_reads_in_hindi(tree, cast, client):
    log_in(client, cast.state_admin, language="hi")
    data = {"add": "post", "post-level": level("district").pk, "post-title_hi": "क", "post-title_en": "!!!"}
    data["post-seats"] = "1"
    response = client.post(structure_url(tree.rajasthan), data)
    assert response.status_code == 400
    assert "अंग्रेज़ी नाम में कम से कम एक अक्षर" in response.content.decode()


def test_no_posts_for_a_level_above_the_state_or_of_another_state(tree, cast, gujarat):
    with pytest.raises(OrgError) as refused:
        add_post(tree.rajasthan, cast.state_admin, level=level("national"))
    assert refused.value.code == "level_above"
    zone = shaping.state_level_add(state=gujarat[0], after=level("district"), name_hi="ज़ोन", name_en="Zone", by=None)
    with pytest.raises(OrgError) as refused:
        add_post(tree.rajasthan, cast.state_admin, level=zone)
    assert refused.value.code == "level_elsewhere"


def test_the_key_post_of_a_states_own_level(tree, cast):
    zone = shaping.state_level_add(
        state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone", by=cast.state_admin
    )
    key = add_post(tree.rajasthan, cast.state_admin, level=zone, title_hi="ज़ोन प्रभारी", title_en="Zone in-charge")
    assert not key.is_key
    key = add_post(
        tree.rajasthan, cast.state_admin, level=zone, title_hi="ज़ोन संयोजक", title_en="Zone convenor", is_key=True
    )
    assert key.is_key
    with pytest.raises(OrgError) as refused:
        add_post(tree.rajasthan, cast.state_admin, level=zone, title_hi="दूसरा", title_en="Second", is_key=True)
    assert refused.value.code == "key_post_taken"


def test_two_states_may_add_a_post_of_the_same_name(tree, cast, gujarat):
    add_post(tree.rajasthan, cast.state_admin)
    add_post(gujarat[0], gujarat[2])
    assert Position.objects.filter(code="spokesperson", level=level("district")).count() == 2


# ---------------------------------------------------------------- levels


def test_a_state_level_sits_between_two_levels_and_the_roll_ups_stay_right(tree, cast):
    zone = shaping.state_level_add(
        state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone", by=cast.state_admin
    )
    assert level("district").order < zone.order < level("assembly").order and zone.state == tree.rajasthan
    in_charge = add_post(tree.rajasthan, cast.state_admin, level=zone, title_hi="ज़ोन प्रभारी", title_en="Zone in-charge")
    Position.objects.filter(pk=in_charge.pk).update(is_key=True)  # the key post, as the page would set it
    in_charge.refresh_from_db()
    north = services.unit_create(parent=tree.jaipur, level=zone, name_hi="उत्तर ज़ोन", name_en="North zone")
    services.unit_move(unit=tree.jaipur_ac, new_parent=north)
    services.appointment_create(unit=north, position=in_charge, person=PersonFactory())
    services.appointment_create(unit=tree.booth1, position=position("booth", "representative"), person=PersonFactory())
    for unit in (tree.india, tree.rajasthan, tree.jaipur, north):
        unit.refresh_from_db()
        fast = sorted(
            CoverageCounter.objects.filter(unit=unit, units_total__gt=0).values_list(
                "level_id", "units_total", "units_key_filled"
            )
        )
        assert fast == sorted(naive_coverage(unit)), unit
    rajasthan = {row[0]: row[1:] for row in naive_coverage(tree.rajasthan)}
    assert rajasthan[zone.pk] == (1, 1) and rajasthan[level("booth").pk] == (3, 1)
    before = sorted(CoverageCounter.objects.values_list("unit_id", "level_id", "units_total", "units_key_filled"))
    coverage.rebuild()
    assert (
        sorted(CoverageCounter.objects.values_list("unit_id", "level_id", "units_total", "units_key_filled")) == before
    )


def test_a_state_level_takes_units_in_its_state_only(tree, cast, gujarat):
    zone = shaping.state_level_add(
        state=tree.rajasthan, after=level("district"), name_hi="ज़ोन", name_en="Zone", by=cast.state_admin
    )
    with pytest.raises(OrgError) as refused:
        services.unit_create(parent=gujarat[1], level=zone, name_en="Surat zone")
    assert refused.value.code == "level_elsewhere"
    north = services.unit_create(parent=tree.jaipur, level=zone, name_en="North zone")
    with pytest.raises(OrgError):
        services.unit_move(unit=north, new_parent=gujarat[1])
    assert Unit.objects.get(pk=north.pk).parent_id == tree.jaipur.pk


def test_units_holding_a_states_own_posts_stay_in_that_state(tree, cast, gujarat):
    post = add_post(tree.rajasthan, cast.state_admin, level=level("assembly"), title_hi="आईटी", title_en="IT in-charge")
    services.appointment_create(unit=tree.jaipur_ac, position=post, person=PersonFactory())
    with pytest.raises(OrgError) as refused:
        services.unit_move(unit=tree.jaipur_ac, new_parent=gujarat[1])
    assert refused.value.code == "state_structure"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("level-name_hi", "", "This field is required."),
        ("level-name_en", "", "This field is required."),
        ("level-name_en", "x" * 81, "at most 80"),
        ("level-name_en", "<script>", "HTML"),
        ("level-name_en", "Block", "already exists"),
        ("level-after", "", "This field is required."),
        ("level-after", "-1", "valid choice"),
    ],
)
def test_bad_level_input_is_refused_with_a_message_and_changes_nothing(tree, cast, client, field, value, message):
    log_in(client, cast.state_admin)
    data = {"add": "level", "level-after": level("district").pk, "level-name_hi": "ज़ोन", "level-name_en": "Zone"}
    data[field] = value
    before = table_rows()
    response = client.post(structure_url(tree.rajasthan), data)
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert table_rows() == before


def test_a_level_needs_room_in_the_chain_and_never_above_the_state(tree, cast):
    after = level("ward")
    for name in ("One", "Two", "Three"):
        after = shaping.state_level_add(state=tree.rajasthan, after=after, name_hi=name, name_en=name, by=None)
    assert after.order == 79
    with pytest.raises(OrgError) as refused:
        shaping.state_level_add(state=tree.rajasthan, after=after, name_hi="चार", name_en="Four", by=None)
    assert refused.value.code == "no_room"
    with pytest.raises(OrgError) as refused:
        shaping.state_level_add(state=tree.rajasthan, after=level("national"), name_hi="क", name_en="K", by=None)
    assert refused.value.code == "level_above"


def test_the_state_admin_adds_a_level_on_the_page_and_it_is_audited(tree, cast, client):
    log_in(client, cast.state_admin)
    data = {"add": "level", "level-after": level("district").pk, "level-name_hi": "ज़ोन", "level-name_en": "Zone"}
    assert client.post(structure_url(tree.rajasthan), data).status_code == 302
    zone = Level.objects.get(state=tree.rajasthan)
    entry = AuditEntry.objects.get_for_object(zone).get()
    assert entry.actor == cast.state_admin and entry.unit_path == tree.rajasthan.path
