"""Terms of office: the default term, the reminders (once each), the end of a term relieving, the list page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.core.daily import run_daily
from sangathan.logins import services as logins_services
from sangathan.logins.models import GrantedRole
from sangathan.notifications.models import OutboxMessage
from sangathan.org import services
from sangathan.org.errors import OrgError
from sangathan.org.models import Appointment, Level, Person, Position, TermReminder
from sangathan.org.terms import terms_daily
from sangathan.org.tests.factories import PersonFactory, position

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def appoint(unit, level, post, *, start=START, term_ends_on=None, by=None, person=None):
    return services.appointment_create(
        unit=unit,
        position=position(level, post),
        person=person or PersonFactory(home_unit=unit),
        start_date=start,
        term_ends_on=term_ends_on,
        by=by,
    )


def test_the_term_comes_from_the_post_else_the_level(tree):
    Level.objects.filter(code="booth").update(term_months=36)
    Position.objects.filter(level__code="booth", code="volunteer").update(term_months=12)
    assert appoint(tree.booth1, "booth", "representative").term_ends_on == datetime.date(2029, 3, 31)
    assert appoint(tree.booth1, "booth", "volunteer").term_ends_on == datetime.date(2027, 3, 31)
    assert appoint(tree.amer, "block", "in_charge").term_ends_on is None  # no term at the block level


def test_a_term_from_the_31st_ends_on_the_last_day_of_the_short_month(tree):
    Level.objects.filter(code="booth").update(term_months=1)
    appointment = appoint(tree.booth1, "booth", "representative", start=datetime.date(2027, 1, 31))
    assert appointment.term_ends_on == datetime.date(2027, 2, 27)


def test_a_term_ending_before_it_starts_is_refused(tree):
    with pytest.raises(OrgError) as refused:
        appoint(tree.booth1, "booth", "representative", term_ends_on=START)
    assert refused.value.code == "term_before_start" and not Appointment.objects.exists()


@pytest.fixture
def jaipur_admin(tree):
    """An office-bearer with a login and the admin role at Jaipur (the booth's block's ... parent is Amer)."""
    person = PersonFactory(home_unit=tree.amer, name_en="Block Admin")
    login, _created = logins_services.login_for_person(person=person)
    RoleAssignment.objects.create(user=login.user, unit=tree.amer, role=Role.UNIT_ADMIN)
    return person


def _reminders(template):
    return OutboxMessage.objects.filter(template=template)


def test_reminders_go_30_and_7_days_before_once_each_to_the_person_and_the_parent_admin(tree, jaipur_admin):
    person = PersonFactory(home_unit=tree.booth1, name_en="Ramesh")
    end = START + datetime.timedelta(days=100)
    appointment = appoint(tree.booth1, "booth", "representative", term_ends_on=end, person=person)
    for day in range(0, 101):  # every day's run, up to the term's last day, twice on each day
        today = START + datetime.timedelta(days=day)
        terms_daily(today=today)
        terms_daily(today=today)
    reminders = list(TermReminder.objects.filter(appointment=appointment).values_list("days_before", flat=True))
    assert sorted(reminders) == [7, 30]
    to_person = _reminders("term_ending").filter(person=person)
    to_admin = _reminders("term_ending_admin").filter(person=jaipur_admin)
    channels = to_person.values("channel").distinct().count()
    assert to_person.count() == 2 * channels and to_admin.count() == 2 * channels
    assert "Ramesh" in to_admin.first().body and "Booth representative" in to_person.first().body


def test_an_appointment_made_close_to_its_end_gets_the_nearest_reminder_only(tree):
    today = datetime.date(2026, 6, 1)
    appointment = appoint(tree.booth1, "booth", "representative", term_ends_on=today + datetime.timedelta(days=5))
    assert terms_daily(today=today)["reminded"] == 1
    assert list(TermReminder.objects.filter(appointment=appointment).values_list("days_before", flat=True)) == [7]
    assert terms_daily(today=today + datetime.timedelta(days=1))["reminded"] == 0


def test_no_reminder_for_an_appointment_already_ended_or_without_a_term(tree):
    today = datetime.date(2026, 6, 1)
    ended = appoint(tree.booth1, "booth", "representative", term_ends_on=today + datetime.timedelta(days=5))
    services.appointment_relieve(appointment=ended, reason="moved", end_date=today)
    appoint(tree.booth1, "booth", "volunteer")
    assert terms_daily(today=today) == {"relieved": 0, "reminded": 0}
    assert not OutboxMessage.objects.filter(template__startswith="term_ending").exists()


def test_the_end_of_a_term_relieves_and_takes_the_role_away(tree, cast, settings):
    settings.LOGIN_INVITATIONS = True
    end = datetime.date(2026, 12, 31)
    appointment = services.appointment_create_for_mobile(
        unit=tree.jaipur,
        position=position("district", "in_charge"),
        mobile="+919829011111",
        name_en="Sunita",
        start_date=START,
        by=cast.state_admin,
    )
    Appointment.objects.filter(pk=appointment.pk).update(term_ends_on=end)
    assert GrantedRole.objects.filter(appointment=appointment).exists()
    assert terms_daily(today=end)["relieved"] == 0  # the last day is still in the term
    assert terms_daily(today=end + datetime.timedelta(days=1))["relieved"] == 1
    appointment.refresh_from_db()
    assert (appointment.status, appointment.end_date) == ("relieved", end)
    assert appointment.end_reason
    assert not GrantedRole.objects.exists()
    user = Person.objects.get(mobile="+919829011111").login.user
    assert not RoleAssignment.objects.filter(user=user).exists()
    tree.jaipur.refresh_from_db()
    assert not tree.jaipur.key_post_filled
    assert terms_daily(today=end + datetime.timedelta(days=2))["relieved"] == 0


def test_the_daily_run_includes_the_terms(tree):
    appoint(tree.booth1, "booth", "representative", term_ends_on=datetime.date(2026, 5, 1))
    outcome = {job.name: job for job in run_daily(today=datetime.date(2026, 5, 2), only=["org-terms"])}
    assert outcome["org-terms"].result == {"relieved": 1, "reminded": 0}


# ---------------------------------------------------------------- the list page


def test_the_list_shows_terms_ending_in_the_subtree_by_level(client, tree, cast):
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=20)
    appoint(tree.booth1, "booth", "representative", start=today, term_ends_on=soon)
    appoint(tree.amer, "block", "in_charge", start=today, term_ends_on=soon)
    appoint(tree.ajmer_booth, "booth", "representative", start=today, term_ends_on=soon)
    appoint(tree.booth2, "booth", "representative", start=today, term_ends_on=today + datetime.timedelta(days=300))
    client.force_login(cast.district_admin)
    response = client.get(reverse("org:terms", args=[tree.jaipur.pk]), {"within": "30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Amer School" in page and "Block in-charge" in page
    assert "Kishangarh" not in page  # the sibling district's booth
    assert "Amer Fort Gate" not in page  # beyond 30 days
    assert page.index("Block") < page.index("Booth representative")  # the upper level first
    booth_only = client.get(
        reverse("org:terms", args=[tree.jaipur.pk]), {"within": "30", "level": Level.objects.get(code="booth").pk}
    ).content.decode()
    assert "Amer School" in booth_only and "Block in-charge" not in booth_only


def test_a_sibling_district_cannot_open_the_list(client, tree, cast):
    client.force_login(cast.sibling_admin)
    assert client.get(reverse("org:terms", args=[tree.jaipur.pk])).status_code == 404


@pytest.mark.parametrize("query", [{"within": "abc"}, {"level": "999999"}, {"within": "-1", "level": "x"}])
def test_bad_filters_fall_back_to_the_defaults(client, tree, cast, query):
    client.force_login(cast.district_admin)
    response = client.get(reverse("org:terms", args=[tree.jaipur.pk]), query)
    assert response.status_code == 200
