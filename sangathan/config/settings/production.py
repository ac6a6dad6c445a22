"""Production settings: refuse to start without what production needs."""

from django.core.exceptions import ImproperlyConfigured

from sangathan.config.env import env_bool, env_int, env_str, secret_key_problem
from sangathan.config.settings.base import *  # noqa: F403

for required in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL"):
    if not env_str(required):
        raise ImproperlyConfigured(f"{required} must be set in production.")
# Production signs with its own key from the environment: never the embedded file, a published or a short one.
if problem := secret_key_problem(env_str("SECRET_KEY")):
    raise ImproperlyConfigured(problem)

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer's probes and Prometheus may ask over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405 - S3 when S3_BUCKET is set (config/storage.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
