"""The daily escalation: one digest per person per day, to the unit's in-charge and the parent's."""

import pytest
from django.core.management import call_command

from sangathan.core import daily
from sangathan.notifications.models import OutboxMessage
from sangathan.planning import progress, services
from sangathan.planning.escalation import escalate
from sangathan.planning.tests.helpers import D, appoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree, cast):
    return services.plan_create(scope=tree.rajasthan, year=2026, by=cast.state_admin)


def digests(today):
    return OutboxMessage.objects.filter(idempotency_key__startswith=f"plan-digest:{today.isoformat()}:")


def test_one_digest_per_person_per_day(tree, plan, settings):
    settings.NOTIFY_DEFAULT_CHANNELS = ["console"]
    block_head = appoint(tree.amer)  # parent of booths 1 and 2: both unappointed, both late
    rep = appoint(tree.booth1)  # booth 1 appointed, not trained: late on training
    jaipur_head = appoint(tree.jaipur)
    today = D(2026, 6, 20)
    progress.refresh(today=today)
    result = escalate(today=today)
    messages = digests(today)
    by_person = {m.person_id: m for m in messages}
    assert len(messages) == len(by_person)  # one per person
    assert block_head.person_id in by_person  # two late booths below it: one message
    assert rep.person_id in by_person
    assert jaipur_head.person_id in by_person  # its own unit is late on training
    assert result.queued == len(messages)
    body = by_person[block_head.person_id].body
    assert "2" in body
    # Run again the same day: nothing new.
    again = escalate(today=today)
    assert again.queued == 0 and again.skipped == result.recipients
    assert digests(today).count() == len(messages)
    # The next day: a new digest.
    escalate(today=D(2026, 6, 21))
    assert digests(D(2026, 6, 21)).count() == len(messages)


def test_only_late_or_soon(tree, plan, settings):
    settings.NOTIFY_DEFAULT_CHANNELS = ["console"]
    head = appoint(tree.jaipur)
    progress.refresh(today=D(2026, 3, 1))
    # District deadline 31 Mar is 30 days ahead: nothing within 7 days for Jaipur's in-charge.
    escalate(today=D(2026, 3, 1), days=7)
    assert not digests(D(2026, 3, 1)).filter(person_id=head.person_id).exists()
    progress.refresh(today=D(2026, 3, 26))
    escalate(today=D(2026, 3, 26), days=7)  # district training due 15 Apr is 20 days away; appointment met
    assert not digests(D(2026, 3, 26)).filter(person_id=head.person_id).exists()
    progress.refresh(today=D(2026, 4, 10))
    escalate(today=D(2026, 4, 10), days=7)  # training due 15 Apr: within 7 days
    message = digests(D(2026, 4, 10)).get(person_id=head.person_id)
    assert message.language == "hi"


def test_digest_in_hindi(tree, plan, settings):
    settings.NOTIFY_DEFAULT_CHANNELS = ["console"]
    block_head = appoint(tree.amer)
    progress.refresh(today=D(2026, 6, 20))
    escalate(today=D(2026, 6, 20))
    body = digests(D(2026, 6, 20)).get(person_id=block_head.person_id).body
    assert "देर" in body or "समय" in body


def test_run_daily_command_runs_every_job(tree, plan, settings, capsys):
    settings.NOTIFY_DEFAULT_CHANNELS = ["console"]
    appoint(tree.amer)
    calls = []
    daily.register("test-job", lambda *, today: calls.append(today) or "ok", order=99)
    try:
        call_command("run_daily", "--date", "2026-06-20")
    finally:
        daily._JOBS.pop("test-job")
    out = capsys.readouterr().out
    assert "plan-progress" in out and "plan-escalation" in out and "test-job" in out
    assert calls == [D(2026, 6, 20)]
    assert digests(D(2026, 6, 20)).exists()
    call_command("run_daily", "--date", "2026-06-20")  # again: no new messages
    assert digests(D(2026, 6, 20)).count() == len({m.person_id for m in digests(D(2026, 6, 20))})


def test_a_failing_job_does_not_stop_the_others(tree, plan):
    def broken(*, today):
        raise RuntimeError("boom")

    daily.register("broken", broken, order=1)
    try:
        outcomes = daily.run_daily(today=D(2026, 6, 20))
    finally:
        daily._JOBS.pop("broken")
    assert [o.name for o in outcomes if o.error] == ["broken"]
    assert any(o.name == "plan-escalation" and not o.error for o in outcomes)
