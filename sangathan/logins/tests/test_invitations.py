"""Logins for office-bearers: a post's role on appointment, the one-time link, relief and suspension ending
every session at once, a committee invited in one action, roles of posts per state, and scope."""

import datetime
import re
import secrets

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.logins import services
from sangathan.logins.errors import LoginError
from sangathan.logins.models import GrantedRole, Login, LoginInvitation, LoginSession, PostRole
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Person
from sangathan.org.tests.factories import make_unit, position
from sangathan.testing import log_in, sent_code

pytestmark = pytest.mark.django_db

PASSWORD = "nadi-kinare-ghar-2026"
LINK_RE = re.compile(r"https?://\S+/welcome/(\S+)/")


@pytest.fixture(autouse=True)
def invitations_on(settings):
    settings.LOGIN_INVITATIONS = True


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def appoint(unit, level, post, *, by, mobile="+919829011111", name="Sunita Meena"):
    return org_services.appointment_create_for_mobile(
        unit=unit, position=position(level, post), mobile=mobile, name_en=name, by=by
    )


def invitation_token(mobile: str) -> str:
    message = OutboxMessage.objects.filter(template="login_invitation", recipient=mobile).order_by("-pk").first()
    assert message is not None, f"no invitation was sent to {mobile}"
    return LINK_RE.search(message.body).group(1)


