import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from sangathan.notifications.admin import OutboxMessageAdmin
from sangathan.notifications.models import OutboxMessage
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
