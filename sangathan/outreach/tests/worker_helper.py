"""Run by test_worker.py in subprocesses (a real Celery worker on Redis, as in production).

    python -m sangathan.outreach.tests.worker_helper queue NAMESPACE MESSAGE_ID USERNAME
    python -m sangathan.outreach.tests.worker_helper worker NAMESPACE [--die-on-chunk N]

NAMESPACE is the test's ``SANGATHAN_NAMESPACE`` (also in the environment the settings read): its queues and
broker keys are the test's own.

``--die-on-chunk N``: the worker SIGKILLs itself in the middle of the N-th chunk it writes, after the
INSERT … SELECT of its deliveries and before the commit, as a machine losing power would.
"""

import os
import signal
import sys

import django


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangathan.config.settings.base")
    django.setup()
    from sangathan.config.celery import app
    from sangathan.config.queues import queue_names

    mode, namespace = argv[0], argv[1]
    assert os.environ.get("SANGATHAN_NAMESPACE") == namespace
    app.conf.update(task_always_eager=False, broker_url=os.environ["REDIS_URL"])
    if mode == "queue":
        from django.contrib.auth import get_user_model

        from sangathan.outreach import services
        from sangathan.outreach.models import Message

        user = get_user_model().objects.get(username=argv[3])
        services.message_send(message=Message.objects.get(pk=int(argv[2])), by=user)
        return
    if "--die-on-chunk" in argv:
        from sangathan.outreach.services import cascade  # chunk_write calls the materialise of its module

        die_on = int(argv[argv.index("--die-on-chunk") + 1])
        original = cascade.materialise
        calls = {"n": 0}

        def materialise_then_die(**kwargs):
            written = original(**kwargs)
            calls["n"] += 1
            if calls["n"] == die_on:
                os.kill(os.getpid(), signal.SIGKILL)
            return written

        cascade.materialise = materialise_then_die
    app.worker_main(
        [
            "worker",
            "-Q",
            ",".join(queue_names(namespace)),
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1:])
