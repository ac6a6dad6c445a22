"""Issue 11 (penetration test, "Medium"): anyone holding a camp's QR link could check in an invitee by
typing their number, saw their name and got their certificate link; with walk-ins on, any number in
the country worked. Each test below is one of those attacks, made through the public page.

Now: the QR link and the window prove presence, the personal code of the invitation proves ownership
(locked after five wrong tries), walk-ins only ask and the trainer confirms people of the camp's area,
and no anonymous page shows a name."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from sangathan.audit.models import AuditEntry
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Person
from sangathan.org.tests.factories import PersonFactory
from sangathan.training import codes, services
from sangathan.training.models import Attendance, Completion, Invitation, WalkInRequest
from sangathan.training.services import TrainingError
from sangathan.training.tests.conftest import MONDAY, code_of, local, url_of

pytestmark = pytest.mark.usefixtures("clear_rate_limits")

AT_TEN = local(MONDAY, 10, 5)


def join_url(camp) -> str:
    return reverse("training_public:walk_in", args=[camp.check_in_token])


def names_of(person) -> list[str]:
    return [name for name in (person.name_hi, person.name_en) if name]


def another_code(code: str) -> str:
    """A well-formed code that is not ``code``."""
    return "ABC234" if code != "ABC234" else "ABC235"


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def refusal_text(html: str) -> str:
    return html.split('id="refusal"', 1)[1].split("</div>", 2)[1]


def audit_entries(obj):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))


# ---------------------------------------------------------------- ownership: the personal code


def test_someone_elses_number_without_their_code_checks_nobody_in(client, live_camp, people):
    victim = people.booth1_rep
    attempts = [
        {"mobile": victim.mobile},  # the reported attack: the number alone
        {"mobile": victim.mobile, "code": ""},
        {"mobile": victim.mobile, "code": another_code(code_of(live_camp, victim))},
        {"mobile": victim.mobile, "code": code_of(live_camp, people.booth2_rep)},  # another invitee's code
    ]
    for data in attempts:
        response = client.post(url_of(live_camp), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="checked-in"' not in html and "/t/c/" not in html  # no check-in, no certificate link
        assert not any(name in html for name in names_of(victim))
    assert not Attendance.objects.exists() and not Completion.objects.exists()


def test_six_wrong_codes_lock_the_invitation_until_the_trainer_sends_it_again(client, live_camp, people, cast):
    right = code_of(live_camp, people.booth2_rep)
    for _ in range(codes.MAX_FAILURES):
        html = client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile, "code": another_code(right)})
        assert 'id="refusal"' in html.content.decode()
    assert not Attendance.objects.exists()
    invitation = Invitation.objects.get(camp=live_camp, person=people.booth2_rep)
    assert invitation.code_failures == codes.MAX_FAILURES and invitation.code_locked
    # The sixth try, even with the right code, is refused with the same words as a stranger's number.
    locked = client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile, "code": right}).content.decode()
    stranger = client.post(url_of(live_camp), {"mobile": "9876501234", "code": right}).content.decode()
    assert refusal_text(locked) == refusal_text(stranger)
    assert not Attendance.objects.exists()
    invitation.refresh_from_db()
    assert invitation.code_failures == codes.MAX_FAILURES  # a locked code counts no further
    # Each wrong try is in the audit trail (under the camp's unit); the secret never is.
    entries = audit_entries(invitation)
    assert entries.count() >= codes.MAX_FAILURES
    assert all("check_in_secret" not in (entry.changes or {}) for entry in entries)
    assert {entry.unit_path for entry in entries} == {live_camp.host_unit.path}
    # The trainer sends the code again from the roll call: it is unlocked, the same code works.
    client.force_login(cast.district_admin)
    client.post(reverse("training:roll_call_resend_code", args=[live_camp.pk, people.booth2_rep.pk]))
    client.logout()
    message = OutboxMessage.objects.filter(template="training_check_in_code", person=people.booth2_rep).first()
    assert message is not None and right in message.body
    response = client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile, "code": right})
    assert 'id="checked-in"' in response.content.decode()
    assert Attendance.objects.get().person == people.booth2_rep


def test_no_oracle_a_stranger_an_outsider_and_a_wrong_code_read_the_same(client, live_camp, people):
    code = another_code(code_of(live_camp, people.booth1_rep))
    answers = {
        refusal_text(client.post(url_of(live_camp), {"mobile": mobile, "code": code}).content.decode())
        for mobile in (people.booth1_rep.mobile, people.kishangarh_in_charge.mobile, "9876501234")
    }
    assert len(answers) == 1
    assert not Attendance.objects.exists()


def test_the_code_is_in_the_invitation_and_reminder_and_not_in_the_database(camp, people, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(MONDAY, 8))
    invitation = Invitation.objects.get(camp=camp, person=people.booth1_rep)
    code = invitation.check_in_code
    assert codes.well_formed(code) and not set(code) & set("01OIL")
    message = OutboxMessage.objects.filter(template="training_invitation", person=people.booth1_rep).first()
    assert code in message.body
    services.invitations_remind(camp=camp, on=MONDAY - datetime.timedelta(days=1))
    reminder = OutboxMessage.objects.filter(template="training_reminder", person=people.booth1_rep).first()
    assert code in reminder.body
    # What the database holds is the secret the code is derived from (with SECRET_KEY), not the code.
    assert code not in invitation.check_in_secret
    others = {i.check_in_code for i in Invitation.objects.filter(camp=camp)}
    assert len(others) == camp.invitations.count()  # one code per invitation


def test_codes_survive_a_secret_key_rotation(settings, camp, people):
    invitation = Invitation.objects.get(camp=camp, person=people.booth1_rep)
    old = invitation.check_in_code
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert invitation.check_in_code != old
    result = services.attendance_check_in(camp=camp, mobile=people.booth1_rep.mobile, code=old, at=AT_TEN)
    assert result.created


def test_typed_codes_are_forgiving_about_case_spaces_and_hindi_digits(camp, people):
    code = code_of(camp, people.booth1_rep)
    devanagari = code.lower().translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    typed = f"{devanagari[:3]} {devanagari[3:]}"
    assert services.attendance_check_in(camp=camp, mobile=people.booth1_rep.mobile, code=typed, at=AT_TEN).created


# ---------------------------------------------------------------- replay


def test_replaying_a_check_in_is_idempotent(client, live_camp, people):
    data = {"mobile": people.booth1_rep.mobile, "code": code_of(live_camp, people.booth1_rep)}
    first = client.post(url_of(live_camp), data).content.decode()
    entries = AuditEntry.objects.count()
    second = client.post(url_of(live_camp), data).content.decode()
    assert 'id="checked-in"' in first and 'id="checked-in"' in second
    assert Attendance.objects.count() == 1 and Completion.objects.count() == 1
    assert AuditEntry.objects.count() == entries  # the replay wrote nothing
    assert Invitation.objects.get(camp=live_camp, person=people.booth1_rep).code_failures == 0


# ---------------------------------------------------------------- no name on an anonymous page


def test_no_name_on_the_anonymous_pages(client, live_camp, people):
    services.camp_set_walk_ins(camp=live_camp, allow=True)
    person = people.booth1_rep
    pages = [
        lambda: client.get(url_of(live_camp)),
        lambda: client.post(url_of(live_camp), {"mobile": person.mobile, "code": code_of(live_camp, person)}),
        lambda: client.post(url_of(live_camp), {"mobile": person.mobile, "code": code_of(live_camp, person)}),
        lambda: client.post(url_of(live_camp), {"mobile": people.booth2_rep.mobile, "code": "ABC234"}),
        lambda: client.post(join_url(live_camp), {"join-name": "कोई और", "join-mobile": people.booth2_rep.mobile}),
        lambda: client.post(join_url(live_camp), {"join-name": "x", "join-mobile": people.kishangarh_in_charge.mobile}),
    ]
    for page in pages:
        html = page().content.decode()
        for someone in (person, people.booth2_rep, people.kishangarh_in_charge):
            assert not any(name in html for name in names_of(someone)), html


# ---------------------------------------------------------------- walk-ins ask; the trainer confirms


@pytest.fixture
def walk_in_camp(live_camp):
    services.camp_set_walk_ins(camp=live_camp, allow=True)
    return live_camp


def test_a_walk_in_only_asks_and_every_number_gets_the_same_answer(client, walk_in_camp, people):
    """The reported attack: with walk-ins on, an Ajmer person's number checked in at a Jaipur camp."""
    people_before = Person.objects.count()
    # The old way in, number and name on the check-in form, checks nobody in.
    client.post(url_of(walk_in_camp), {"mobile": people.kishangarh_in_charge.mobile, "name": "x"})
    client.post(url_of(walk_in_camp), {"mobile": "9876501234", "name": "Sunil Kumar"})
    assert not Attendance.objects.exists()
    answers = set()
    for mobile in (people.kishangarh_in_charge.mobile, "9876501234", people.booth1_rep.mobile):
        response = client.post(join_url(walk_in_camp), {"join-name": "Sunil Kumar", "join-mobile": mobile})
        assert response.status_code == 200
        answers.add(without_csrf(response.content.decode()))
    assert len(answers) == 1 and 'id="walk-in-requested"' in answers.pop()
    assert not Attendance.objects.exists()
    assert Person.objects.count() == people_before  # nobody registered before the trainer confirms
    assert WalkInRequest.objects.filter(camp=walk_in_camp, status="pending").count() == 3
    # Asking again with the same number changes nothing.
    client.post(join_url(walk_in_camp), {"join-name": "Other Name", "join-mobile": "9876501234"})
    assert WalkInRequest.objects.get(mobile="+919876501234").name == "Sunil Kumar"
    assert WalkInRequest.objects.count() == 3


