"""Training fixtures: the default programme, appointees in Amer (block) and Kishangarh, a camp at Amer."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from sangathan.org import services as org_services
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.training import services
from sangathan.training.models import Invitation, Module, Programme
from sangathan.training.template import load_default_programme

# A fixed moment for the camp windows: tests pass ``at=`` instead of reading the clock.
MONDAY = datetime.date(2026, 12, 7)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def code_of(camp, person) -> str:
    """The personal check-in code of ``person``'s invitation to ``camp`` (as in their invitation message)."""
    return Invitation.objects.get(camp=camp, person=person).check_in_code


def url_of(camp) -> str:
    """The camp's public check-in page (what its QR code opens)."""
    return reverse("training_public:check_in", args=[camp.check_in_token])


@pytest.fixture
def programme(db):
    return load_default_programme(Programme, Module)


@pytest.fixture
def people(tree):
    """Amer's block in-charge and two booth representatives; Kishangarh's block in-charge."""
    amer_in_charge = PersonFactory(name_hi="रमेश मीणा", name_en="Ramesh Meena", home_unit=tree.amer)
    booth1_rep = PersonFactory(name_hi="सीमा शर्मा", name_en="Seema Sharma", home_unit=tree.booth1)
    booth2_rep = PersonFactory(name_hi="अजय सैनी", name_en="Ajay Saini", home_unit=tree.booth2)
    kishangarh_in_charge = PersonFactory(name_hi="गीता रावत", name_en="Geeta Rawat", home_unit=tree.kishangarh)
    org_services.appointment_create(unit=tree.amer, position=position("block", "in_charge"), person=amer_in_charge)
    org_services.appointment_create(unit=tree.booth1, position=position("booth", "representative"), person=booth1_rep)
    org_services.appointment_create(unit=tree.booth2, position=position("booth", "representative"), person=booth2_rep)
    org_services.appointment_create(
        unit=tree.kishangarh, position=position("block", "in_charge"), person=kishangarh_in_charge
    )
    return SimpleNamespace(
        amer_in_charge=amer_in_charge,
        booth1_rep=booth1_rep,
        booth2_rep=booth2_rep,
        kishangarh_in_charge=kishangarh_in_charge,
    )


@pytest.fixture
def camp(tree, cast, programme, people, django_capture_on_commit_callbacks):
    """A whole-programme camp at Amer on Monday 10:00–17:00, its appointees invited."""
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="ब्लॉक कार्यालय, आमेर",
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 17),
        by=cast.district_admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_generate(camp=camp, by=cast.district_admin)
    return camp


@pytest.fixture
def sibling_camp(tree, cast, programme, people):
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.kishangarh,
        venue="ब्लॉक कार्यालय, किशनगढ़",
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 17),
        by=cast.sibling_admin,
    )
    services.invitations_generate(camp=camp, by=cast.sibling_admin)
    return camp


@pytest.fixture
def clear_rate_limits():
    """The public pages count requests in the cache: every test starts (and leaves) with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live_camp(tree, programme, people):
    """A camp at Amer running now (relative to the clock, so the page's own "now" is inside its window)."""
    now = timezone.now()
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="ब्लॉक कार्यालय, आमेर",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=4),
    )
    services.invitations_generate(camp=camp)
    return camp
