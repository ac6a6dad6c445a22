"""Celery's queues by kind, and the namespace that lets two installations share one Redis.

Each kind of work has a queue of its own, so that a national cascade (tens of chunk tasks of seconds each)
never delays a one-time code or a form, and each queue gets its own workers (docs/architecture.md,
"Background work"):

    cascade   the message cascade's chunks                       (outreach.tasks.send_chunk)
    intake    the public forms' drains: applications, daily reports  (recruitment.tasks.drain_submissions,
              controlroom.tasks.drain_report_submissions)
    outbox    SMS, WhatsApp and e-mail deliveries, one-time codes (notifications.tasks.deliver_*)
    reports   long batch work: unit, office-bearer and channel imports, the daily run, plan recounts, the control room's
              daily roll-up
    default   everything else: training invitations and reminders, and the sweeps, which must never wait
              behind a long import or cascade

Every queue name is ``<namespace>.<kind>``; the namespace also prefixes every key the broker writes
(``global_keyprefix``) and every cache key (``KEY_PREFIX``). Pure functions of the namespace, read by the
settings and by the test fixture that gives each test process a namespace of its own.

All five queues are declared (``CELERY_TASK_QUEUES``), so a worker started without ``-Q`` consumes every one of
them (without the declaration it would consume the default queue only, and a small installation's single
worker would leave the cascade, the forms and the one-time codes waiting). ``-Q`` picks among them.
"""

from kombu import Exchange, Queue

KINDS = ("cascade", "intake", "outbox", "reports", "default")

# Task name -> kind. A task not listed goes to the default queue.
TASK_KINDS = {
    "sangathan.outreach.tasks.send_chunk": "cascade",
    "sangathan.recruitment.tasks.drain_submissions": "intake",
    "sangathan.controlroom.tasks.drain_report_submissions": "intake",
    "sangathan.notifications.tasks.deliver_message": "outbox",
    "sangathan.notifications.tasks.deliver_messages": "outbox",
    "sangathan.org.tasks.check_unit_import": "reports",
    "sangathan.org.tasks.run_unit_import": "reports",
    "sangathan.org.tasks.check_officebearer_import": "reports",
    "sangathan.org.tasks.run_officebearer_import": "reports",
    "sangathan.channels.tasks.check_channel_import": "reports",
    "sangathan.channels.tasks.run_channel_import": "reports",
    "sangathan.channels.tasks.fetch_channel_numbers": "reports",  # an official account's numbers from its API
    "sangathan.membership.tasks.run_member_import": "reports",  # a sheet of paper-form members
    "sangathan.planning.tasks.run_daily_jobs": "reports",
    "sangathan.planning.tasks.refresh_progress": "reports",
    "sangathan.controlroom.tasks.refresh_day": "reports",  # a day's roll-up of every activity report
    "sangathan.controlroom.tasks.send_report_links": "reports",  # every key office-bearer's link into the outbox
    "sangathan.controlroom.tasks.make_state_report": "reports",  # a state's daily or weekly PDF and XLSX
    "sangathan.controlroom.tasks.evaluate_alerts": "reports",  # the alert rules over the whole tree, escalation
}


def queue_name(namespace: str, kind: str) -> str:
    return f"{namespace}.{kind}" if namespace else kind


def queue_names(namespace: str) -> list[str]:
    """Every queue of the installation (what a worker that does everything listens to)."""
    return [queue_name(namespace, kind) for kind in KINDS]


def task_queues(namespace: str) -> tuple[Queue, ...]:
    """The installation's queues as Celery declares them: each on a direct exchange of its own name, bound by
    its name (what Celery makes of a queue a route names but no declaration lists)."""
    return tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in queue_names(namespace))


def task_routes(namespace: str) -> dict[str, dict[str, str]]:
    return {task: {"queue": queue_name(namespace, kind)} for task, kind in TASK_KINDS.items()}


def key_prefix(namespace: str) -> str:
    """The prefix of every Redis key the broker writes (kombu's ``global_keyprefix``)."""
    return f"{namespace}:" if namespace else ""
