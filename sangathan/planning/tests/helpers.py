"""Small builders for the planning tests: appointments, completions and channels made the real way."""

import datetime

from sangathan.channels.models import Channel
from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.training.models import Completion, Programme

D = datetime.date


def appoint(unit, *, key: bool = True, person=None):
    position = Position.objects.filter(level_id=unit.level_id, is_key=key).order_by("order", "id").first()
    person = person or PersonFactory(home_unit=unit)
    return org_services.appointment_create(unit=unit, position=position, person=person)


def train(person, code: str = "digital-wing-basics"):
    programme = Programme.objects.filter(code=code).first() or Programme.objects.create(code=code, name_hi=code)
    return Completion.objects.create(person=person, programme=programme)


def channels(unit, platforms=("whatsapp_group", "whatsapp_broadcast")):
    for platform in platforms:
        link = "" if platform == "whatsapp_broadcast" else f"https://chat.whatsapp.com/{unit.pk}x{platform}"
        Channel.objects.create(unit=unit, platform=platform, name=f"{unit.name_en} {platform}", link=link)
