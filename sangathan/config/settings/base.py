"""Settings for every environment. Values come from environment variables (see config/env.py);
the defaults give the embedded mode: SQLite under var/, eager tasks, console notifications."""

import datetime

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from sangathan.config.env import BASE_DIR, embedded_secret_key, env_bool, env_int, env_list, env_str
from sangathan.config.queues import key_prefix, queue_name, task_queues, task_routes
from sangathan.config.storage import media_origins, media_storage

VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

# From the environment (required in production, see production.py); in the embedded mode made at random on
# the first run and kept in var/secret_key (mode 0600). A published key would let anyone forge signed links.
SECRET_KEY = env_str("SECRET_KEY") or embedded_secret_key(VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sangathan.core",
    "sangathan.org",
    "sangathan.access",
    "sangathan.apitokens",
    "sangathan.notifications",
    "sangathan.verification",
    "sangathan.logins",
    "sangathan.recruitment",
    "sangathan.channels",
    "sangathan.training",
    "sangathan.planning",
    "sangathan.outreach",
    "sangathan.privacy",
    "sangathan.controlroom",
    "sangathan.factcheck",
    "sangathan.membership",
    "sangathan.benchmarks",
    "sangathan.site",  # the project level: `sangathan demo`, the account page
    "sangathan.ops",  # the project level: /healthz, /readyz, /metrics, backups (docs/operations.md)
    "auditlog",
    "sangathan.audit",
]