def sign_in(client, username="9829011111", password=PASSWORD) -> bool:
    """Through the sign-in form, as a person does (django-axes wants the request)."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def accept(client, token, password=PASSWORD):
    return client.post(
        reverse("logins_public:accept", args=[token]), {"new_password1": password, "new_password2": password}
    )


# ---------------------------------------------------------------- appointment → role and invitation


def test_appointing_a_district_in_charge_gives_the_role_and_sends_a_link(tree, cast):
    appointment = appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    login = Login.objects.get(person=appointment.person)
    assert login.user.username == "9829011111"
    assert not login.user.has_usable_password()
    assert RoleAssignment.objects.filter(user=login.user, unit=tree.jaipur, role=Role.UNIT_ADMIN).exists()
    assert GrantedRole.objects.get(appointment=appointment).assignment.role == Role.UNIT_ADMIN
    message = OutboxMessage.objects.get(template="login_invitation")
    assert message.recipient == "+919829011111"
    assert "9829011111" in message.body and "/welcome/" in message.body
    invitation = LoginInvitation.objects.get(login=login)
    assert invitation.unit == tree.jaipur and invitation.appointment == appointment
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(hours=72)
    # The secret is in the link only: the row keeps a digest, and the audit trail neither.
    token = invitation_token("+919829011111")
    assert token not in str(list(LoginInvitation.objects.values()))
    assert AuditEntry.objects.filter(content_type__model="logininvitation", object_pk=str(invitation.pk)).exists()
    assert invitation.secret_digest not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_a_post_without_a_role_gives_no_login(tree, cast):
    appoint(tree.booth1, "booth", "volunteer", by=cast.state_admin)
    assert not Login.objects.exists() and not OutboxMessage.objects.filter(template="login_invitation").exists()


def test_the_link_sets_a_password_once_and_lands_on_the_unit(tree, cast, client):
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    token = invitation_token("+919829011111")
    assert client.get(reverse("logins_public:accept", args=[token])).status_code == 200
    response = accept(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("org:unit", args=[tree.jaipur.pk])
    assert client.get(reverse("org:unit", args=[tree.jaipur.pk])).status_code == 200
    assert client.get(reverse("org:unit", args=[tree.ajmer.pk])).status_code == 404  # only their district
    user = get_user_model().objects.get(username="9829011111")
    assert user.check_password(PASSWORD)
    # Used: the same link again (a replay, another tab) is refused and changes nothing.
    other = Client()
    assert other.get(reverse("logins_public:accept", args=[token])).status_code == 410
    assert accept(other, token, "ek-aur-password-99").status_code == 410
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # They sign in with the mobile's ten digits and the password.
    assert sign_in(Client())


def test_a_tampered_or_foreign_token_is_refused(tree, cast, client):
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    token = invitation_token("+919829011111")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 40, token + "x"):
        assert client.get(reverse("logins_public:accept", args=[bad])).status_code == 404
        assert accept(client, bad).status_code == 404
    assert not get_user_model().objects.get(username="9829011111").has_usable_password()


def test_an_expired_or_replaced_link_is_refused(tree, cast):
    appointment = appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    token = invitation_token("+919829011111")
    later = timezone.now() + datetime.timedelta(hours=73)
    with pytest.raises(LoginError) as error:
        services.invitation_for_token(token, at=later)
    assert error.value.code in ("expired", "invalid")  # the signature's age or the row's
    login = Login.objects.get(person=appointment.person)
    services.invitation_send(login=login, unit=tree.jaipur, by=cast.state_admin)  # a new link
    with pytest.raises(LoginError) as error:
        services.invitation_for_token(token)
    assert error.value.code == "used"


def test_a_weak_password_is_refused_with_a_message_and_nothing_changes(tree, cast, client):
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    token = invitation_token("+919829011111")
    for weak, other in (("short", "short"), ("1234567890", "1234567890"), (PASSWORD, PASSWORD + "x"), ("", "")):
        response = client.post(
            reverse("logins_public:accept", args=[token]), {"new_password1": weak, "new_password2": other}
        )
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode() or "errors" in response.content.decode()
    assert not get_user_model().objects.get(username="9829011111").has_usable_password()
    assert LoginInvitation.objects.get().used_at is None


# ---------------------------------------------------------------- relief, dissolution, suspension


def _signed_in_in_charge(tree, cast, client):
    appointment = appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    accept(client, invitation_token("+919829011111"))
    assert client.get(reverse("org:unit", args=[tree.jaipur.pk])).status_code == 200
    return appointment


def test_relieving_takes_the_role_and_every_session_away_at_once(tree, cast, client):
    appointment = _signed_in_in_charge(tree, cast, client)
    second = Client()
    assert sign_in(second)
    user = get_user_model().objects.get(username="9829011111")
    assert LoginSession.objects.filter(user_id=user.pk).count() == 2
    org_services.appointment_relieve(appointment=appointment, reason="Term over", by=cast.state_admin)
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not LoginSession.objects.filter(user_id=user.pk).exists()
    for browser in (client, second):
        response = browser.get(reverse("org:unit", args=[tree.jaipur.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert AuditEntry.objects.filter(content_type__model="roleassignment", action=AuditEntry.Action.DELETE).exists()


def test_a_role_held_before_the_appointment_stays_after_relief(tree, cast):
    person = Person.objects.create(name_en="Old Hand", mobile="+919829022222", home_unit=tree.jaipur)
    login, _created = services.login_for_person(person=person)
    RoleAssignment.objects.create(user=login.user, unit=tree.jaipur, role=Role.UNIT_ADMIN)
    appointment = org_services.appointment_create(
        unit=tree.jaipur, position=position("district", "in_charge"), person=person, by=cast.state_admin
    )
    assert not GrantedRole.objects.exists()
    org_services.appointment_relieve(appointment=appointment, reason="x", by=cast.state_admin)
    assert RoleAssignment.objects.filter(user=login.user, unit=tree.jaipur).exists()


def test_dissolving_a_subtree_takes_every_role_it_gave_away(tree, cast):
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    appoint(tree.jaipur_ac, "assembly", "in_charge", by=cast.state_admin, mobile="+919829033333")
    assert GrantedRole.objects.count() == 2
    org_services.committee_dissolve(unit=tree.jaipur, reason="Rebuild", include_subtree=True, by=cast.state_admin)
    assert not GrantedRole.objects.exists()
    assert not RoleAssignment.objects.filter(role=Role.UNIT_ADMIN, user__office_login__isnull=False).exists()
    assert not LoginInvitation.objects.filter(revoked_at__isnull=True, used_at__isnull=True).exists()


def test_suspending_signs_out_everywhere_and_resuming_lets_them_in(tree, cast, client):
    appointment = _signed_in_in_charge(tree, cast, client)
    login = Login.objects.get(person=appointment.person)
    admin = Client()
    log_in(admin, cast.state_admin)
    response = admin.post(reverse("logins:action", args=[login.pk, "suspend"]), {"unit": tree.jaipur.pk})
    assert response.status_code == 302
    login.refresh_from_db()
    assert login.is_suspended and not login.user.is_active
    assert client.get(reverse("org:unit", args=[tree.jaipur.pk])).status_code == 302
    assert not sign_in(Client())
    admin.post(reverse("logins:action", args=[login.pk, "resume"]))
    assert sign_in(Client())


# ---------------------------------------------------------------- a committee in one action


def test_a_whole_committee_is_invited_in_one_action(tree, cast, client, settings):
    settings.LOGIN_INVITATIONS = False  # appointed before logins came
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    appoint(tree.jaipur, "district", "president", by=cast.state_admin, mobile="+919829044444", name="Ravi")
    appoint(tree.jaipur, "district", "vice_president", by=cast.state_admin, mobile="+919829055555", name="Asha")
    settings.LOGIN_INVITATIONS = True
    log_in(client, cast.district_admin)
    page = client.get(reverse("logins:unit", args=[tree.jaipur.pk]))
    assert page.status_code == 200 and "Sunita Meena" in page.content.decode()
    response = client.post(reverse("logins:invite", args=[tree.jaipur.pk]))
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(template="login_invitation").count() == 3
    assert Login.objects.count() == 3
    roles = set(
        RoleAssignment.objects.filter(unit=tree.jaipur, user__office_login__isnull=False).values_list("role", flat=True)
    )
    assert roles == {Role.UNIT_ADMIN, Role.VIEWER}
    # Again: the links are still open, so nobody is waiting — a second click sends them anew, no new logins.
    client.post(reverse("logins:invite", args=[tree.jaipur.pk]))
    assert Login.objects.count() == 3 and GrantedRole.objects.count() == 3


# ---------------------------------------------------------------- scope


def test_a_district_admin_cannot_invite_into_a_sibling_district(tree, cast, client, settings):
    settings.LOGIN_INVITATIONS = False
    appoint(tree.ajmer, "district", "in_charge", by=cast.state_admin)
    settings.LOGIN_INVITATIONS = True
    log_in(client, cast.district_admin)
    assert client.post(reverse("logins:invite", args=[tree.ajmer.pk])).status_code == 404
    assert client.get(reverse("logins:unit", args=[tree.ajmer.pk])).status_code == 404
    assert not Login.objects.exists() and not OutboxMessage.objects.filter(template="login_invitation").exists()
    with pytest.raises(LoginError):
        services.committee_invite(unit=tree.ajmer, by=cast.district_admin)


def test_a_sibling_cannot_suspend_or_resend_and_a_viewer_cannot_invite(tree, cast, client):
    appointment = appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    login = Login.objects.get(person=appointment.person)
    log_in(client, cast.sibling_admin)
    for action in ("suspend", "resume", "reinvite"):
        assert client.post(reverse("logins:action", args=[login.pk, action])).status_code == 404
    viewer = Client()
    log_in(viewer, cast.viewer)
    assert viewer.post(reverse("logins:invite", args=[tree.jaipur.pk])).status_code == 403
    # The district's own admin sees the login but may not manage logins (a state admin's action).
    district = Client()
    log_in(district, cast.district_admin)
    assert district.post(reverse("logins:action", args=[login.pk, "suspend"])).status_code == 403
    login.refresh_from_db()
    assert not login.is_suspended
    assert LoginInvitation.objects.count() == 1


def test_an_appointer_cannot_hand_out_more_than_they_hold(tree, cast):
    PostRole.objects.create(state=tree.rajasthan, position=position("assembly", "in_charge"), role=Role.STATE_ADMIN)
    appoint(tree.jaipur_ac, "assembly", "in_charge", by=cast.district_admin)
    assert not RoleAssignment.objects.filter(unit=tree.jaipur_ac).exists()
    PostRole.objects.filter(state=tree.rajasthan).update(role=Role.UNIT_ADMIN)
    appoint(tree.jaipur_ac, "assembly", "coordinator", by=cast.district_admin, mobile="+919829066666")
    # the coordinator's default is no login; the in-charge's own role was refused above, not granted now
    assert not RoleAssignment.objects.filter(unit=tree.jaipur_ac).exists()


# ---------------------------------------------------------------- roles of posts, per state


def test_a_state_admin_sets_a_posts_role_for_their_state_only(tree, cast, client):
    gujarat = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    coordinator = position("district", "coordinator")
    log_in(client, cast.state_admin)
    assert client.get(reverse("logins:posts")).status_code == 200
    response = client.post(
        reverse("logins:posts"), {"state": tree.rajasthan.pk, "position": coordinator.pk, "role": Role.TRAINER}
    )
    assert response.status_code == 302
    assert services.post_role_for(position=coordinator, unit=tree.jaipur) == Role.TRAINER
    assert services.post_role_for(position=coordinator, unit=make_unit(gujarat, "district", "Surat")) == Role.VIEWER
    assert (
        client.post(
            reverse("logins:posts"), {"state": gujarat.pk, "position": coordinator.pk, "role": Role.VIEWER}
        ).status_code
        == 404
    )
    appoint(tree.jaipur, "district", "coordinator", by=cast.state_admin)
    assert RoleAssignment.objects.filter(unit=tree.jaipur, role=Role.TRAINER).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"role": "superuser"},
        {"role": Role.NATIONAL_ADMIN},
        {"position": "999999999"},
        {"position": "abc"},
        {"state": "x" * 40},
        {"state": "99999999999999999999999"},
    ],
)
def test_bad_input_on_the_roles_of_posts_changes_nothing(tree, cast, client, data):
    log_in(client, cast.state_admin)
    body = {"state": tree.rajasthan.pk, "position": position("district", "coordinator").pk, "role": Role.VIEWER}
    response = client.post(reverse("logins:posts"), {**body, **data})
    assert response.status_code in (302, 400, 404)
    assert not PostRole.objects.exists()


def test_a_district_admin_cannot_change_the_roles_of_posts(tree, cast, client):
    log_in(client, cast.district_admin)
    assert client.get(reverse("logins:posts")).status_code == 403
    body = {"state": tree.rajasthan.pk, "position": position("district", "coordinator").pk, "role": Role.VIEWER}
    assert client.post(reverse("logins:posts"), body).status_code == 403
    with pytest.raises(LoginError):
        services.post_role_set(
            state=tree.rajasthan, position=position("district", "coordinator"), role="", by=cast.district_admin
        )
    assert not PostRole.objects.exists()


# ---------------------------------------------------------------- a login for someone without a post


def test_a_state_admin_gives_a_trainer_a_login(tree, cast, client):
    person = Person.objects.create(name_en="Trainer", mobile="+919829077777", home_unit=tree.jaipur)
    log_in(client, cast.state_admin)
    response = client.post(
        reverse("logins:create", args=[tree.jaipur.pk]), {"mobile": "98290 77777", "role": "trainer"}
    )
    assert response.status_code == 302
    login = Login.objects.get(person=person)
    assert RoleAssignment.objects.filter(user=login.user, unit=tree.jaipur, role=Role.TRAINER).exists()
    assert invitation_token("+919829077777")


@pytest.mark.parametrize(
    "data",
    [
        {"mobile": "", "role": "trainer"},
        {"mobile": "12345", "role": "trainer"},
        {"mobile": "98290abcde", "role": "trainer"},
        {"mobile": "98290 77777", "role": "national_admin"},
        {"mobile": "98290 77777", "role": ""},
        {"mobile": "98290 88888", "role": "trainer"},  # nobody with this number
    ],
)
def test_bad_input_when_giving_a_login_is_a_message(tree, cast, client, data):
    Person.objects.create(name_en="Trainer", mobile="+919829077777", home_unit=tree.jaipur)
    log_in(client, cast.state_admin)
    response = client.post(reverse("logins:create", args=[tree.jaipur.pk]), data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Login.objects.exists()


def test_a_person_living_in_a_sibling_district_cannot_be_given_a_login_from_here(tree, cast, client):
    Person.objects.create(name_en="Elsewhere", mobile="+919829099999", home_unit=tree.ajmer)
    jaipur_only = get_user_model().objects.create_user("jaipur_state_like", password=PASSWORD)
    RoleAssignment.objects.create(user=jaipur_only, unit=tree.jaipur, role=Role.STATE_ADMIN)
    log_in(client, jaipur_only)
    response = client.post(reverse("logins:create", args=[tree.jaipur.pk]), {"mobile": "98290 99999", "role": "viewer"})
    assert response.status_code == 400
    assert (
        client.post(
            reverse("logins:create", args=[tree.ajmer.pk]), {"mobile": "98290 99999", "role": "viewer"}
        ).status_code
        == 404
    )
    assert not Login.objects.exists()


def test_the_pages_are_in_hindi(tree, cast, client):
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    hindi = Client()
    log_in(hindi, cast.state_admin, "hi")
    page = hindi.get(reverse("logins:unit", args=[tree.jaipur.pk])).content.decode()
    assert "समिति के लॉगिन" in page
    token = invitation_token("+919829011111")
    assert "पासवर्ड" in Client().get(reverse("logins_public:accept", args=[token])).content.decode()
    assert "पासवर्ड" in OutboxMessage.objects.get(template="login_invitation").body


def test_appointing_with_invitations_off_changes_nothing_here(tree, cast, settings):
    settings.LOGIN_INVITATIONS = False
    appointment = appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    assert not Login.objects.exists()
    org_services.appointment_relieve(appointment=appointment, reason="x", by=cast.state_admin)
    assert Appointment.objects.get(pk=appointment.pk).status == "relieved"


# ---------------------------------------------------------------- signing in with a code to the mobile


def code_step(client, mobile_typed):
    return client.post(reverse("logins_public:code"), {"step": "send", "mobile": mobile_typed})


def test_an_invited_in_charge_signs_in_with_a_code_instead_of_a_password(tree, cast, client):
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    assert code_step(client, "98290 11111").status_code == 200
    code = sent_code("+919829011111")
    response = client.post(reverse("logins_public:code"), {"step": "code", "code": code})
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("org:unit", args=[tree.jaipur.pk])
    assert client.get(reverse("org:unit", args=[tree.ajmer.pk])).status_code == 404
    # The code is used: the same code again (another browser that saw it) signs nobody in.
    other = Client()
    code_step(other, "98290 11111")
    assert other.post(reverse("logins_public:code"), {"step": "code", "code": code}).status_code == 400
    assert "_auth_user_id" not in other.session


def test_a_number_without_a_login_gets_the_same_answer_and_no_code(tree, cast, client):
    Person.objects.create(name_en="No Login", mobile="+919829088888", home_unit=tree.jaipur)
    first = code_step(client, "98290 88888")
    assert first.status_code == 200
    assert not OutboxMessage.objects.filter(template="mobile_code").exists()
    response = client.post(reverse("logins_public:code"), {"step": "code", "code": "123456"})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def _answers(mobile_typed: str, times: int) -> list[tuple[int, str]]:
    """The status and the error of ``times`` asks for a code, each from a new browser (as a prober would)."""
    answers = []
    for _ in range(times):
        # A prober with many addresses: the per-address limit is another rule (and its count outlives a test).
        prober = Client(REMOTE_ADDR=f"10.77.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
        prober.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = code_step(prober, mobile_typed)
        errors = re.findall(r'class="error[^"]*"[^>]*>([^<]*)<', response.content.decode())
        answers.append((response.status_code, " ".join(errors)))
    return answers


def test_asking_for_codes_tells_nobody_which_numbers_have_a_login(tree, cast):
    """Found by the security audit: the fourth ask in an hour was refused for a number with a login and
    answered as usual for any other, so four requests told whether a number belonged to an office-bearer."""
    # Numbers of their own: the counters per number live in the cache, which outlives a test.
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin, mobile="+919829077701")
    Person.objects.create(name_en="No Login", mobile="+919829077702", home_unit=tree.jaipur)
    with_login, without = _answers("98290 77701", 5), _answers("98290 77702", 5)
    assert with_login == without
    assert with_login[3][0] == 400 and "Too many codes" in with_login[3][1]


def test_codes_sent_for_something_else_count_alike_for_every_number(tree, cast):
    """Three join or status codes to a number use up its hour; the sign-in page then answers the same whether
    or not the number has a login (the database's count is asked before the look-up)."""
    from sangathan.verification.services import challenge_send

    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin, mobile="+919829077703")
    for mobile in ("+919829077703", "+919829077704"):
        for _ in range(3):
            challenge_send(mobile=mobile, purpose="membership", subject="probe")
    with_login, without = _answers("98290 77703", 1), _answers("98290 77704", 1)
    assert with_login == without and with_login[0][0] == 400


