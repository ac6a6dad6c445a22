"""``sangathan metrics-serve``: the Prometheus endpoint of a machine with Celery workers and no web process.

It serves what every process of the machine counted in ``PROMETHEUS_MULTIPROC_DIR`` (the workers' task
counters and run times) on ``--address``:``--port`` (127.0.0.1:9101 unless told; open the port to the
monitoring system only, as for ``/metrics``). On a machine with a web process, ``/metrics`` already does it.
"""

import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from prometheus_client import CollectorRegistry, multiprocess, start_http_server


class Command(BaseCommand):
    help = "Serve the machine's Celery task metrics (PROMETHEUS_MULTIPROC_DIR) for Prometheus."

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9101)

    def handle(self, *args, address, port, **options):
        if not settings.PROMETHEUS_MULTIPROC_DIR:
            raise CommandError("PROMETHEUS_MULTIPROC_DIR is not set: the workers' metrics are in no shared place.")
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        start_http_server(port, addr=address, registry=registry)
        self.stdout.write(f"Serving the metrics of {settings.PROMETHEUS_MULTIPROC_DIR} on {address}:{port}")
        threading.Event().wait()