def test_an_out_of_scope_walk_in_cannot_be_confirmed(client, walk_in_camp, people, cast):
    # An Ajmer (Kishangarh) office-bearer's number at Amer's camp: the page takes it only as a request.
    client.post(url_of(walk_in_camp), {"mobile": people.kishangarh_in_charge.mobile, "name": "x", "code": "ABC234"})
    assert not Attendance.objects.exists()
    walk_in = services.walk_in_request_create(camp=walk_in_camp, mobile=people.kishangarh_in_charge.mobile, name="x")
    client.force_login(cast.district_admin)
    page = client.get(reverse("training:roll_call", args=[walk_in_camp.pk])).content.decode()
    assert f'id="walk-in-{walk_in.pk}"' in page
    assert people.kishangarh_in_charge.name_hi not in page  # the trainer is not told whose number it is
    response = client.post(
        reverse("training:roll_call_walk_in_decide", args=[walk_in_camp.pk]),
        {"request": walk_in.pk, "decision": "confirm"},
        follow=True,
    )
    assert "यह नंबर यहाँ इस्तेमाल नहीं किया जा सकता; अपने प्रदेश कार्यालय से पूछें।" in response.content.decode()
    assert not Attendance.objects.exists()
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInRequest.Status.PENDING and walk_in.person is None
    # The state admin, who can see Ajmer, cannot bring an Ajmer person into the Amer camp either.
    with pytest.raises(TrainingError) as error:
        services.walk_in_request_decide(walk_in=walk_in, confirm=True, by=cast.state_admin)
    assert error.value.code == "person_out_of_scope"
    with pytest.raises(TrainingError) as error:
        services.attendance_add_walk_in(
            camp=walk_in_camp, mobile=people.kishangarh_in_charge.mobile, by=cast.state_admin
        )
    assert error.value.code == "person_out_of_scope"
    assert not Attendance.objects.exists()


