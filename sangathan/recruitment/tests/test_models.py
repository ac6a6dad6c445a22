"""Checks on the recruitment models themselves."""

import datetime

import pytest
from django.core import checks
from django.utils import timezone


@pytest.mark.parametrize("hour", [11, 17])
def test_the_interview_hours_pass_the_checks_at_any_time_of_day(hour, monkeypatch):
    """A fixed time default makes Django's fields.W161 fire within ten seconds of that time of day, which
    once failed `check --deploy` in CI at 17:00."""
    at = datetime.datetime(2026, 12, 4, hour, 0, 3, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: at)
    assert not [message for message in checks.run_checks() if message.id == "fields.W161"]
