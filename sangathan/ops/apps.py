from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations, at the project level: ``/healthz``, ``/readyz``, ``/metrics``, Celery's task counters, the
    optional error reporting, ``sangathan backup`` and ``sangathan restore`` (docs/operations.md). It reads
    other apps (the outbox's backlog); no app imports it."""

    name = "sangathan.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from sangathan.ops import errors, signals  # the apps are loaded only now (the outbox's model)

        signals.connect()
        errors.start_reporting()
