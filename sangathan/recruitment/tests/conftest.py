"""A campaign for Rajasthan, open now, recruiting booth representatives and district in-charges."""

import datetime

import pytest
from django.utils import timezone

from sangathan.org.tests.factories import position
from sangathan.recruitment import services
from sangathan.recruitment.models import Rubric
from sangathan.recruitment.template import DEFAULT_NOTICE_EN, DEFAULT_NOTICE_HI, load_default_rubric


@pytest.fixture
def rubric(db):
    from sangathan.recruitment.models import Criterion

    return load_default_rubric(Rubric, Criterion)


@pytest.fixture
def campaign(tree, cast, rubric):
    now = timezone.now()
    return services.campaign_create(
        scope_unit=tree.rajasthan,
        title_hi="संगठन सृजन अभियान",
        title_en="Organisation-building drive",
        slug="rj-2026",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        rubric=rubric,
        positions=[(position("booth", "representative"), 100), (position("district", "in_charge"), 2)],
        reference_prefix="RJ-2026",
        notice_hi=DEFAULT_NOTICE_HI,
        notice_en=DEFAULT_NOTICE_EN,
        by=cast.state_admin,
    )


def form_data(campaign, tree, **overrides):
    """What the public form hands to ``application_submit`` after cleaning."""
    data = {
        "applied_for": campaign.positions.get(position__code="representative"),
        "home_unit": tree.booth1,
        "mobile": "98290 55555",
        "name_hi": "सीमा मीणा",
        "name_en": "Seema Meena",
        "email": "",
        "age": 27,
        "gender": "female",
        "occupation": "Teacher",
        "education": "B.A.",
        "languages": ["hi", "en"],
        "social_accounts": [{"platform": "x", "handle": "@seema", "followers": 1500}],
        "statement": "मैं संगठन के लिए काम करना चाहती हूँ।",
        "writing_sample": "हर बूथ हो मजबूत!",
    }
    data.update(overrides)
    return data


@pytest.fixture
def submit(campaign, tree):
    counter = iter(range(1, 10_000))

    def _submit(**overrides):
        token = overrides.pop("token", f"t-{next(counter)}")
        return services.application_submit(campaign=campaign, token=token, data=form_data(campaign, tree, **overrides))

    return _submit


@pytest.fixture(autouse=True)
def scoring_open_all_day(settings):
    """The interview days of these tests are today, with slots at every hour of it, and the tests score
    whenever they run: here scoring opens two days before a slot. test_scoring_window.py tests the window
    with the real margin."""
    settings.RECRUITMENT_SCORING_EARLY_MINUTES = 2 * 24 * 60