def test_the_trainer_confirms_a_new_number_and_a_person_of_the_area(client, walk_in_camp, people, cast, tree):
    neighbour = PersonFactory(home_unit=tree.booth2)  # lives in Amer, not invited
    new = services.walk_in_request_create(camp=walk_in_camp, mobile="9876501234", name="सुनील कुमार")
    known = services.walk_in_request_create(camp=walk_in_camp, mobile=neighbour.mobile, name="x")
    rejected = services.walk_in_request_create(camp=walk_in_camp, mobile="9876501299", name="y")
    client.force_login(cast.district_admin)
    decide = reverse("training:roll_call_walk_in_decide", args=[walk_in_camp.pk])
    client.post(decide, {"request": new.pk, "decision": "confirm"})
    client.post(decide, {"request": known.pk, "decision": "confirm"})
    client.post(decide, {"request": rejected.pk, "decision": "reject"})
    client.post(decide, {"request": new.pk, "decision": "confirm"})  # a double tap: nothing more
    person = Person.objects.get(mobile="+919876501234")
    assert person.name_hi == "सुनील कुमार" and person.home_unit == walk_in_camp.host_unit
    present = dict(Attendance.objects.values_list("person_id", "method"))
    assert present == {person.pk: "walk_in", neighbour.pk: "walk_in"}
    assert all(a.recorded_by == cast.district_admin for a in Attendance.objects.all())
    assert not Person.objects.filter(mobile="+919876501299").exists()
    statuses = dict(WalkInRequest.objects.values_list("pk", "status"))
    assert statuses == {new.pk: "confirmed", known.pk: "confirmed", rejected.pk: "rejected"}
    # Requests, confirmations and rejections are in the audit trail, by the trainer, under the camp's unit.
    for walk_in in (new, known, rejected):
        entries = audit_entries(walk_in)
        assert entries.filter(action=AuditEntry.Action.CREATE).exists()
        decision = entries.filter(action=AuditEntry.Action.UPDATE).get()
        assert decision.actor == cast.district_admin and decision.unit_path == walk_in_camp.host_unit.path
        created = entries.get(action=AuditEntry.Action.CREATE)
        assert walk_in.mobile[-10:] not in str(created.changes)  # the mobile number is masked


