"""Fixtures of the outreach tests: the fixed cast's tree with an in-charge at every unit, and a message."""

from types import SimpleNamespace

import pytest

from sangathan.org import services as org_services
from sangathan.org.models import Level, Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.outreach import services


@pytest.fixture
def in_charges(tree):
    """The key office-bearer of every unit below the state, by unit attribute name."""
    people = {}
    for name in ("jaipur", "ajmer", "jaipur_ac", "ajmer_ac", "amer", "kishangarh", "booth1", "booth2", "ajmer_booth"):
        unit = getattr(tree, name)
        person = PersonFactory(name_en=f"In-charge {name}", name_hi=f"प्रभारी {name}")
        org_services.appointment_create(
            unit=unit, position=Position.objects.get(level=unit.level, is_key=True), person=person
        )
        people[name] = person
    return SimpleNamespace(**people)


def draft(*, unit, by, level="booth", **fields):
    values = {"title": "Booth meeting on Sunday", "body_hi": "रविवार को बूथ बैठक है।", "text_whatsapp": "रविवार बैठक!"}
    values.update(fields)
    return services.message_create(unit=unit, target_level=Level.objects.get(code=level), by=by, **values)


@pytest.fixture
def make_draft():
    return draft


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send a message and run what is queued on commit (the chunk tasks, eagerly)."""

    def run(message, by, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.message_send(message=message, by=by, **kwargs)

    return run
