import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from sangathan.recruitment.models import Application, Campaign, InterviewSlot


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_builds_a_state_a_drive_and_logins_and_can_run_twice():
    call_command("demo", stdout=None)
    assert Campaign.objects.filter(slug="rj-2026").count() == 1
    assert Application.objects.count() == 10
    assert InterviewSlot.objects.count() == 6
    users = get_user_model().objects
    assert users.get(username="rajasthan").check_password("sangathan-demo-2026")
    assert users.get(username="panel1").panels.exists()
    call_command("demo", stdout=None)
    assert Campaign.objects.count() == 1 and Application.objects.count() == 10
