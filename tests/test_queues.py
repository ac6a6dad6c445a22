"""Queues by kind, the namespace that lets two installations share one Redis, and the settings every task
runs with (issue 17)."""

import threading

import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from sangathan.config.celery import app
from sangathan.config.queues import KINDS, TASK_KINDS, key_prefix, queue_name, queue_names, task_routes
from sangathan.testing import celery_namespace, forget_namespace, process_namespace

ran: list[tuple[str, str]] = []
ran_event = threading.Event()
ran_lock = threading.Lock()


@app.task(name="tests.note_namespace")
def note_namespace(namespace: str, label: str) -> None:
    with ran_lock:
        ran.append((namespace, label))
    ran_event.set()


def project_tasks():
    app.loader.import_default_modules()  # every app's tasks module, as a worker imports them at its start
    return {name: task for name, task in app.tasks.items() if name.startswith("sangathan.")}


def test_every_task_is_acknowledged_late_and_given_back_when_its_worker_dies():
    assert project_tasks()
    for name, task in project_tasks().items():
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name


def test_every_route_and_every_beat_entry_names_a_task():
    app.loader.import_default_modules()
    for name in TASK_KINDS:
        assert name in app.tasks, name
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
    assert set(TASK_KINDS.values()) <= set(KINDS)


def test_each_kind_of_work_goes_to_its_own_queue():
    routes = task_routes("party")
    assert routes["sangathan.outreach.tasks.send_chunk"] == {"queue": "party.cascade"}
    assert routes["sangathan.notifications.tasks.deliver_message"] == {"queue": "party.outbox"}
    assert routes["sangathan.recruitment.tasks.drain_submissions"] == {"queue": "party.intake"}
    assert routes["sangathan.org.tasks.run_unit_import"] == {"queue": "party.reports"}
    # The sweeps never wait behind a long import or cascade.
    for sweep in ("sangathan.outreach.tasks.sweep_sends", "sangathan.org.tasks.sweep_unit_imports"):
        assert sweep not in routes
    assert queue_name("party", "default") == "party.default" and key_prefix("party") == "party:"


def test_the_settings_namespace_every_queue_and_key():
    namespace = settings.SANGATHAN_NAMESPACE
    assert queue_name(namespace, "default") == settings.CELERY_TASK_DEFAULT_QUEUE
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == key_prefix(namespace)
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 1800


def test_the_settings_declare_all_five_queues_with_the_namespace():
    declared = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    assert declared == queue_names(settings.SANGATHAN_NAMESPACE)
    assert [name.rsplit(".", 1)[1] for name in declared] == list(KINDS)
    for queue in settings.CELERY_TASK_QUEUES:
        assert queue.exchange.name == queue.routing_key == queue.name


def test_a_worker_started_without_q_consumes_every_queue(celery_redis_worker):
    """The fixture's worker is given no queues (no -Q): a task sent to each of the five is run."""
    namespace = process_namespace()
    assert {queue.name for queue in celery_redis_worker.consumer.task_consumer.queues} == set(queue_names(namespace))
    with ran_lock:
        ran.clear()
    for kind in KINDS:
        note_namespace.apply_async((namespace, kind), queue=queue_name(namespace, kind))
    for _ in range(300):  # at most 30 s; each wait ends as soon as a task has run
        with ran_lock:
            if len(ran) == len(KINDS):
                break
            ran_event.clear()
        ran_event.wait(timeout=0.1)
    with ran_lock:
        assert sorted(ran) == sorted((namespace, kind) for kind in KINDS)


def test_two_namespaces_on_one_redis_do_not_take_each_others_tasks(redis_broker):
    """Installation A queues a task while only installation B's worker runs: B never takes it (it runs its
    own), and A's task waits in A's queue until A's worker takes it."""
    first, second = f"{process_namespace()}-a", f"{process_namespace()}-b"
    for namespace in (first, second):
        forget_namespace(redis_broker, namespace)
    ran.clear()
    try:
        with celery_namespace(redis_broker, first):
            note_namespace.delay(first, "queued in A")
        client = redis.Redis.from_url(redis_broker)
        a_queue = key_prefix(first) + queue_name(first, "default")
        assert client.llen(a_queue) == 1

        with celery_namespace(redis_broker, second) as queues:
            ran_event.clear()
            note_namespace.delay(second, "queued in B")
            with start_worker(app, pool="solo", queues=queues, perform_ping_check=False, loglevel="WARNING"):
                assert ran_event.wait(timeout=30), "B's worker did not run B's task"
        assert ran == [(second, "queued in B")]
        assert client.llen(a_queue) == 1  # still waiting for A's worker

        with celery_namespace(redis_broker, first) as queues:
            ran_event.clear()
            with start_worker(app, pool="solo", queues=queues, perform_ping_check=False, loglevel="WARNING"):
                assert ran_event.wait(timeout=30), "A's worker did not run A's task"
        assert ran == [(second, "queued in B"), (first, "queued in A")]
    finally:
        for namespace in (first, second):
            forget_namespace(redis_broker, namespace)
