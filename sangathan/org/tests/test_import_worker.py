"""The web import through a real Celery worker and the Redis broker, as in production."""

import io
import os

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import default_storage
from django.urls import reverse

from sangathan.config.celery import app
from sangathan.org.models import Unit, UnitImportJob
from sangathan.org.selectors import coverage_for_unit, naive_coverage

BROKER = "redis://127.0.0.1:6379/15"
CSV = (
    b"state,district,ac_no,ac_name,block,booth_no,booth_name\n"
    b"Rajasthan,Kota,150,Kota North,Ladpura,1,Ladpura School\n"
    b"Rajasthan,Kota,150,Kota North,Ladpura,2,Ladpura Mandi\n"
    b"Rajasthan,Kota,151,Kota South,Sangod,1,Sangod Chowk\n"
)


@pytest.fixture
def redis_worker():
    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (`make test` starts it).")
    # A queue of its own, so parallel test processes never take each other's messages.
    queue = f"sangathan-test-{os.getpid()}"
    redis.Redis.from_url(BROKER).delete(queue)
    previous = {
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=queue)
    _forget_connections()
    try:
        with start_worker(
            app, pool="solo", queues=[queue], perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20
        ):
            yield
    finally:
        app.conf.update(**previous)
        _forget_connections()


def _forget_connections() -> None:
    """Drop the connection and producer pools made for the previous broker (eager runs make them too)."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(job_id: int, timeout: float = 30.0) -> UnitImportJob:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = UnitImportJob.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job.status}")


@pytest.mark.django_db(transaction=True)
def test_confirmed_import_runs_on_the_worker(client, cast, tree, redis_worker):
    rajasthan = tree.rajasthan
    client.force_login(cast.state_admin)
    file = io.BytesIO(CSV)
    file.name = "kota.csv"
    client.post(reverse("org_import:upload"), {"root": rajasthan.pk, "file": file})
    client.get(reverse("org_import:preview"))
    token = client.session["unit_import"]["token"]
    response = client.post(reverse("org_import:confirm"), {"token": token})
    job = UnitImportJob.objects.get()
    assert response.url == reverse("org_import:job", args=[job.pk])

    job = wait_for(job.pk)
    assert job.status == "done", job.errors
    assert Unit.objects.filter(name_en="Kota", parent=rajasthan).exists()
    assert Unit.objects.filter(level__code="booth", parent__name_en__in=["Ladpura", "Sangod"]).count() == 3
    assert not default_storage.exists(job.file_name)
    for unit in (tree.india, rajasthan):
        unit.refresh_from_db()
        fast = sorted((r.level.id, r.units_total, r.units_key_filled) for r in coverage_for_unit(unit))
        assert fast == sorted(naive_coverage(unit))
    page = client.get(reverse("org_import:job", args=[job.pk]))
    assert page.status_code == 200 and "hx-trigger" not in page.content.decode()  # finished: no more polling


@pytest.mark.django_db(transaction=True)
def test_running_the_task_twice_imports_once(cast, tree, redis_worker):
    from sangathan.org.import_jobs import unit_import_job_create
    from sangathan.org.tasks import run_unit_import

    name = default_storage.save("imports/twice", io.BytesIO(CSV))
    job = unit_import_job_create(root=tree.rajasthan, file_name=name, original_name="twice.csv", by=cast.state_admin)
    wait_for(job.pk)
    units = Unit.objects.count()
    run_unit_import.apply(args=[job.pk])  # a redelivered message runs the task again
    assert Unit.objects.count() == units
    assert UnitImportJob.objects.get(pk=job.pk).status == "done"
