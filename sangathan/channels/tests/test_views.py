import io

import pytest
from django.urls import reverse

from sangathan.channels.models import Channel, ChannelImport, Platform
from sangathan.channels.services import channel_register
from sangathan.org.tests.factories import PersonFactory, make_unit
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

CODE = "AbCdEf1234567890GhIjK"


@pytest.fixture
def jaipur_group(tree):
    return channel_register(
        unit=tree.booth1, platform=Platform.WHATSAPP_GROUP, name="Amer booth 1", link=f"chat.whatsapp.com/{CODE}1"
    )


@pytest.fixture
def ajmer_group(tree):
    return channel_register(
        unit=tree.ajmer_booth, platform=Platform.WHATSAPP_GROUP, name="Kishangarh", link=f"chat.whatsapp.com/{CODE}2"
    )


def test_anonymous_goes_to_login(client, tree):
    response = client.get(reverse("channels:unit", args=[tree.booth1.pk]))
    assert response.status_code == 302


def test_index_goes_to_the_users_area(client, cast, tree):
    response = log_in(client, cast.district_admin).get(reverse("channels:index"))
    assert response["Location"] == reverse("channels:area", args=[tree.jaipur.pk])


def test_unit_page_lists_active_and_removed(client, cast, tree, jaipur_group):
    from sangathan.channels.services import channel_deactivate

    channel_register(unit=tree.booth1, platform=Platform.X, name="Old X", link="@oldx")
    old = Channel.objects.get(name="Old X")
    channel_deactivate(channel=old, reason="Account closed")
    html = log_in(client, cast.district_admin).get(reverse("channels:unit", args=[tree.booth1.pk])).content.decode()
    assert "Amer booth 1" in html and f"chat.whatsapp.com/{CODE}1" in html
    assert "Account closed" in html
    assert reverse("channels:edit", args=[jaipur_group.pk]) in html
    # A viewer sees the channels but no buttons.
    html = log_in(client, cast.viewer).get(reverse("channels:unit", args=[tree.booth1.pk])).content.decode()
    assert "Amer booth 1" in html and reverse("channels:edit", args=[jaipur_group.pk]) not in html


