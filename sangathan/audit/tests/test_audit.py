"""The audit trail: what is recorded, that it cannot be changed, and who may read which part of it."""

import csv
import io

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse

from sangathan.audit import services as audit_services
from sangathan.audit.models import AuditEntry
from sangathan.core.clientip import client_ip
from sangathan.org import services
from sangathan.org.models import Appointment, Person
from sangathan.org.tests.factories import PersonFactory, UserFactory, position

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).order_by("id")


@pytest.fixture
def jaipur_person(tree):
    return PersonFactory(
        home_unit=tree.booth1, name_hi="", name_en="Sunil Sharma", mobile="+919829012345", email="sunil@gmail.com"
    )


@pytest.fixture
def ajmer_person(tree):
    return PersonFactory(home_unit=tree.ajmer_booth, name_hi="", name_en="Rekha Jain", mobile="+919829055555")


def test_create_change_delete_are_recorded_with_actor_address_and_values(client, cast, tree):
    client.force_login(cast.district_admin)
    headers = {"REMOTE_ADDR": "203.0.113.7"}
    response = client.post(
        reverse("api:person-list"),
        {"name_en": "Asha Meena", "mobile": "9829011111", "email": "asha@example.com", "home_unit": tree.amer.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(name_en="Asha Meena")
    created = entries_for(person).get()
    assert created.action == Action.CREATE
    assert created.actor == cast.district_admin
    assert created.remote_addr == "203.0.113.7"
    assert created.unit_path == tree.amer.path
    assert created.changes_dict["name_en"] == ["None", "Asha Meena"]
    # Personal fields are stored masked: the trail holds no contact details.
    assert created.changes_dict["mobile"][1] == "+91 98•••••111"
    assert "9829011111" not in str(created.changes)

    response = client.patch(
        reverse("api:person-detail", args=[person.pk]),
        {"name_en": "Asha Kumari Meena"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    changed = entries_for(person).last()
    assert changed.action == Action.UPDATE
    assert changed.changes_dict["name_en"] == ["Asha Meena", "Asha Kumari Meena"]
    assert changed.actor == cast.district_admin

    pk = person.pk
    person.refresh_from_db()
    person.delete()
    deleted = AuditEntry.objects.filter(object_pk=str(pk), action=Action.DELETE).get()
    assert deleted.unit_path == tree.amer.path
    assert deleted.object_repr == "Asha Kumari Meena"


def test_appointment_relief_is_recorded_although_it_is_a_bulk_update(cast, tree, jaipur_person):
    appointment = services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=jaipur_person, by=cast.district_admin
    )
    assert entries_for(appointment).get().action == Action.CREATE
    services.appointment_relieve(appointment=appointment, reason="Moved away", by=cast.district_admin)
    relieved = entries_for(appointment).last()
    assert relieved.action == Action.UPDATE
    assert relieved.changes_dict["status"] == ["active", "relieved"]
    assert relieved.actor == cast.district_admin
    assert relieved.unit_path == tree.booth1.path


def test_user_changes_leave_out_the_password(cast):
    user = cast.viewer
    user.set_password("another-long-password")
    user.first_name = "Vimla"
    user.save()
    entry = entries_for(user).last()
    assert "password" not in entry.changes_dict
    assert entry.changes_dict["first_name"] == ["", "Vimla"]


def test_bulk_action_is_one_entry(cast, tree, jaipur_person):
    entry = audit_services.audit_bulk_action(
        obj=tree.jaipur, what="applications_from_intake", count=3, model=Appointment, ids=[1, 2, 3], by=cast.state_admin
    )
    assert entry.additional_data == {
        "bulk": "applications_from_intake",
        "count": 3,
        "model": "org.appointment",
        "ids": [1, 2, 3],
    }
    assert entry.actor == cast.state_admin
    assert entry.unit_path == tree.jaipur.path


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.0.0.1"),  # no proxy: the header is anyone's to forge
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # the client put 6.6.6.6 in; our proxy added the real one
        (2, "198.51.100.9, 192.0.2.1", "198.51.100.9"),
        (1, "not-an-address", None),
    ],
)
def test_client_address_respects_the_proxy_count(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(PROXY_COUNT=count):
        assert client_ip(request) == expected


# ---------------------------------------------------------------- append-only


def test_admin_is_read_only_for_everyone_including_superusers(client, cast, jaipur_person):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    entry = entries_for(jaipur_person).get()
    model_admin = admin_site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    client.force_login(superuser)
    url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 200


def test_admin_lists_only_the_entries_in_scope(client, cast, jaipur_person, ajmer_person):
    cast.sibling_admin.is_staff = True
    cast.sibling_admin.save()
    client.force_login(cast.sibling_admin)
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rekha Jain" in body
    assert "Sunil Sharma" not in body
    jaipur_entry = entries_for(jaipur_person).get()
    assert client.get(reverse("admin:audit_auditentry_change", args=[jaipur_entry.pk])).status_code in (302, 404)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_update_and_delete_of_entries(cast, jaipur_person):
    entry = entries_for(jaipur_person).get()
    for sql in (
        "UPDATE audit_auditentry SET object_repr = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.object_repr == "Sunil Sharma"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_only_an_erasure_may_take_personal_data_out_and_nothing_else(cast, jaipur_person):
    entry = entries_for(jaipur_person).get()
    redact = "SELECT set_config('sangathan.audit_redaction', 'on', true)"
    for sql in (
        "UPDATE audit_auditentry SET action = 2 WHERE id = %s",  # what was done
        "UPDATE audit_auditentry SET object_repr = '[erased]', timestamp = now() WHERE id = %s",  # when
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(redact)
            cursor.execute(sql, [entry.pk])
    assert audit_services.audit_redact(objects=[jaipur_person], words=["Sunil Sharma"]) == 1
    entry.refresh_from_db()
    assert entry.object_repr == "Sunil Sharma"  # the person is not erased here: named as they are now
    assert "Sunil" not in repr(entry.changes) and entry.action == 0
    # After the erasure the switch is off again for the rest of the transaction.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        audit_services.audit_redact(objects=[jaipur_person], words=[])
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'forged' WHERE id = %s", [entry.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_deleting_a_user_keeps_their_entries(cast, jaipur_person):
    actor = UserFactory(username="leaver", email="leaver@example.com")
    entry = audit_services.audit_reveal(obj=jaipur_person, field="mobile", by=actor)
    actor.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None
    assert entry.actor_email == "leaver@example.com"


# ---------------------------------------------------------------- the pages


def test_log_page_shows_the_admins_area_only(client, cast, tree, jaipur_person, ajmer_person):
    client.force_login(cast.sibling_admin)
    response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rekha Jain" in body
    assert "Sunil Sharma" not in body
    client.force_login(cast.district_admin)
    body = client.get(reverse("audit:log")).content.decode()
    assert "Sunil Sharma" in body
    assert "Rekha Jain" not in body
    client.force_login(cast.state_admin)
    body = client.get(reverse("audit:log")).content.decode()
    assert "Sunil Sharma" in body and "Rekha Jain" in body


def test_log_page_is_for_admins(client, cast):
    client.force_login(cast.viewer)
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    client.logout()
    assert client.get(reverse("audit:log")).status_code == 302


def test_log_filters(client, cast, tree, jaipur_person):
    client.force_login(cast.district_admin)
    appointment = services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=jaipur_person, by=cast.district_admin
    )
    person_type = ContentType.objects.get_for_model(Person)
    url = reverse("audit:log")
    body = client.get(url, {"model": person_type.pk}).content.decode()
    assert "Sunil Sharma" in body and str(appointment) not in body
    body = client.get(url, {"actor": "nobody"}).content.decode()
    assert "Sunil Sharma" not in body
    body = client.get(url, {"obj": "Sunil"}).content.decode()
    assert "Sunil Sharma" in body
    body = client.get(url, {"date_from": "2099-01-01"}).content.decode()
    assert "Sunil Sharma" not in body
    # Bad input: a message, not a 500.
    response = client.get(url, {"date_from": "yesterday", "model": "x' OR 1=1", "date_to": "2020-01-01"})
    assert response.status_code == 200


def test_export_is_scoped_and_formula_safe(client, cast, tree, ajmer_person):
    PersonFactory(home_unit=tree.booth1, name_hi="", name_en='=HYPERLINK("http://x")')
    client.force_login(cast.district_admin)
    response = client.get(reverse("audit:export"), {"model": ContentType.objects.get_for_model(Person).pk})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2  # the header and the one Jaipur person
    assert rows[1][6].startswith("'=HYPERLINK")
    assert "Rekha" not in text


def test_history_page_and_scope(client, cast, tree, jaipur_person, ajmer_person):
    url = reverse("audit:history", args=["org.person", jaipur_person.pk])
    client.force_login(cast.district_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert "Sunil Sharma" in response.content.decode()
    client.force_login(cast.sibling_admin)
    assert client.get(url).status_code == 404
    client.force_login(cast.viewer)  # sees the person, is not an admin
    assert client.get(url).status_code == 403
    client.force_login(cast.district_admin)
    assert client.get(reverse("audit:history", args=["org.person", ajmer_person.pk])).status_code == 404
    assert client.get(reverse("audit:history", args=["org.unit", tree.ajmer.pk])).status_code == 404
    assert client.get(reverse("audit:history", args=["org.unit", tree.jaipur.pk])).status_code == 200
    assert client.get(reverse("audit:history", args=["auth.permission", 1])).status_code == 404
    assert client.get(reverse("audit:history", args=["org.person", "x"])).status_code == 404


def test_history_of_a_deleted_object_follows_its_last_unit(client, cast, tree):
    person = PersonFactory(home_unit=tree.booth1, name_hi="", name_en="Gone Person")
    pk = person.pk
    person.delete()
    url = reverse("audit:history", args=["org.person", pk])
    client.force_login(cast.district_admin)
    body = client.get(url).content.decode()
    assert "Gone Person" in body
    client.force_login(cast.sibling_admin)
    assert client.get(url).status_code == 404


def test_person_and_unit_pages_link_to_the_history(client, cast, tree, jaipur_person):
    client.force_login(cast.district_admin)
    body = client.get(reverse("org:person", args=[jaipur_person.pk])).content.decode()
    assert reverse("audit:history", args=["org.person", jaipur_person.pk]) in body
    body = client.get(reverse("org:unit", args=[tree.jaipur.pk])).content.decode()
    assert reverse("audit:history", args=["org.unit", tree.jaipur.pk]) in body
    client.force_login(cast.viewer)
    body = client.get(reverse("org:person", args=[jaipur_person.pk])).content.decode()
    assert reverse("audit:history", args=["org.person", jaipur_person.pk]) not in body


def test_log_page_query_count_does_not_grow_with_entries(client, cast, tree, django_assert_max_num_queries):
    client.force_login(cast.district_admin)
    for _i in range(3):
        PersonFactory(home_unit=tree.booth1)
    client.get(reverse("audit:log"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("audit:log"))
    for _i in range(20):
        PersonFactory(home_unit=tree.booth1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audit:log"))


def test_intake_records_one_entry_per_campaign(campaign, jaipur_app):
    entry = AuditEntry.objects.get(additional_data__bulk="applications_from_intake")
    assert entry.object_pk == str(campaign.pk)
    assert entry.additional_data["ids"] == [jaipur_app.pk] and entry.additional_data["count"] == 1
    assert entry.unit_path == campaign.scope_unit.path


def test_generated_invitations_record_one_entry_per_camp(cast, camp):
    entry = AuditEntry.objects.get(additional_data__bulk="invitations_generated")
    assert entry.object_pk == str(camp.pk)
    assert entry.additional_data["count"] == camp.invitations.count() == 3
    assert entry.actor == cast.district_admin


def test_demo_records_one_reveal(cast, tree, jaipur_person):
    from sangathan.audit.demo import demo_audit

    assert demo_audit(state=tree.rajasthan, by=cast.state_admin) > 0
    demo_audit(state=tree.rajasthan, by=cast.state_admin)
    assert AuditEntry.objects.filter(action=Action.ACCESS, actor=cast.state_admin).count() == 1


def test_subtree_dissolution_is_recorded_by_its_committee_event(cast, tree, jaipur_person):
    from sangathan.org.models import CommitteeEvent

    services.appointment_create(unit=tree.booth1, position=position("booth", "representative"), person=jaipur_person)
    event = services.committee_dissolve(unit=tree.jaipur, reason="Rebuild", include_subtree=True, by=cast.state_admin)
    entry = entries_for(event).get()
    assert entry.action == Action.CREATE and entry.unit_path == tree.jaipur.path
    assert entry.changes_dict["appointments_ended"] == ["None", "1"]
    assert CommitteeEvent.objects.get().appointments_ended == 1
