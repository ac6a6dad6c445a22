"""Factories for org models. Units are made through the service so paths and counters stay true."""

import itertools

import factory
from django.contrib.auth import get_user_model

from sangathan.org import services
from sangathan.org.models import Level, Person, Position, Unit

_mobiles = itertools.count(1)


def level(code: str) -> Level:
    return Level.objects.get(code=code)


def position(level_code: str, code: str) -> Position:
    return Position.objects.get(level__code=level_code, code=code)


def make_unit(parent: Unit | None, level_code: str, name_en: str, number: int | None = None, name_hi: str = "") -> Unit:
    return services.unit_create(
        parent=parent, level=level(level_code), name_en=name_en, name_hi=name_hi or name_en, number=number
    )


def next_mobile() -> str:
    return f"+9197{next(_mobiles):08d}"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name_en = factory.Sequence(lambda n: f"Person {n}")
    name_hi = factory.Sequence(lambda n: f"व्यक्ति {n}")
    mobile = factory.LazyFunction(next_mobile)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")