def test_register_through_the_form(client, cast, tree):
    admin = PersonFactory(home_unit=tree.booth1, mobile="+919829012345")
    url = reverse("channels:register", args=[tree.booth2.pk])
    response = log_in(client, cast.district_admin).post(
        url,
        {
            "platform": "whatsapp_group",
            "name": "Amer booth 2",
            "link": "https://wa.me/919829012345",
            "admin_mobiles": "98290 12345",
        },
    )
    assert response.status_code == 200
    assert "not a group" in response.content.decode()
    assert not Channel.objects.exists()
    response = client.post(
        url,
        {
            "platform": "whatsapp_group",
            "name": "Amer booth 2",
            "link": f"https://chat.whatsapp.com/{CODE}3",
            "admin_mobiles": "98290 12345, 98290 99999",
            "member_count": "120",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.unit == tree.booth2 and list(channel.admins.all()) == [admin]
    assert channel.other_admin_mobiles == ["+919829099999"]


def test_broadcast_form_without_link(client, cast, tree):
    response = log_in(client, cast.district_admin).post(
        reverse("channels:register", args=[tree.booth2.pk]),
        {"platform": "whatsapp_broadcast", "name": "List", "owner_mobile": "9829012345"},
    )
    assert response.status_code == 302
    assert Channel.objects.get().owner_mobile == "+919829012345"


def test_edit_verify_remove(client, cast, tree, jaipur_group):
    log_in(client, cast.district_admin)
    response = client.get(reverse("channels:edit", args=[jaipur_group.pk]))
    assert response.status_code == 200 and "Amer booth 1" in response.content.decode()
    response = client.post(
        reverse("channels:edit", args=[jaipur_group.pk]),
        {"name": "Renamed", "link": jaipur_group.link, "member_count": "99"},
    )
    assert response.status_code == 302
    response = client.post(reverse("channels:verify", args=[jaipur_group.pk]), {"member_count": "101"})
    assert response.status_code == 302
    response = client.post(reverse("channels:deactivate", args=[jaipur_group.pk]), {"reason": "Replaced"})
    assert response.status_code == 302
    jaipur_group.refresh_from_db()
    assert jaipur_group.name == "Renamed" and jaipur_group.member_count == 101
    assert jaipur_group.last_verified_on is not None and not jaipur_group.is_active


def test_sibling_cannot_see_or_change_jaipur_channels(client, cast, tree, jaipur_group):
    log_in(client, cast.sibling_admin)
    before = Channel.objects.values().get(pk=jaipur_group.pk)
    for name, args in (
        ("channels:unit", [tree.booth1.pk]),
        ("channels:area", [tree.jaipur.pk]),
        ("channels:register", [tree.booth1.pk]),
        ("channels:import", [tree.jaipur.pk]),
        ("channels:edit", [jaipur_group.pk]),
        ("channels:deactivate", [jaipur_group.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    posts = [
        ("channels:register", [tree.booth1.pk], {"platform": "x", "name": "x", "link": "@hijack"}),
        ("channels:edit", [jaipur_group.pk], {"name": "Hijacked", "link": jaipur_group.link}),
        ("channels:deactivate", [jaipur_group.pk], {"reason": "spite"}),
        ("channels:verify", [jaipur_group.pk], {"member_count": "1"}),
    ]
    for name, args, data in posts:
        assert client.post(reverse(name, args=args), data).status_code == 404, name
    assert Channel.objects.values().get(pk=jaipur_group.pk) == before
    assert Channel.objects.count() == 1
    # Ajmer's area page does not list Jaipur's channel.
    html = client.get(reverse("channels:area", args=[tree.ajmer.pk])).content.decode()
    assert "Amer booth 1" not in html


def test_viewer_gets_403_on_changes(client, cast, tree, jaipur_group):
    log_in(client, cast.viewer)
    assert client.get(reverse("channels:register", args=[tree.booth1.pk])).status_code == 403
    assert client.post(reverse("channels:deactivate", args=[jaipur_group.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("channels:verify", args=[jaipur_group.pk])).status_code == 403
    jaipur_group.refresh_from_db()
    assert jaipur_group.is_active and jaipur_group.last_verified_on is None


def test_area_page_counts_bars_and_missing_booths(client, cast, tree, jaipur_group, ajmer_group):
    html = log_in(client, cast.state_admin).get(reverse("channels:area", args=[tree.rajasthan.pk])).content.decode()
    assert "2/3" in html and "0/3" in html  # booths with a WhatsApp group; with a broadcast list
    assert "Kishangarh" in html and "Amer booth 1" in html
    assert 'class="bar"' in html
    # Filters.
    html = client.get(reverse("channels:area", args=[tree.rajasthan.pk]), {"platform": "x"}).content.decode()
    assert "No channels match" in html
    html = client.get(reverse("channels:area", args=[tree.rajasthan.pk]), {"q": "kishan"}).content.decode()
    assert "Amer booth 1" not in html.split('id="channels"')[1]


def test_area_page_query_count_is_pinned(client, cast, tree, jaipur_group, django_assert_num_queries):
    log_in(client, cast.state_admin)
    url = reverse("channels:area", args=[tree.rajasthan.pk])
    client.get(url)  # warm up the session, content types ...

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(12):
        booth = make_unit(tree.amer, "booth", f"Extra {n}", number=100 + n)
        channel_register(
            unit=booth, platform=Platform.WHATSAPP_GROUP, name=f"G{n}", link=f"chat.whatsapp.com/{CODE}{n:02d}X"
        )
        channel_register(unit=booth, platform=Platform.WHATSAPP_BROADCAST, name=f"B{n}")
    assert count() == few
    with django_assert_num_queries(14):
        client.get(url)


def test_unit_page_query_count_is_pinned(client, cast, tree, django_assert_num_queries):
    log_in(client, cast.district_admin)
    url = reverse("channels:unit", args=[tree.booth1.pk])
    client.get(url)
    for n in range(5):
        channel_register(
            unit=tree.booth1,
            platform=Platform.WHATSAPP_GROUP,
            name=f"G{n}",
            link=f"chat.whatsapp.com/{CODE}{n}",
            admins=[PersonFactory(home_unit=tree.booth1)],
        )
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_web_import_preview_then_confirm(client, cast, tree, django_capture_on_commit_callbacks):
    log_in(client, cast.district_admin)
    text = (
        "जिला,विधानसभा संख्या,बूथ संख्या,प्लेटफ़ॉर्म,नाम,लिंक\n"
        f"जयपुर,45,1,व्हाट्सएप ग्रुप,बूथ 1,https://chat.whatsapp.com/{CODE}1\n"
        "जयपुर,45,1,ब्रॉडकास्ट,बूथ 1 सूची,\n"
    )
    upload = io.BytesIO(("\ufeff" + text).encode())
    upload.name = "channels.csv"
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("channels:import", args=[tree.jaipur.pk]), {"file": upload})
    assert response.status_code == 302
    job = ChannelImport.objects.get()
    # The request only stored the file: the worker checks it once the request has committed.
    assert job.status == ChannelImport.Status.CHECKING and len(queued) == 1
    waiting = client.get(response["Location"]).content.decode()
    assert "hx-trigger" in waiting and "will be added" not in waiting
    queued[0]()  # the worker's turn (in the embedded mode: right after the commit)
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and not Channel.objects.exists()
    html = preview.content.decode()
    assert "2 channels will be added" in html and "hx-trigger" not in html
    # Another user cannot see or confirm the import.
    other = client.__class__()
    other.force_login(cast.sibling_admin)
    assert other.get(reverse("channels:import_preview", args=[job.pk])).status_code == 404
    assert other.post(reverse("channels:import_preview", args=[job.pk])).status_code == 404
    assert not Channel.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("channels:import_preview", args=[job.pk]))
    assert response.status_code == 302
    assert Channel.objects.count() == 2
    job.refresh_from_db()
    assert job.status == ChannelImport.Status.IMPORTED and job.content in (b"", memoryview(b""))
    # Confirming twice does nothing more.
    assert client.post(reverse("channels:import_preview", args=[job.pk])).status_code == 200
    assert Channel.objects.count() == 2


def test_web_import_with_errors_lists_them(client, cast, tree, django_capture_on_commit_callbacks):
    log_in(client, cast.district_admin)
    upload = io.BytesIO(b"district,ac_no,booth_no,platform,link\nJaipur,45,9,X,@x\n")
    upload.name = "bad.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("channels:import", args=[tree.jaipur.pk]), {"file": upload})
    html = client.get(response["Location"]).content.decode()
    assert "was not found" in html and "Upload a corrected file" in html
    job = ChannelImport.objects.get()
    assert job.status == ChannelImport.Status.CHECKED and not job.checked_ok
    # A file with problems cannot be confirmed.
    assert client.post(reverse("channels:import_preview", args=[job.pk])).status_code == 200
    assert not Channel.objects.exists()
    assert ChannelImport.objects.get().status == ChannelImport.Status.CHECKED


def test_admin_lists_are_scoped_and_read_only(client, cast, tree, jaipur_group, ajmer_group):
    from sangathan.org.tests.factories import UserFactory

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    html = client.get("/admin/channels/channel/").content.decode()
    assert "Amer booth 1" in html and "Kishangarh" in html
    assert client.get(f"/admin/channels/channel/{jaipur_group.pk}/change/").status_code == 200
    assert client.get("/admin/channels/channelimport/").status_code == 200
    cast.district_admin.is_staff = True
    cast.district_admin.save()
    client.force_login(cast.district_admin)
    response = client.get("/admin/channels/channel/")
    if response.status_code == 200:  # staff without model permissions may get 403: either way no Ajmer rows
        assert "Kishangarh" not in response.content.decode()
    assert client.get(f"/admin/channels/channel/{ajmer_group.pk}/change/").status_code in (302, 403, 404)
