"""The cascade's chaos helpers, shared by the tests that kill a worker or stop a server in the middle of a send
(``test_worker_killed.py``, ``test_redis_restarted.py``, ``test_postgresql_restarted.py``, ``test_acceptance.py``):
the small state's shape, a send from the state to every booth, the books of that send and the timing line each
test prints. Kept here so that no test module imports another."""

from django.db.models import Count, Sum

from sangathan.notifications.models import OutboxMessage
from sangathan.org import seeding
from sangathan.org.models import Level, Unit
from sangathan.outreach import services as outreach
from sangathan.outreach.models import Delivery, Message, Rollup
from sangathan.outreach.selectors import key_office_bearers, subtree_range

# A small state: 16 districts (16 chunks of ≈77 units), 1,228 units below the state. The suite's time is the
# limit (all chaos tests in about a minute on a quiet machine); the state-sized send is the acceptance check's.
SHAPE = seeding.Shape(
    states=1, chain=(("district", 16), ("assembly", 16), ("block", 32), ("mandal", 64), ("booth", 1100))
)


def report(what: str, seconds: float, since: str = "the new worker and beat started") -> None:
    print(f"\nchaos: {what}: done {seconds:.1f} s after {since}")  # noqa: T201


def send_to_every_booth(state, admin) -> Message:
    """A message from the state to every booth: 16 chunk tasks queued in the test's namespace."""
    message = outreach.message_create(
        unit=state,
        target_level=Level.objects.get(code="booth"),
        by=admin,
        title="Chaos",
        body_hi="सभी बूथ ध्यान दें।",
        text_whatsapp="ध्यान दें",
    )
    outreach.message_send(message=message, by=admin)
    return message


def assert_sent_once_to_every_unit(message: Message, state: Unit) -> None:
    units = Unit.objects.filter(path__startswith=state.path).exclude(pk=state.pk)
    expected = units.count()
    message.refresh_from_db()
    deliveries = Delivery.objects.filter(message=message)
    assert deliveries.count() == expected == message.deliveries_total
    assert not deliveries.values("unit").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert set(deliveries.values_list("unit_id", flat=True)) == set(units.values_list("pk", flat=True))
    # The roll-ups count each unit once: the districts' rows add up to every delivery.
    districts = Rollup.objects.filter(message=message, path__in=units.filter(depth=state.depth + 1).values("path"))
    assert districts.aggregate(n=Sum("total"))["n"] == expected
    # One notification per unit's key office-bearer, none twice.
    low, high = subtree_range(state.path)
    recipients = key_office_bearers(list(units.values_list("pk", flat=True)), low=low, high=high)
    sent = OutboxMessage.objects.filter(idempotency_key__startswith=f"outreach:{message.pk}:")
    assert recipients and sent.count() == len(recipients)
