import datetime

import pytest
from django.utils import timezone

from sangathan.channels.links import ChannelError
from sangathan.channels.models import Channel, Platform
from sangathan.channels.selectors import platform_counts, unit_ids_with_platforms, units_missing_platforms
from sangathan.channels.services import channel_deactivate, channel_register, channel_update, channel_verify
from sangathan.org.models import Level, Unit
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CODE = "AbCdEf1234567890GhIjK"


def group(unit, n=1, by=None, **extra):
    return channel_register(
        unit=unit,
        platform=Platform.WHATSAPP_GROUP,
        name=f"Group {n}",
        link=f"https://chat.whatsapp.com/{CODE}{n}",
        by=by,
        **extra,
    )


def broadcast(unit, name="Broadcast", by=None, **extra):
    return channel_register(unit=unit, platform=Platform.WHATSAPP_BROADCAST, name=name, by=by, **extra)


def test_register_normalises_and_records_who(tree, cast):
    admin = PersonFactory(home_unit=tree.booth1)
    channel = channel_register(
        unit=tree.booth1,
        platform=Platform.WHATSAPP_GROUP,
        name="  बूथ 1   आमेर  ",
        link=f"chat.whatsapp.com/{CODE}1?x=y",
        admins=[admin],
        member_count=212,
        created_on=datetime.date(2026, 5, 1),
        by=cast.district_admin,
    )
    channel.refresh_from_db()
    assert channel.name == "बूथ 1 आमेर"
    assert channel.link == f"https://chat.whatsapp.com/{CODE}1"
    assert channel.created_by == cast.district_admin
    assert list(channel.admins.all()) == [admin]
    assert channel.is_active and channel.member_count == 212


def test_broadcast_list_takes_a_name_and_a_phone(tree, cast):
    channel = broadcast(tree.booth1, owner_mobile="98290 12345", by=cast.district_admin)
    assert channel.link == "" and channel.owner_mobile == "+919829012345"
    with pytest.raises(ChannelError) as caught:
        broadcast(tree.booth1, name="Other", owner_mobile="12345", by=cast.district_admin)
    assert caught.value.code == "owner_mobile_invalid"


def test_same_link_cannot_be_registered_twice_until_removed(tree, cast):
    first = group(tree.booth1, by=cast.district_admin)
    with pytest.raises(ChannelError) as caught:
        channel_register(
            unit=tree.booth2,
            platform=Platform.WHATSAPP_GROUP,
            name="Copy",
            link=f"https://chat.whatsapp.com/{CODE}1/",
            by=cast.district_admin,
        )
    assert caught.value.code == "link_taken"
    channel_deactivate(channel=first, reason="Group deleted by admin", by=cast.district_admin)
    again = group(tree.booth2, by=cast.district_admin)
    assert again.pk != first.pk
    assert Channel.objects.filter(link=first.link).count() == 2


def test_same_name_on_same_unit_and_platform_is_refused(tree, cast):
    broadcast(tree.booth1, by=cast.district_admin)
    with pytest.raises(ChannelError) as caught:
        broadcast(tree.booth1, by=cast.district_admin)
    assert caught.value.code == "name_taken"


def test_bad_values_are_refused_and_nothing_written(tree, cast, monkeypatch):
    # One instant for the test and the service: "tomorrow" stays tomorrow even when the test runs at midnight.
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    cases = [
        {"platform": "nope", "name": "x", "link": ""},
        {"platform": Platform.WHATSAPP_GROUP, "name": "", "link": f"https://chat.whatsapp.com/{CODE}1"},
        {"platform": Platform.WHATSAPP_GROUP, "name": "x" * 151, "link": f"https://chat.whatsapp.com/{CODE}1"},
        {"platform": Platform.WHATSAPP_GROUP, "name": "x", "link": "https://wa.me/9198"},
        {"platform": Platform.X, "name": "x", "link": "@x", "member_count": -1},
        {"platform": Platform.X, "name": "x", "link": "@x", "member_count": "many"},
        {
            "platform": Platform.X,
            "name": "x",
            "link": "@x",
            "created_on": timezone.localdate() + datetime.timedelta(days=1),
        },
    ]
    for case in cases:
        with pytest.raises(ChannelError):
            channel_register(unit=tree.booth1, by=cast.district_admin, **case)
    assert not Channel.objects.exists()


