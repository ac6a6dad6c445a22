import pytest

from sangathan.channels.models import Channel, Platform
from sangathan.channels.services import channel_register
from sangathan.org.tests.factories import PersonFactory
from sangathan.testing import api_client as api

pytestmark = pytest.mark.django_db

API = "/api/v1/channels"
CODE = "AbCdEf1234567890GhIjK"


@pytest.fixture
def channels(tree):
    return (
        channel_register(
            unit=tree.booth1, platform=Platform.WHATSAPP_GROUP, name="J", link=f"chat.whatsapp.com/{CODE}1"
        ),
        channel_register(
            unit=tree.ajmer_booth, platform=Platform.WHATSAPP_GROUP, name="A", link=f"chat.whatsapp.com/{CODE}2"
        ),
    )


def test_anonymous_is_refused(channels):
    assert api().get(f"{API}/").status_code in (401, 403)


def test_list_is_scoped_and_filtered(cast, tree, channels):
    jaipur, ajmer = channels
    ids = [row["id"] for row in api(cast.district_admin).get(f"{API}/").json()["results"]]
    assert ids == [jaipur.pk]
    ids = [row["id"] for row in api(cast.state_admin).get(f"{API}/", {"within": tree.ajmer.pk}).json()["results"]]
    assert ids == [ajmer.pk]
    assert api(cast.district_admin).get(f"{API}/", {"within": tree.ajmer.pk}).status_code == 400
    assert api(cast.state_admin).get(f"{API}/", {"platform": "x"}).json()["results"] == []


def test_register_update_verify_deactivate(cast, tree):
    admin = PersonFactory(home_unit=tree.booth1, mobile="+919829012345")
    client = api(cast.district_admin)
    response = client.post(
        f"{API}/",
        {
            "unit": tree.booth2.pk,
            "platform": "whatsapp_group",
            "name": "Booth 2",
            "link": f"https://chat.whatsapp.com/{CODE}3",
            "admin_mobiles": ["98290 12345", "9829099999"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["link"] == f"https://chat.whatsapp.com/{CODE}3" and body["admins"] == [admin.pk]
    assert body["other_admin_mobiles"] == ["+919829099999"]
    pk = body["id"]
    response = client.put(f"{API}/{pk}/", {"name": "Renamed", "link": "https://wa.me/91"}, format="json")
    assert response.status_code == 400 and "not a group" in str(response.json())
    response = client.put(f"{API}/{pk}/", {"name": "Renamed", "link": f"chat.whatsapp.com/{CODE}3"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    response = client.post(f"{API}/{pk}/verify/", {"member_count": 44}, format="json")
    assert response.status_code == 200 and response.json()["member_count"] == 44
    response = client.post(f"{API}/{pk}/deactivate/", {"reason": "Replaced"}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_sibling_gets_404_and_nothing_changes(cast, tree, channels):
    jaipur, _ajmer = channels
    client = api(cast.sibling_admin)
    before = Channel.objects.values().get(pk=jaipur.pk)
    assert client.get(f"{API}/{jaipur.pk}/").status_code == 404
    assert client.put(f"{API}/{jaipur.pk}/", {"name": "x", "link": jaipur.link}, format="json").status_code == 404
    assert client.post(f"{API}/{jaipur.pk}/verify/", {}, format="json").status_code == 404
    assert client.post(f"{API}/{jaipur.pk}/deactivate/", {"reason": "x"}, format="json").status_code == 404
    response = client.post(
        f"{API}/", {"unit": tree.booth1.pk, "platform": "x", "name": "x", "link": "@hijack"}, format="json"
    )
    assert response.status_code == 400  # the unit is not one they can see
    assert Channel.objects.values().get(pk=jaipur.pk) == before
    assert Channel.objects.count() == 2


def test_viewer_gets_403(cast, tree, channels):
    jaipur, _ajmer = channels
    client = api(cast.viewer)
    assert client.get(f"{API}/{jaipur.pk}/").status_code == 200
    assert client.post(f"{API}/{jaipur.pk}/deactivate/", {"reason": "x"}, format="json").status_code == 403
    response = client.post(
        f"{API}/", {"unit": tree.booth1.pk, "platform": "x", "name": "x", "link": "@viewer"}, format="json"
    )
    assert response.status_code == 403
    jaipur.refresh_from_db()
    assert jaipur.is_active


def test_list_query_count_is_pinned(cast, tree, channels, django_assert_num_queries):
    for n in range(5):
        channel_register(unit=tree.booth2, platform=Platform.X, name=f"x{n}", link=f"@bjpamer{n}")
    client = api(cast.state_admin)
    with django_assert_num_queries(4):
        assert client.get(f"{API}/").status_code == 200