MIDDLEWARE = [
    # First: the request id for every log line of the request (sangathan/core/requestid.py), then the
    # requests' latencies for Prometheus, measured around everything below (sangathan/ops/middleware.py).
    "sangathan.core.requestid.RequestIdMiddleware",
    "sangathan.ops.middleware.RequestMetricsMiddleware",
    # The heavy pages' GET requests read from the replica when one is configured (sangathan/config/routers.py).
    "sangathan.config.routers.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sangathan.core.middleware.NoStoreByDefaultMiddleware",  # Cache-Control: private, no-store unless public
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (see the block after SECURE_REFERRER_POLICY)
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sangathan.core.middleware.HindiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sangathan.audit.middleware.AuditMiddleware",  # who and from where, for the audit trail
    "django.contrib.messages.middleware.MessageMiddleware",
    "sangathan.access.middleware.SignInPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the "blocked for a while" page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while an account or address is locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out after repeated wrong passwords: per account (from anywhere) and per address (any account).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address behind reverse proxies: PROXY_COUNT is how many proxies of ours stand before the app,
# each appending to X-Forwarded-For; one rule (sangathan/core/clientip.py) for the lock-out, the rate limits
# of the public pages and of the API, and the audit trail. 0 (no proxy): the header is ignored.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "sangathan.core.clientip.client_ip"
RATELIMIT_IP_META_KEY = "sangathan.core.clientip.client_ip_for_rate_limits"  # django-ratelimit's "ip" key
# Look-ups by mobile number for a write (appointing, a trainer's walk-in), per signed-in user: a number outside
# the user's scope gets a neutral answer, and this slows down anyone testing numbers (sangathan/org/lookups.py).
MOBILE_LOOKUP_RATE_USER = env_str("MOBILE_LOOKUP_RATE_USER", "60/h")
# The audit trail (sangathan.audit, docs/adr/0006-audit-trail.md): django-auditlog with our entry model.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# Two-factor sign-in (TOTP) is required for admin roles; anyone may turn it on.
REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Sangathan"
# Sessions: admin roles 30 minutes idle, 12 hours at most; everyone else a week idle, 30 days at most.
ADMIN_SESSION_IDLE = datetime.timedelta(minutes=30)
ADMIN_SESSION_MAX = datetime.timedelta(hours=12)
SESSION_IDLE = datetime.timedelta(days=7)
SESSION_MAX = datetime.timedelta(days=30)
SESSION_COOKIE_AGE = int(SESSION_MAX.total_seconds())
# Sessions in the database with their user's id (logins.models.LoginSession), so relieving an office-bearer or
# suspending a login ends every session of theirs at once.
SESSION_ENGINE = "sangathan.logins.sessions"
# A post that brings a role (logins.defaults, PostRole) gives it on appointment and sends a one-time link,
# valid this many hours, to set a password.
LOGIN_INVITATIONS = env_bool("LOGIN_INVITATIONS", True)
LOGIN_INVITATION_HOURS = env_int("LOGIN_INVITATION_HOURS", 72)

ROOT_URLCONF = "sangathan.config.urls"
WSGI_APPLICATION = "sangathan.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sangathan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sangathan.audit.access.audit_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sangathan.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE makes a writing transaction
    # take the write lock at BEGIN so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# A streaming replica of the primary for the heavy reads (sangathan/config/routers.py, docs/deploy.md): the pages
# named in REPLICA_VIEWS read from it on GET; writes, transactions and everything else use the primary. The test
# suite reads the primary under this name (MIRROR) unless a test points it at a real replica (tests/test_replica.py).
if replica_url := env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    # A replica that does not answer is given up on quickly: its pages are then read from the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["sangathan.config.routers.PrimaryReplicaRouter"]
REPLICA_VIEWS = env_list(
    "REPLICA_VIEWS",
    "controlroom:wall,planning:dashboard,training:coverage,training:camp_export,recruitment:dashboard,"
    "recruitment:export_csv,recruitment:export_xlsx,outreach:report,audit:export",
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "hi"
LANGUAGES = [("hi", _("Hindi")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sangathan" / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["sangathan.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads and generated files: an S3-compatible bucket when S3_BUCKET is set (several web machines), else
# MEDIA_ROOT on this machine (sangathan/config/storage.py).
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Upload limits: unit imports are the largest uploads (a state's booth list is a few MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UNIT_IMPORT_MAX_BYTES = env_int("UNIT_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
UNIT_IMPORT_MAX_ROWS = env_int("UNIT_IMPORT_MAX_ROWS", 250_000)

REDIS_URL = env_str("REDIS_URL", "")
# Two installations may share one Redis: the namespace prefixes every queue name, every key the broker
# writes and every cache key (sangathan/config/queues.py). Letters, digits, "-" and "_".
SANGATHAN_NAMESPACE = env_str("SANGATHAN_NAMESPACE", "sangathan")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it has finished, not when a worker takes it, and a task whose worker
# process died is given back to the queue: nothing is lost with a worker (every task is safe to run twice).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
CELERY_TIMEZONE = TIME_ZONE
# Queues by kind (cascade, intake, outbox, reports, default), each with its own workers; all five declared, so
# a worker started without -Q consumes every one (the per-queue workers of deploy/systemd pass -Q).
CELERY_TASK_QUEUES = task_queues(SANGATHAN_NAMESPACE)
CELERY_TASK_DEFAULT_QUEUE = queue_name(SANGATHAN_NAMESPACE, "default")
CELERY_TASK_ROUTES = task_routes(SANGATHAN_NAMESPACE)
# Redis gives an unacknowledged task (its worker killed outright) to another worker only after the
# visibility timeout, so it must be longer than the longest task, or a task still running would be
# started a second time: 30 minutes against the longest measured (a national daily run, a few minutes;
# a 250,000-row unit import about two). The sweeps below, not this timeout, bring a dead worker's work
# back within two minutes; the redelivered task, when it comes, finds its work done and does nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1800),
    "global_keyprefix": key_prefix(SANGATHAN_NAMESPACE),
}
# Self-healing: beat runs the sweeps every SANGATHAN_SWEEP_SECONDS; a sweep queues again work that has
# been idle (no progress, no live worker's lease) for SANGATHAN_IDLE_SECONDS. A worker killed at any
# point: its work is idle after at most IDLE, found by the next sweep (at most SWEEP later) and done by
# a healthy worker: 45 + 60 s plus the work itself, inside the two minutes promised. Leases (a running
# import, a day's run) are refreshed every third of SANGATHAN_LEASE_SECONDS and lapse that long after
# their worker died, before the work counts as idle.
SANGATHAN_SWEEP_SECONDS = env_int("SANGATHAN_SWEEP_SECONDS", 60)
SANGATHAN_IDLE_SECONDS = env_int("SANGATHAN_IDLE_SECONDS", 45)
SANGATHAN_LEASE_SECONDS = env_int("SANGATHAN_LEASE_SECONDS", 30)
# The operator's "resume" button (a stopped send, a stopped import) shows for work idle this long: by
# then the sweep has tried, and a person may want to act (e.g. after starting a worker on that queue).
SANGATHAN_RESUME_AFTER_SECONDS = env_int("SANGATHAN_RESUME_AFTER_SECONDS", 120)
# Celery beat (production). Embedded mode without beat: `sangathan deliver-outbox --loop 60`,
# `sangathan run-daily` from cron, `sangathan outreach_remind --loop 900`.
CELERY_BEAT_SCHEDULE = {
    # The sweeps: due and stuck outbox messages, stopped sends, stopped imports, a day's run that stopped.
    "sweep-outbox": {"task": "sangathan.notifications.tasks.sweep_outbox", "schedule": SANGATHAN_SWEEP_SECONDS},
    "sweep-sends": {"task": "sangathan.outreach.tasks.sweep_sends", "schedule": SANGATHAN_SWEEP_SECONDS},
    "sweep-unit-imports": {"task": "sangathan.org.tasks.sweep_unit_imports", "schedule": SANGATHAN_SWEEP_SECONDS},
    "sweep-channel-imports": {
        "task": "sangathan.channels.tasks.sweep_channel_imports",
        "schedule": SANGATHAN_SWEEP_SECONDS,
    },
    "sweep-daily": {"task": "sangathan.planning.tasks.sweep_daily_run", "schedule": SANGATHAN_SWEEP_SECONDS},
    "sweep-invitations": {
        "task": "sangathan.training.tasks.sweep_invitations",
        "schedule": SANGATHAN_SWEEP_SECONDS,
    },
    # Forms taken while no worker ran, or whose drain died (each form also queues a drain within a second).
    "drain-submissions": {
        "task": "sangathan.recruitment.tasks.drain_submissions",
        "schedule": SANGATHAN_SWEEP_SECONDS,
    },
    # ... and the office-bearers' daily reports likewise.
    "drain-report-submissions": {
        "task": "sangathan.controlroom.tasks.drain_report_submissions",
        "schedule": SANGATHAN_SWEEP_SECONDS,
    },
    # The daily jobs (plan progress, snapshot, escalation digests, ...; see sangathan/core/daily.py) at 06:00 IST.
    "plan-daily": {
        "task": "sangathan.planning.tasks.run_daily_jobs",
        "schedule": crontab(hour=6, minute=0),
    },
    # Message cascade: reminders to silent units and escalation of urgent messages.
    "outreach-remind": {"task": "sangathan.outreach.tasks.remind_and_escalate", "schedule": 900.0},
    # The fact-check desk: claims past their SLA escalated to the state control room (once).
    "factcheck-escalate": {"task": "sangathan.factcheck.tasks.escalate_overdue", "schedule": 300.0},
    # ... and the WhatsApp/Telegram pictures whose download task was lost queued again.
    "sweep-factcheck-media": {
        "task": "sangathan.factcheck.tasks.sweep_tip_media",
        "schedule": SANGATHAN_SWEEP_SECONDS,
    },
    # The control room's alert rules (a district's rate at 20:00, silent booths, urgent messages) and escalation.
    "controlroom-alerts": {"task": "sangathan.controlroom.tasks.evaluate_alerts", "schedule": 300.0},
}

# Plan escalation: warn in-charges this many days before a deadline; snapshots kept per unit down to this level.
PLAN_ESCALATION_DAYS = env_int("PLAN_ESCALATION_DAYS", 7)
PLAN_SNAPSHOT_LEVEL = env_str("PLAN_SNAPSHOT_LEVEL", "assembly")

# The fact-check matcher's tiers (sangathan/factcheck/matching.py; docs/factcheck.md has the data that chose
# them). A tip is linked to a claim without a person only when its score, its margin over the runner-up
# claim and the length of its normalised text all reach these; below, the desk is offered a suggestion.
FACTCHECK_AUTO_SCORE = float(env_str("FACTCHECK_AUTO_SCORE", "0.55"))
FACTCHECK_AUTO_MARGIN = float(env_str("FACTCHECK_AUTO_MARGIN", "0.35"))
FACTCHECK_AUTO_MIN_CHARS = env_int("FACTCHECK_AUTO_MIN_CHARS", 25)
FACTCHECK_SUGGEST_SCORE = float(env_str("FACTCHECK_SUGGEST_SCORE", "0.45"))
# Tips (factcheck/views_public.py, factcheck/webhooks.py): a tipline request larger than this is refused before
# it is read (four phone photos of ~3 MB each fit), each picture at most FACTCHECK_TIP_IMAGE_MAX_BYTES; a
# webhook body (JSON, no media) at most FACTCHECK_WEBHOOK_MAX_BYTES.
FACTCHECK_TIP_MAX_BYTES = env_int("FACTCHECK_TIP_MAX_BYTES", 16 * 1024 * 1024)
FACTCHECK_TIP_IMAGE_MAX_BYTES = env_int("FACTCHECK_TIP_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
FACTCHECK_WEBHOOK_MAX_BYTES = env_int("FACTCHECK_WEBHOOK_MAX_BYTES", 256 * 1024)
# Pictures (factcheck/images.py): near-duplicates when both Hamming distances (of 64 bits) are within these;
# the labelled set and its precision and recall are in docs/factcheck.md ("Pictures"). Tesseract's time
# per picture is capped (a huge or adversarial picture must not hold a worker).
FACTCHECK_IMAGE_PHASH_MAX = env_int("FACTCHECK_IMAGE_PHASH_MAX", 12)
FACTCHECK_IMAGE_DHASH_MAX = env_int("FACTCHECK_IMAGE_DHASH_MAX", 12)
FACTCHECK_OCR_TIMEOUT_SECONDS = env_int("FACTCHECK_OCR_TIMEOUT_SECONDS", 30)
# The desk's SLA (factcheck/desk.py): hours a claim may sit in each status before it is escalated from its
# district to the state control room (once); a published claim has no clock.
FACTCHECK_SLA_HOURS = {
    "new": env_int("FACTCHECK_SLA_HOURS_NEW", 2),
    "triage": env_int("FACTCHECK_SLA_HOURS_TRIAGE", 4),
    "verifying": env_int("FACTCHECK_SLA_HOURS_VERIFYING", 24),
    "verdict": env_int("FACTCHECK_SLA_HOURS_VERDICT", 4),
}
# The organisation named as the author of the published fact-checks (schema.org ClaimReview).
FACTCHECK_PUBLISHER = env_str("FACTCHECK_PUBLISHER", "Sangathan fact-check desk")
# WhatsApp Cloud API: the app secret signs each delivery (X-Hub-Signature-256); the verify token is the one
# typed into Meta's webhook settings. Telegram: the secret_token given to setWebhook. Empty: webhook refused.
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET", "")
# Pictures sent to those webhooks are downloaded by a task (factcheck/media.py) from WHATSAPP_API_URL and
# TELEGRAM_API_URL with WHATSAPP_TOKEN and TELEGRAM_BOT_TOKEN: each download at most this many seconds in
# all, and this many tries (with backoff, then the sweep) before the picture is marked "could not be fetched".
FACTCHECK_MEDIA_TIMEOUT_SECONDS = float(env_str("FACTCHECK_MEDIA_TIMEOUT_SECONDS", "20"))
FACTCHECK_MEDIA_FETCH_ATTEMPTS = env_int("FACTCHECK_MEDIA_FETCH_ATTEMPTS", 6)
# The only hosts those downloads go to, over https (the lookups and the addresses they answer: WhatsApp's
# short-lived media url is on lookaside.fbsbx.com); an entry with a scheme is one exact origin (the tests'
# local fake, http://127.0.0.1:port). A URL elsewhere is refused: the token never leaves for it.
FACTCHECK_MEDIA_HOSTS_WHATSAPP = env_list("FACTCHECK_MEDIA_HOSTS_WHATSAPP", "graph.facebook.com,lookaside.fbsbx.com")
FACTCHECK_MEDIA_HOSTS_TELEGRAM = env_list("FACTCHECK_MEDIA_HOSTS_TELEGRAM", "api.telegram.org")
# Membership drive (membership/): verified members each booth should have (the target), the term after
# which a membership lapses, and the SMS gateway's missed-call webhook: the secret that signs its reports
# (empty: refused), how old a report may be, and how many calls per number an hour are looked at.
MEMBERSHIP_TARGET_PER_BOOTH = env_int("MEMBERSHIP_TARGET_PER_BOOTH", 100)
MEMBERSHIP_TERM_DAYS = env_int("MEMBERSHIP_TERM_DAYS", 3 * 365)
MEMBERSHIP_MISSED_CALL_SECRET = env_str("MEMBERSHIP_MISSED_CALL_SECRET", "")
MEMBERSHIP_MISSED_CALL_WINDOW = env_int("MEMBERSHIP_MISSED_CALL_WINDOW", 300)
MEMBERSHIP_MISSED_CALL_PER_HOUR = env_int("MEMBERSHIP_MISSED_CALL_PER_HOUR", 10)
# The number people give a missed call to (shown on the code page; empty: the page offers the code only).
MEMBERSHIP_MISSED_CALL_NUMBER = env_str("MEMBERSHIP_MISSED_CALL_NUMBER", "")
# Exotel's Passthru applet reporting missed calls (membership/missed_call_exotel.py): the secret in the
# Passthru URL's Basic credentials (empty: refused) and the ExoPhone calls must come to (empty: any).
MEMBERSHIP_EXOTEL_SECRET = env_str("MEMBERSHIP_EXOTEL_SECRET", "")
MEMBERSHIP_EXOTEL_NUMBER = env_str("MEMBERSHIP_EXOTEL_NUMBER", "")

# The public form reads its campaign, posts and place levels from a per-process copy this many seconds
# old at most (a change to a campaign reaches the form within that time); 0 reads them every time.
RECRUITMENT_PUBLIC_CACHE_SECONDS = env_int("RECRUITMENT_PUBLIC_CACHE_SECONDS", 15)
# A panel may score an interview from this many minutes before its slot (a clock a little fast, an applicant
# taken early); before that only an admin who appoints there can open scoring (audited).
RECRUITMENT_SCORING_EARLY_MINUTES = env_int("RECRUITMENT_SCORING_EARLY_MINUTES", 15)

# The shared cache (rate-limit counters, import progress, drawn posters) is shared by every web process:
# Redis in production; in the embedded mode a SQLite file beside the database (sangathan/core/cache.py),
# as a per-process cache would let each gunicorn worker count its own requests.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": SANGATHAN_NAMESPACE,
        }
        if REDIS_URL
        else {
            "BACKEND": "sangathan.core.cache.SQLiteCache",
            "LOCATION": str(VAR_DIR / "cache.sqlite3"),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    ),
    # {% cache %} fragments (e.g. the public form's thank-you page): small, per process, no round trip.
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sangathan@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sangathan.apitokens.authentication.ApiTokenAuthentication",  # personal tokens, /account/api-tokens/
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Rate limits on the shared cache: per user when signed in (a burst and a sustained rate), per address
    # otherwise (sangathan/apitokens/throttling.py). A rate of None turns that limit off.
    "DEFAULT_THROTTLE_CLASSES": [
        "sangathan.apitokens.throttling.UserBurstThrottle",
        "sangathan.apitokens.throttling.UserSustainedThrottle",
        "sangathan.apitokens.throttling.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user_burst": env_str("API_RATE_USER_BURST", "60/min"),
        "user_sustained": env_str("API_RATE_USER", "1000/hour"),
        "anon": env_str("API_RATE_ANON", "100/hour"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sangathan.core.api.Pagination",
    # JSON only: the browsable API would render every unit in scope into <select> filters.
    # People explore the API at /api/docs/ (Swagger UI).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sangathan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sangathan API",
    "DESCRIPTION": "Organisation tree, people, appointments and coverage. Every answer is limited to "
    "the caller's scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files are served from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a "platform" choice: a channel's and a person's social account.
    "ENUM_NAME_OVERRIDES": {
        "ChannelPlatformEnum": "sangathan.channels.models.Platform",
        "SocialAccountPlatformEnum": "sangathan.org.models.SocialAccount.Platform",
        "ApplicationStatusEnum": "sangathan.recruitment.models.Application.Status",
        "MilestoneKindEnum": "sangathan.planning.kinds.choices",  # the registered kinds too
        "ClaimStatusEnum": "sangathan.factcheck.models.Status",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp, docs/security.md). Every script is a file of this site: no inline
# <script> (a test scans the templates; data reaches scripts in data- attributes or json_script), no
# eval, no CDN, no nonces. Inline styles stay allowed: the coloured bars set their width in a
# style="width:..%" attribute and a few pages carry a <style> block; CSS cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # data: for the QR code of the two-factor set-up and Swagger UI's icons; the bucket's origins with S3.
        "img-src": ["'self'", "data:", *media_origins()],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy (django-permissions-policy): device features no page here uses are off, also for
# anything injected. The copy buttons need clipboard-write, which stays at its default (this site).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

# Logs on standard error, one line per record, each with the request's id (sangathan/core/requestid.py):
# LOG_FORMAT=json writes JSON objects (python-json-logger) for a log collector, "text" (default) for people.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sangathan.core.requestid.RequestIdLogFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(task_id)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,  # Hindi stays readable in the log
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The console notification channel writes messages here: visible in the embedded mode.
    "loggers": {"sangathan.notifications": {"level": env_str("NOTIFY_LOG_LEVEL", "INFO")}},
}
# Celery's workers and beat keep this configuration (one format, the task's id on each line of a task) instead
# of replacing the root logger's handlers with their own; their level is LOG_LEVEL's, not `celery -l`'s.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Operations (sangathan/ops, docs/operations.md). /readyz answers from a per-process copy this many seconds old
# at most. /metrics answers a bearer token (METRICS_TOKEN) or an address in METRICS_ALLOWED_IPS (addresses
# or networks, comma-separated; the client address as core.clientip tells it); neither set: nobody.
READYZ_CACHE_SECONDS = env_int("READYZ_CACHE_SECONDS", 1)
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "")
# Several processes on a machine (gunicorn's workers, Celery's pool): each keeps its counters in a file in this
# directory, and /metrics adds them up (prometheus-client reads the variable itself too, at import).
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")
# Error reports to a Sentry-compatible service when SENTRY_DSN is set (off by default; never personal data).
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = env_str("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0"))

# Notifications: every message goes through the outbox table and is delivered by a task.
# Channels: console (default: the log), file, email, sms, whatsapp, telegram.
NOTIFY_DEFAULT_CHANNELS = env_list("NOTIFY_DEFAULT_CHANNELS", "console")
NOTIFY_FILE_DIR = env_str("NOTIFY_FILE_DIR", str(VAR_DIR / "outbox"))
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY", "")
SMS_SENDER_ID = env_str("SMS_SENDER_ID", "SNGTHN")
WHATSAPP_API_URL = env_str("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_TOKEN = env_str("WHATSAPP_TOKEN", "")
TELEGRAM_API_URL = env_str("TELEGRAM_API_URL", "https://api.telegram.org")
TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN", "")

# Official accounts' numbers (channels.platforms): the APIs' base URLs (tests point them at local fakes) and the
# Fernet keys that encrypt each channel's API token (first encrypts, all decrypt; empty: derived from SECRET_KEY).
X_API_URL = env_str("X_API_URL", "https://api.x.com")
META_GRAPH_URL = env_str("META_GRAPH_URL", "https://graph.facebook.com/v21.0")
YOUTUBE_API_URL = env_str("YOUTUBE_API_URL", "https://www.googleapis.com/youtube/v3")
CHANNEL_CREDENTIAL_KEYS = env_list("CHANNEL_CREDENTIAL_KEYS", "")

# Control room scorecards: a unit needs attention when its overall score (0-100) stayed below the score in each
# of the last weeks (controlroom.scorecards.needs_attention).
CONTROLROOM_ATTENTION_WEEKS = env_int("CONTROLROOM_ATTENTION_WEEKS", 3)
CONTROLROOM_ATTENTION_SCORE = env_int("CONTROLROOM_ATTENTION_SCORE", 40)
# Control room alerts: more than this many units found by one rule under one parent unit (booths of a block)
# make one summary alert on the parent instead of one each; the level of that parent ("" = each unit's parent).
CONTROLROOM_ALERT_SUMMARY_OVER = env_int("CONTROLROOM_ALERT_SUMMARY_OVER", 10)
CONTROLROOM_ALERT_SUMMARY_LEVEL = env_str("CONTROLROOM_ALERT_SUMMARY_LEVEL", "")
# Control room daily report: seconds a web process keeps a report link's appointment once the page has read it
# (the POST that follows is then one INSERT; a post ended meanwhile is refused by the worker, not lost).
CONTROLROOM_REPORT_LINK_CACHE_SECONDS = env_int("CONTROLROOM_REPORT_LINK_CACHE_SECONDS", 120)