def test_an_invitee_without_their_code_asks_and_is_ticked(walk_in_camp, people, cast):
    walk_in = services.walk_in_request_create(camp=walk_in_camp, mobile=people.booth1_rep.mobile, name="Seema")
    services.walk_in_request_decide(walk_in=walk_in, confirm=True, by=cast.district_admin)
    attendance = Attendance.objects.get()
    assert attendance.person == people.booth1_rep and attendance.method == Attendance.Method.ROLL_CALL


def test_walk_in_requests_only_when_the_camp_takes_them_and_is_open(camp, people):
    with pytest.raises(TrainingError) as error:
        services.walk_in_request_create(camp=camp, mobile="9876501234", name="x", at=AT_TEN)
    assert error.value.code == "no_walk_ins"
    services.camp_set_walk_ins(camp=camp, allow=True)
    with pytest.raises(TrainingError) as error:
        services.walk_in_request_create(camp=camp, mobile="9876501234", name="x", at=local(MONDAY, 8))
    assert error.value.code == "too_early"
    with pytest.raises(TrainingError) as error:
        services.walk_in_request_create(camp=camp, mobile="9876501234", name="  ", at=AT_TEN)
    assert error.value.code == "name_missing"
    assert not WalkInRequest.objects.exists()


def test_a_full_camp_takes_no_more_walk_ins(tree, programme, people, cast):
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="x",
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 12),
        capacity=1,
        allow_walk_ins=True,
    )
    services.attendance_add_walk_in(camp=camp, mobile="9876501233", name="a", by=cast.district_admin, at=AT_TEN)
    walk_in = services.walk_in_request_create(camp=camp, mobile="9876501234", name="x", at=AT_TEN)
    with pytest.raises(TrainingError) as error:
        services.walk_in_request_decide(walk_in=walk_in, confirm=True, by=cast.district_admin, at=AT_TEN)
    assert error.value.code == "full"
    assert Attendance.objects.count() == 1


