import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from sangathan.notifications.admin import OutboxMessageAdmin, hide_body
from sangathan.notifications.models import OutboxMessage
from sangathan.org.masking import mask_mobile
from sangathan.org.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages(tree):
    jaipur_person = PersonFactory(home_unit=tree.jaipur)
    ajmer_person = PersonFactory(home_unit=tree.ajmer)
    made = {}
    for key, person in [("jaipur", jaipur_person), ("ajmer", ajmer_person), ("nobody", None)]:
        made[key] = OutboxMessage.objects.create(
            channel="sms",
            recipient=person.mobile if person else "+919829000000",
            person=person,
            template="test_message",
            body=key,
            idempotency_key=key,
        )
    return made


def visible(user) -> set[str]:
    request = RequestFactory().get("/")
    request.user = user
    return set(OutboxMessageAdmin(OutboxMessage, site).get_queryset(request).values_list("body", flat=True))


def test_each_user_sees_the_messages_of_the_people_in_their_scope(cast, messages):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert visible(superuser) == {"jaipur", "ajmer", "nobody"}
    assert visible(cast.state_admin) == {"jaipur", "ajmer"}
    assert visible(cast.district_admin) == {"jaipur"}
    assert visible(cast.sibling_admin) == {"ajmer"}
    assert visible(cast.outsider) == set()


def test_the_outbox_admin_is_read_only(messages):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = OutboxMessageAdmin(OutboxMessage, site)
    assert model_admin.has_view_permission(request, messages["jaipur"])
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, messages["jaipur"])
    assert not model_admin.has_delete_permission(request, messages["jaipur"])


def test_the_list_filters_and_searches(client, messages):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:notifications_outboxmessage_changelist")
    page = client.get(url, {"status__exact": "pending", "channel__exact": "sms", "q": messages["ajmer"].recipient})
    assert page.status_code == 200
    assert [m.body for m in page.context["cl"].result_list] == ["ajmer"]
    detail = client.get(reverse("admin:notifications_outboxmessage_change", args=[messages["ajmer"].pk]))
    assert detail.status_code == 200
    assert client.post(detail.wsgi_request.path, {"status": "sent"}).status_code == 403
    assert OutboxMessage.objects.get(pk=messages["ajmer"].pk).status == "pending"


# ---------------------------------------------------------------- personal data for staff who are not superusers

SIGNED_LINK = "https://sangathan.example.org/m/AbC123signed-token/"


@pytest.fixture
def staff(cast):
    """The state admin with the admin's view permission on the outbox: sees every message of Rajasthan."""
    user = cast.state_admin
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    return user


@pytest.fixture
def linked(tree):
    person = PersonFactory(home_unit=tree.jaipur, name_en="Kamla Devi", mobile="+919829011122")
    return OutboxMessage.objects.create(
        channel="sms",
        recipient=person.mobile,
        person=person,
        template="outreach_message",
        subject="Code 482913",
        body=f"Kamla Devi ji, a new message for your unit: {SIGNED_LINK}",
        last_error="Provider refused +919829011122: DND",
        idempotency_key="linked",
    )


def assert_nothing_leaks(html: str) -> None:
    for secret in ("9829011122", "AbC123signed-token", "/m/", "482913"):
        assert secret not in html, secret


def test_staff_see_the_list_with_numbers_masked(client, staff, linked):
    client.force_login(staff)
    response = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert response.status_code == 200 and linked in response.context["cl"].result_list
    html = response.content.decode()
    assert mask_mobile(linked.recipient) in html
    assert_nothing_leaks(html)


def test_staff_cannot_find_a_message_by_its_number(client, staff, linked, messages):
    """The search does not look at numbers for them: the right number and a wrong one list the same rows."""
    client.force_login(staff)
    url = reverse("admin:notifications_outboxmessage_changelist")
    found = {}
    for query in ("+919829011122", "9829011122", "11122", "+919829099999"):
        response = client.get(url, {"q": query})  # (the page repeats the query in its links: the user's own)
        found[query] = set(response.context["cl"].result_list)
    assert len(set(map(frozenset, found.values()))) == 1


def test_staff_read_no_number_and_no_body_on_the_detail_page(client, staff, linked):
    client.force_login(staff)
    response = client.get(reverse("admin:notifications_outboxmessage_change", args=[linked.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("hi"):  # the admin speaks Hindi first
        assert mask_mobile(linked.recipient) in html and hide_body(linked.body) in html
    assert_nothing_leaks(html)
    history = client.get(reverse("admin:notifications_outboxmessage_history", args=[linked.pk]))
    assert_nothing_leaks(history.content.decode())


@pytest.mark.parametrize(
    "query",
    [
        {"recipient": "+919829011122"},
        {"recipient__startswith": "+9198290"},
        {"recipient__contains": "11122"},
        {"body__contains": "/m/AbC"},
        {"subject__contains": "4829"},
        {"last_error__contains": "DND"},
        {"person__mobile__startswith": "+9198290"},
    ],
)
def test_url_filters_on_personal_fields_tell_staff_nothing(client, staff, linked, query):
    """A row that shows for ``?recipient__startswith=+9198290`` and not for ``…+9198291`` tells the number
    digit by digit; for a body, the signed link letter by letter."""
    client.force_login(staff)
    response = client.get(reverse("admin:notifications_outboxmessage_changelist"), query)
    assert response.status_code in (200, 302, 400)  # refused: 400 (DisallowedModelAdminLookup)
    if response.status_code == 200:
        assert linked not in response.context["cl"].result_list
    assert_nothing_leaks(response.content.decode())


def test_superusers_still_read_the_whole_message(client, linked):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("admin:notifications_outboxmessage_change", args=[linked.pk])).content.decode()
    assert "9829011122" in html and SIGNED_LINK in html
    response = client.get(reverse("admin:notifications_outboxmessage_changelist"), {"recipient__startswith": "+91"})
    assert linked in response.context["cl"].result_list