def test_a_wrong_code_or_a_suspended_login_signs_nobody_in(tree, cast, client):
    appointment = appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    code_step(client, "98290 11111")
    right = sent_code("+919829011111")
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(reverse("logins_public:code"), {"step": "code", "code": wrong})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    services.login_suspend(login=Login.objects.get(person=appointment.person), by=cast.state_admin)
    response = client.post(reverse("logins_public:code"), {"step": "code", "code": right})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


@pytest.mark.parametrize("typed", ["", "12345", "98290abcde", "+44 20 7946 0958", "9" * 30])
def test_bad_numbers_on_the_code_page_are_a_message(tree, client, typed):
    response = code_step(client, typed)
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_a_code_step_without_a_number_first_starts_over(client, db):
    response = client.post(reverse("logins_public:code"), {"step": "code", "code": "123456"})
    assert response.status_code == 200 and 'name="mobile"' in response.content.decode()


def test_a_flood_of_code_requests_or_password_tries_is_refused(tree, cast, client, settings):
    settings.LOGIN_CODE_SEND_RATE = "2/h"
    settings.LOGIN_ACCEPT_RATE = "2/h"
    appoint(tree.jaipur, "district", "in_charge", by=cast.state_admin)
    statuses = [code_step(client, "98290 11111").status_code for _ in range(4)]
    assert 429 in statuses
    assert OutboxMessage.objects.filter(template="mobile_code").count() <= 2
    token = invitation_token("+919829011111")
    weak = {"new_password1": "short", "new_password2": "short"}
    statuses = [client.post(reverse("logins_public:accept", args=[token]), weak).status_code for _ in range(4)]
    assert 429 in statuses
    assert LoginInvitation.objects.get().used_at is None
