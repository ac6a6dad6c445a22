"""The web import through a real Celery worker and the Redis broker, as in production."""

import io
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from sangathan.org.models import Unit, UnitImportJob
from sangathan.org.selectors import coverage_for_unit, naive_coverage

CSV = (
    b"state,district,ac_no,ac_name,block,booth_no,booth_name\n"
    b"Rajasthan,Kota,150,Kota North,Ladpura,1,Ladpura School\n"
    b"Rajasthan,Kota,150,Kota North,Ladpura,2,Ladpura Mandi\n"
    b"Rajasthan,Kota,151,Kota South,Sangod,1,Sangod Chowk\n"
)


def wait_for(job_id: int, timeout: float = 30.0, until=lambda job: job.finished) -> UnitImportJob:
    """Poll the job until ``until`` holds. On the in-memory SQLite database shared with the worker's
    thread a read while the worker writes fails at once with "table is locked" (shared-cache locks do
    not wait): that read is simply tried again."""
    deadline = time.monotonic() + timeout
    job = None
    while time.monotonic() < deadline:
        try:
            job = UnitImportJob.objects.get(pk=job_id)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        else:
            if until(job):
                return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job.status if job else 'never read'}")


@pytest.mark.django_db(transaction=True)
def test_confirmed_import_runs_on_the_worker(client, cast, tree, celery_redis_worker, settings):
    # The worker runs in a thread on the same in-memory SQLite database, whose table locks do not wait:
    # a session row saved while the task writes would fail. Keep this test's session in a cookie.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    rajasthan = tree.rajasthan
    client.force_login(cast.state_admin)
    file = io.BytesIO(CSV)
    file.name = "kota.csv"
    client.post(reverse("org_import:upload"), {"root": rajasthan.pk, "file": file})
    job = UnitImportJob.objects.get()
    wait_for(job.pk, until=lambda job: job.status == "uploaded")  # the worker checks the file
    assert f'name="job" value="{job.pk}"' in client.get(reverse("org_import:preview")).content.decode()
    response = client.post(reverse("org_import:confirm"), {"job": job.pk})
    assert response.url == reverse("org_import:job", args=[job.pk])

    job = wait_for(job.pk)
    assert job.status == "done", job.errors
    assert Unit.objects.filter(name_en="Kota", parent=rajasthan).exists()
    assert Unit.objects.filter(level__code="booth", parent__name_en__in=["Ladpura", "Sangod"]).count() == 3
    assert bytes(job.content) == b""
    for unit in (tree.india, rajasthan):
        unit.refresh_from_db()
        fast = sorted((r.level.id, r.units_total, r.units_key_filled) for r in coverage_for_unit(unit))
        assert fast == sorted(naive_coverage(unit))
    page = client.get(reverse("org_import:job", args=[job.pk]))
    assert page.status_code == 200 and "hx-trigger" not in page.content.decode()  # finished: no more polling


@pytest.mark.django_db(transaction=True)
def test_running_the_task_twice_imports_once(cast, tree, celery_redis_worker):
    from sangathan.org.import_jobs import unit_import_job_confirm, unit_import_job_upload
    from sangathan.org.tasks import run_unit_import

    job = unit_import_job_upload(root=tree.rajasthan, content=CSV, original_name="twice.csv", by=cast.state_admin)
    job = wait_for(job.pk, until=lambda job: job.status == "uploaded")
    assert job.checked_ok
    unit_import_job_confirm(job=job, by=cast.state_admin)
    wait_for(job.pk)
    units = Unit.objects.count()
    run_unit_import.apply(args=[job.pk])  # a redelivered message runs the task again
    assert Unit.objects.count() == units
    assert UnitImportJob.objects.get(pk=job.pk).status == "done"
