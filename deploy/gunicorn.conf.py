"""gunicorn's configuration for a real installation (docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py sangathan.config.wsgi

The systemd unit (deploy/systemd/sangathan-web.service) runs exactly this; nginx (deploy/nginx/sangathan.conf)
proxies to the address below. Anything here can be overridden on the command line (``--bind``, ``--workers``)
or in ``GUNICORN_CMD_ARGS``; ``WEB_CONCURRENCY`` sets the number of worker processes.
"""

import multiprocessing
import os

# Loopback only: nginx stands in front (TLS, static files, upload limits, X-Forwarded-For). Another machine's
# load balancer reaches the web through that machine's nginx, never gunicorn directly.
bind = ["127.0.0.1:8000"]
# Synchronous workers: every request is short (the long work is Celery's). 2 x cores + 1 is gunicorn's advice.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A worker stuck longer than this is killed and replaced (a unit import's upload is checked in the request,
# then run by a task: nothing legitimate takes 30 s here).
timeout = 30
graceful_timeout = 30
# nginx keeps connections to its clients; to gunicorn it opens one per request.
keepalive = 2
# A worker is replaced after this many requests (with jitter, so they do not restart together): a slow leak
# never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Load the application once in the master, then fork: faster starts and shared memory. Database connections
# are opened per request by Django, never in the master, so nothing is shared across the fork.
preload_app = True
# The request line and headers: the same limits as gunicorn's defaults, stated (nginx's are looser).
limit_request_line = 8190
limit_request_fields = 100
# Logs to standard error (journald under systemd); the access log carries the request id nginx sends.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'
# Behind nginx on loopback: trust the X-Forwarded-* headers it sets (Django's client address itself comes from
# sangathan/core/clientip.py and PROXY_COUNT, not from gunicorn).
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "sangathan-web"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (docs/operations.md, "Several processes"), a dead worker's live gauges
    are removed from the machine's sum; its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # only with multiprocess metrics on

        multiprocess.mark_process_dead(worker.pid)
