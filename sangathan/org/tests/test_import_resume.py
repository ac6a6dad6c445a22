"""An import whose worker died: the sweep queues it again once its lease has lapsed, a second task while a
live worker holds it does nothing, and the job's page offers "resume" to whoever may import there (issue 17)."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.core.leases import lease
from sangathan.org import import_jobs, tasks
from sangathan.org.models import Unit, UnitImportJob
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

CSV = (
    b"state,district,ac_no,ac_name,block,booth_no,booth_name\n"
    b"Rajasthan,Ajmer,99,Ajmer South,Kishangarh,2,Kishangarh Station\n"
    b"Rajasthan,Ajmer,99,Ajmer South,Kishangarh,3,Kishangarh Bazaar\n"
)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # leases and the sweeps' claims live in the cache, which outlives each test


@pytest.fixture
def queued(monkeypatch):
    """(task name, job id) of each task queued, instead of running it."""
    calls: list[tuple[str, int]] = []
    for task in (tasks.check_unit_import, tasks.run_unit_import):
        monkeypatch.setattr(
            task, "delay", lambda job_id, name=task.name: calls.append((name.rsplit(".", 1)[1], job_id))
        )
    return calls


def stopped_job(tree, by, *, status="running", minutes: int = 10) -> UnitImportJob:
    """A confirmed import of Ajmer's booths whose worker died ``minutes`` ago."""
    job = UnitImportJob.objects.create(
        root=tree.ajmer, content=CSV, original_name="ajmer.csv", created_by=by, status=status, checked_ok=True
    )
    UnitImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))
    return UnitImportJob.objects.get(pk=job.pk)


def test_the_sweep_queues_a_stopped_import_once(cast, tree, queued):
    running = stopped_job(tree, cast.state_admin)
    checking = stopped_job(tree, cast.state_admin, status="checking")
    stopped_job(tree, cast.state_admin, status="done")
    assert import_jobs.unit_import_jobs_sweep() == 2
    assert sorted(queued) == sorted([("run_unit_import", running.pk), ("check_unit_import", checking.pk)])
    assert import_jobs.unit_import_jobs_sweep() == 0  # once per idle period


def test_the_sweep_leaves_an_import_a_live_worker_holds(cast, tree, queued):
    job = stopped_job(tree, cast.state_admin)
    with lease(f"unit-import:{job.pk}") as held:
        assert held
        assert import_jobs.unit_import_jobs_sweep() == 0
        units = Unit.objects.count()
        import_jobs.unit_import_job_run(job_id=job.pk)  # a second task meanwhile does nothing
        assert Unit.objects.count() == units
    assert queued == []


def test_a_stopped_import_run_again_adds_each_unit_once(cast, tree):
    job = stopped_job(tree, cast.state_admin)
    units = Unit.objects.count()
    import_jobs.unit_import_job_run(job_id=job.pk)
    import_jobs.unit_import_job_run(job_id=job.pk)
    assert UnitImportJob.objects.get(pk=job.pk).status == "done"
    assert Unit.objects.count() == units + 2


def test_the_job_page_offers_resume_and_resumes(client, cast, tree, django_capture_on_commit_callbacks):
    job = stopped_job(tree, cast.state_admin, minutes=1)
    log_in(client, cast.state_admin)
    page, resume = reverse("org_import:job", args=[job.pk]), reverse("org_import:resume", args=[job.pk])
    assert resume not in client.get(page).content.decode()  # stopped, but not for two minutes yet
    UnitImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=3))
    content = client.get(page).content.decode()
    assert resume in content and "Resume the import" in content
    units = Unit.objects.count()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly
        assert client.post(resume).status_code == 302
    assert UnitImportJob.objects.get(pk=job.pk).status == "done"
    assert Unit.objects.count() == units + 2
    entry = AuditEntry.objects.get(additional_data__bulk="import_resumed")
    assert entry.actor == cast.state_admin and entry.object_pk == str(job.pk)


def test_a_sibling_districts_admin_cannot_resume(client, cast, tree, queued):
    job = stopped_job(tree, cast.state_admin)  # an import under Ajmer
    log_in(client, cast.district_admin)  # Jaipur's admin
    assert client.post(reverse("org_import:resume", args=[job.pk])).status_code == 404
    assert client.get(reverse("org_import:job", args=[job.pk])).status_code == 404
    assert queued == []
    assert not AuditEntry.objects.filter(additional_data__bulk="import_resumed").exists()
    assert UnitImportJob.objects.get(pk=job.pk).status == "running"


def test_ajmers_admin_sees_the_import_but_may_not_resume_it(client, cast, tree, queued):
    job = stopped_job(tree, cast.state_admin)
    log_in(client, cast.sibling_admin)  # Ajmer's unit admin: no right to import
    assert client.post(reverse("org_import:resume", args=[job.pk])).status_code == 403
    assert (
        reverse("org_import:resume", args=[job.pk])
        not in client.get(reverse("org_import:job", args=[job.pk])).content.decode()
    )
    assert queued == []


def test_resuming_an_import_that_has_not_stopped_changes_nothing(client, cast, tree, queued):
    job = stopped_job(tree, cast.state_admin, minutes=0)
    log_in(client, cast.state_admin)
    response = client.post(reverse("org_import:resume", args=[job.pk]), follow=True)
    assert "has not stopped" in response.content.decode()
    assert queued == []
