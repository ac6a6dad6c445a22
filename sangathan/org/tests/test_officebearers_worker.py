"""The office-bearers web import through a real Celery worker and the Redis broker, as in production."""

import io
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from sangathan.org.models import Appointment, OfficeBearerImportJob


def wait_for(job_id: int, until, timeout: float = 30.0) -> OfficeBearerImportJob:
    """Poll the job until ``until`` holds; a read refused while the worker's thread writes to the shared
    in-memory SQLite database ("table is locked") is tried again."""
    deadline = time.monotonic() + timeout
    job = None
    while time.monotonic() < deadline:
        try:
            job = OfficeBearerImportJob.objects.get(pk=job_id)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        else:
            if until(job):
                return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not get there: {job.status if job else 'never read'}")


@pytest.mark.django_db(transaction=True)
def test_checked_and_imported_on_the_worker(client, cast, tree, celery_redis_worker, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # no session row writes
    client.force_login(cast.district_admin)
    content = (
        f"unit id,post,name,mobile\n{tree.booth1.pk},Booth representative,Ramesh,9812345601\n"
        f"{tree.amer.pk},Block in-charge,Mohan,9812345603\n"
    ).encode()
    file = io.BytesIO(content)
    file.name = "bearers.csv"
    client.post(reverse("org:officebearers_upload", args=[tree.jaipur.pk]), {"file": file})
    job = OfficeBearerImportJob.objects.get()
    job = wait_for(job.pk, until=lambda job: job.status == "uploaded")
    assert job.checked_ok and job.report["appointed"] == 2
    assert not Appointment.objects.exists()  # the check wrote nothing
    client.post(reverse("org:officebearers_confirm", args=[job.pk]))
    job = wait_for(job.pk, until=lambda job: job.finished)
    assert job.status == "done", job.errors
    assert Appointment.objects.filter(status="active").count() == 2 and bytes(job.content) == b""
