"""A camp whose invitation task died with its worker: the sweep queues it again, once per idle period, and the
task sends each invitation once (issue 17)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from sangathan.notifications.models import OutboxMessage
from sangathan.training import sweeps, tasks
from sangathan.training.models import Invitation

pytestmark = pytest.mark.django_db


def test_a_camp_whose_invitation_task_was_lost_is_queued_again(camp, sibling_camp):
    cache.clear()  # the sweeps' claims live in the cache, which outlives each test
    # ``camp``'s task ran; ``sibling_camp``'s was queued on a commit nobody ran: lost with its worker.
    Invitation.objects.update(invited_at=timezone.now() - datetime.timedelta(minutes=5))
    queued: list[int] = []
    assert sweeps.invitations_sweep(queued.append) == 1
    assert queued == [sibling_camp.pk]
    assert sweeps.invitations_sweep(queued.append) == 0  # once per idle period

    tasks.send_invitations(sibling_camp.pk)
    tasks.send_invitations(sibling_camp.pk)  # the redelivered message, later: nothing twice
    invitations = Invitation.objects.filter(camp=sibling_camp)
    keys = [f"training:invite:{invitation.pk}:console" for invitation in invitations]
    assert invitations.exists() and OutboxMessage.objects.filter(idempotency_key__in=keys).count() == len(keys)
    assert sweeps.camps_with_unsent_invitations() == []


def test_invitations_made_a_moment_ago_are_left_to_their_task(sibling_camp):
    cache.clear()
    assert sweeps.camps_with_unsent_invitations() == []