# ---------------------------------------------------------------- scope of the trainer's screens


def test_a_sibling_districts_admin_cannot_see_or_answer_requests_or_codes(client, walk_in_camp, people, cast):
    walk_in = services.walk_in_request_create(camp=walk_in_camp, mobile="9876501234", name="Sunil Kumar")
    invitation = Invitation.objects.get(camp=walk_in_camp, person=people.booth1_rep)
    Invitation.objects.filter(pk=invitation.pk).update(code_failures=codes.MAX_FAILURES)
    for user, status in ((cast.sibling_admin, 404), (cast.outsider, 404), (cast.viewer, 403)):
        client.force_login(user)
        assert client.get(reverse("training:roll_call", args=[walk_in_camp.pk])).status_code == status
        decide = reverse("training:roll_call_walk_in_decide", args=[walk_in_camp.pk])
        assert client.post(decide, {"request": walk_in.pk, "decision": "confirm"}).status_code == status
        assert client.post(decide, {"request": walk_in.pk, "decision": "reject"}).status_code == status
        resend = reverse("training:roll_call_resend_code", args=[walk_in_camp.pk, people.booth1_rep.pk])
        assert client.post(resend).status_code == status
    walk_in.refresh_from_db()
    invitation.refresh_from_db()
    assert walk_in.status == WalkInRequest.Status.PENDING
    assert invitation.code_failures == codes.MAX_FAILURES and invitation.code_sent_at is None
    assert not Attendance.objects.exists() and not Person.objects.filter(mobile="+919876501234").exists()
    assert not OutboxMessage.objects.filter(template="training_check_in_code").exists()


def test_a_request_cannot_be_answered_through_another_camp(client, walk_in_camp, sibling_camp, cast):
    walk_in = services.walk_in_request_create(camp=walk_in_camp, mobile="9876501234", name="Sunil Kumar")
    client.force_login(cast.sibling_admin)
    decide = reverse("training:roll_call_walk_in_decide", args=[sibling_camp.pk])
    assert client.post(decide, {"request": walk_in.pk, "decision": "confirm"}).status_code == 302
    page = client.get(reverse("training:roll_call", args=[sibling_camp.pk])).content.decode()
    assert "Sunil Kumar" not in page
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInRequest.Status.PENDING and not Attendance.objects.exists()


def test_the_roll_call_shows_requests_and_codes_to_the_trainer(client, walk_in_camp, people, cast):
    services.walk_in_request_create(camp=walk_in_camp, mobile="9876501234", name="Sunil Kumar")
    client.force_login(cast.district_admin)
    html = client.get(reverse("training:roll_call", args=[walk_in_camp.pk])).content.decode()
    assert "Sunil Kumar" in html and 'id="walk-ins"' in html
    for person in (people.booth1_rep, people.booth2_rep, people.amer_in_charge):
        assert code_of(walk_in_camp, person) in html


def test_bad_decisions_change_nothing(client, walk_in_camp, cast):
    walk_in = services.walk_in_request_create(camp=walk_in_camp, mobile="9876501234", name="x")
    client.force_login(cast.district_admin)
    decide = reverse("training:roll_call_walk_in_decide", args=[walk_in_camp.pk])
    for data in ({}, {"request": "x"}, {"request": "9" * 40}, {"request": walk_in.pk, "decision": "maybe"}):
        assert client.post(decide, data).status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInRequest.Status.PENDING


def test_invitations_made_before_codes_get_a_secret_of_their_own(camp):
    """The migration's AddField gives every existing row the same default; its data step gives each its own."""
    migration = importlib.import_module("sangathan.training.migrations.0003_check_in_codes_and_walk_in_requests")
    Invitation.objects.update(check_in_secret="same-for-all")
    migration.give_each_invitation_its_own_secret(apps, None)
    secrets = list(Invitation.objects.values_list("check_in_secret", flat=True))
    assert len(set(secrets)) == len(secrets) == 3 and "same-for-all" not in secrets
