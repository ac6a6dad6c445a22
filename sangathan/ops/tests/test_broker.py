"""A Celery worker survives a lost Redis: the kombu 5.7.0 error that ended it, reproduced, and its guard
(``sangathan/config/celery.py``, ``survive_a_lost_broker``; issue 17).

The worker's order on a lost connection is: the broken connection is collected (its transport's ``client``
becomes None), then the task consumer's channel is closed, which gives its unacknowledged messages back and
needs a connection for it. The tests make that state on a real Redis with a message taken and not
acknowledged, and close the channel as the worker does. ``tests/chaos/test_redis_restarted.py`` is the whole
story with a real worker process, Redis killed under load.
"""

import uuid

import kombu
import pytest
import redis
from kombu import Connection, Exchange, Queue
from kombu.transport import redis as kombu_redis

from sangathan.config.celery import GUARDED_KOMBU, survive_a_lost_broker

pytestmark = pytest.mark.worker


@pytest.fixture
def taken(redis_broker):
    """A channel holding a message it took and did not acknowledge, on a connection collected as after a lost
    broker; the unacked index's key; the names to clean up."""
    prefix = f"sangathan-broker-test-{uuid.uuid4().hex[:8]}:"
    connection = Connection(redis_broker, transport_options={"global_keyprefix": prefix})
    name = f"{prefix}tasks"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with connection.Producer() as producer:
        producer.publish({"n": 1}, exchange=queue.exchange, routing_key=name, declare=[queue])
    channel = connection.channel()
    got = []
    consumer = kombu.Consumer(channel, [queue], callbacks=[lambda body, message: got.append(message)])
    consumer.consume()
    while not got:
        connection.drain_events(timeout=5)
    assert len(channel.qos._delivered) == 1  # taken, not acknowledged
    # What Connection.collect() leaves (kombu/connection.py, _do_close_transport) before the consumer's
    # channel is closed: the transport without its connection's address.
    connection._do_close_transport()
    yield channel, f"{prefix}{channel.unacked_key}"
    client = redis.Redis.from_url(redis_broker)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def test_unguarded_kombu_ends_the_worker_with_an_attribute_error(taken, monkeypatch):
    """The error of the load scenario, reproduced: not one of the transport's connection errors, so Celery's
    consumer does not ignore it and the worker exits."""
    channel, _unacked = taken
    monkeypatch.setattr(kombu_redis.Channel, "_connparams", kombu_redis.Channel._connparams.__wrapped__)
    with pytest.raises(AttributeError, match="hostname") as raised:
        channel.close()
    assert not isinstance(raised.value, tuple(kombu_redis.Transport.connection_errors))


def test_guarded_the_lost_connection_is_a_connection_error_and_the_message_stays_in_redis(taken, redis_broker):
    channel, unacked = taken
    survive_a_lost_broker()  # a second call changes nothing
    with pytest.raises(tuple(kombu_redis.Transport.connection_errors)):  # what the consumer ignores while closing
        channel.close()
    # The message is still in the unacked index: kombu gives it back after the visibility timeout.
    assert redis.Redis.from_url(redis_broker).hlen(unacked) == 1


def test_the_guard_is_looked_at_again_when_kombu_changes():
    assert kombu.__version__ == GUARDED_KOMBU, (
        f"kombu is {kombu.__version__}: check whether it still ends a worker on a lost Redis "
        "(test_unguarded_kombu_ends_the_worker_with_an_attribute_error) and keep, change or remove "
        "survive_a_lost_broker in sangathan/config/celery.py, then set GUARDED_KOMBU"
    )


def test_a_worker_waits_for_redis_as_long_as_it_takes():
    """Celery's default gives up after 100 tries (about 47 minutes) and the worker exits."""
    from sangathan.config.celery import app

    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_retry and app.conf.broker_connection_retry_on_startup