def test_scope_sibling_and_viewer_cannot_register_or_change(tree, cast):
    with pytest.raises(ChannelError) as caught:
        group(tree.booth1, by=cast.sibling_admin)
    assert caught.value.code == "out_of_scope"
    with pytest.raises(ChannelError):
        group(tree.booth1, by=cast.viewer)
    channel = group(tree.booth1, by=cast.district_admin)
    for user in (cast.sibling_admin, cast.viewer, cast.outsider):
        with pytest.raises(ChannelError):
            channel_update(channel=channel, name="Hijacked", link=channel.link, by=user)
        with pytest.raises(ChannelError):
            channel_deactivate(channel=channel, reason="x", by=user)
        with pytest.raises(ChannelError):
            channel_verify(channel=channel, by=user)
    channel.refresh_from_db()
    assert channel.name == "Group 1" and channel.is_active and channel.last_verified_on is None


def test_admins_must_be_people_the_user_can_see(tree, cast):
    stranger = PersonFactory(home_unit=tree.ajmer_booth)
    with pytest.raises(ChannelError) as caught:
        group(tree.booth1, by=cast.district_admin, admins=[stranger])
    assert caught.value.code == "admin_out_of_scope"
    assert not Channel.objects.exists()


def test_update_verify_deactivate(tree, cast, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # the day verified is the day asserted, even at midnight
    channel = group(tree.booth1, by=cast.district_admin)
    admin = PersonFactory(home_unit=tree.booth1)
    channel_update(
        channel=channel,
        name="New name",
        link=f"https://chat.whatsapp.com/{CODE}9",
        admins=[admin],
        other_admin_mobiles=["9829012345", "+91 98290 12345"],
        member_count=50,
        by=cast.district_admin,
    )
    channel.refresh_from_db()
    assert channel.name == "New name" and channel.link.endswith("9") and channel.member_count == 50
    assert channel.other_admin_mobiles == ["+919829012345"]
    channel_verify(channel=channel, member_count=75, by=cast.district_admin)
    channel.refresh_from_db()
    assert channel.last_verified_on == timezone.localdate() and channel.member_count == 75
    assert channel.last_verified_by == cast.district_admin
    with pytest.raises(ChannelError):
        channel_deactivate(channel=channel, reason="  ", by=cast.district_admin)
    channel_deactivate(channel=channel, reason="Replaced by a new group", by=cast.district_admin)
    channel.refresh_from_db()
    assert not channel.is_active and channel.deactivated_by == cast.district_admin
    for call in (
        lambda: channel_update(channel=channel, name="x", link=channel.link, by=cast.district_admin),
        lambda: channel_verify(channel=channel, by=cast.district_admin),
        lambda: channel_deactivate(channel=channel, reason="again", by=cast.district_admin),
    ):
        with pytest.raises(ChannelError) as caught:
            call()
        assert caught.value.code == "inactive"


def test_update_cannot_take_another_channels_link(tree, cast):
    group(tree.booth1, 1, by=cast.district_admin)
    second = group(tree.booth2, 2, by=cast.district_admin)
    with pytest.raises(ChannelError) as caught:
        channel_update(channel=second, name="x", link=f"https://chat.whatsapp.com/{CODE}1", by=cast.district_admin)
    assert caught.value.code == "link_taken"


# ---------------------------------------------------------------- selectors


def test_unit_ids_with_platforms_needs_every_platform_active(tree):
    group(tree.booth1, 1)
    broadcast(tree.booth1)
    group(tree.booth2, 2)  # no broadcast list
    b = broadcast(tree.ajmer_booth)
    group(tree.ajmer_booth, 3)
    channel_register(unit=tree.ajmer_booth, platform=Platform.X, name="X", link="@bjpajmer")
    essentials = [Platform.WHATSAPP_GROUP, Platform.WHATSAPP_BROADCAST]
    assert set(unit_ids_with_platforms(essentials)) == {tree.booth1.pk, tree.ajmer_booth.pk}
    channel_deactivate(channel=b, reason="deleted")
    assert set(unit_ids_with_platforms(essentials)) == {tree.booth1.pk}
    # Two groups of one platform do not count as two platforms.
    group(tree.booth2, 4)
    assert set(unit_ids_with_platforms(essentials)) == {tree.booth1.pk}
    assert set(unit_ids_with_platforms([Platform.WHATSAPP_GROUP])) == {
        tree.booth1.pk,
        tree.booth2.pk,
        tree.ajmer_booth.pk,
    }
    assert list(unit_ids_with_platforms([])) == []
    # Usable as a subquery: one query.
    booths = Unit.objects.filter(level__code="booth", id__in=unit_ids_with_platforms(essentials))
    assert list(booths.values_list("pk", flat=True)) == [tree.booth1.pk]


def test_subquery_is_one_query(tree, django_assert_num_queries):
    group(tree.booth1, 1)
    broadcast(tree.booth1)
    with django_assert_num_queries(1):
        count = Unit.objects.filter(
            id__in=unit_ids_with_platforms([Platform.WHATSAPP_GROUP, Platform.WHATSAPP_BROADCAST])
        ).count()
    assert count == 1


def test_platform_counts_and_missing_units(tree):
    group(tree.booth1, 1)
    group(tree.booth1, 2)
    broadcast(tree.booth1)
    group(tree.ajmer_booth, 3)
    counts = {row.platform: row for row in platform_counts(tree.jaipur)}
    assert counts[Platform.WHATSAPP_GROUP].channels == 2 and counts[Platform.WHATSAPP_GROUP].units == 1
    assert counts[Platform.WHATSAPP_BROADCAST].units == 1
    assert counts[Platform.X].channels == 0
    booth = Level.objects.get(code="booth")
    missing = list(units_missing_platforms(tree.rajasthan, booth))
    assert [u.pk for u in missing] == [tree.booth2.pk, tree.ajmer_booth.pk]
    assert missing[1].has_whatsapp_group and not missing[1].has_whatsapp_broadcast


def test_demo_channels_cover_some_but_not_all_booths(tree):
    from sangathan.channels.demo import demo_channels

    added = demo_channels(state=tree.rajasthan)
    assert added >= 5
    booths = Unit.objects.filter(level__code="booth").count()
    done = Unit.objects.filter(id__in=unit_ids_with_platforms([Platform.WHATSAPP_GROUP, Platform.WHATSAPP_BROADCAST]))
    assert 0 < done.count() < booths or booths < 3
    assert demo_channels(state=tree.rajasthan) == 0


def test_booth_essentials_counts_from_channels_and_counters(tree):
    from sangathan.channels.selectors import booth_essentials

    group(tree.booth1, 1)
    group(tree.booth1, 2)
    broadcast(tree.booth1)
    broadcast(tree.booth2)
    group(tree.ajmer_booth, 3)
    booth = Level.objects.get(code="booth")
    state = booth_essentials(tree.rajasthan, booth)
    assert (state["total"], state["with_group"], state["with_broadcast"], state["with_both"]) == (3, 2, 2, 1)
    assert state["missing"] == 2 and state["with_both_percent"] == 33
    jaipur = booth_essentials(tree.jaipur, booth)
    assert (jaipur["total"], jaipur["with_group"], jaipur["with_both"], jaipur["missing"]) == (2, 1, 1, 1)
