"""Fixtures of the control-room tests: the fixed cast's tree with a key office-bearer at every unit."""

import datetime
from types import SimpleNamespace

import pytest

from sangathan.org import services as org_services
from sangathan.org.models import Appointment, Position
from sangathan.org.tests.factories import PersonFactory

UNITS = (
    "rajasthan",
    "jaipur",
    "ajmer",
    "jaipur_ac",
    "ajmer_ac",
    "amer",
    "kishangarh",
    "booth1",
    "booth2",
    "ajmer_booth",
)
STARTED = datetime.date(2026, 1, 1)


@pytest.fixture
def bearers(tree):
    """The key appointment of every unit from the state down, by unit attribute name (appointed on 1 Jan)."""
    result = {}
    for name in UNITS:
        unit = getattr(tree, name)
        appointment = org_services.appointment_create(
            unit=unit,
            position=Position.objects.get(level=unit.level, is_key=True),
            person=PersonFactory(name_en=f"In-charge {name}", name_hi=f"प्रभारी {name}"),
            start_date=STARTED,
        )
        result[name] = Appointment.objects.select_related("unit", "person").get(pk=appointment.pk)
    return SimpleNamespace(**result)
