"""Where uploads and generated files live: Django's default storage (``STORAGES["default"]``).

Everything the application keeps as a file (an outreach message's picture, the control room's PDF and XLSX
reports) is written and read through Django's storage API (``FileField``, ``default_storage``), never by a
local path, so the storage decides where the bytes are:

- ``S3_BUCKET`` set: an S3-compatible bucket (AWS S3, MinIO, Ceph, a provider's object storage) through
  django-storages. Every web and worker machine reads and writes the same files, so the web may run on
  several machines. The bucket stays private: a page links a file by a signed URL valid
  ``S3_URL_SECONDS``.
- unset (the embedded mode, a single machine): files under ``MEDIA_ROOT`` on this machine's disk.

Unit and channel imports keep the uploaded file in the database (``UnitImportJob.content``,
``ChannelImport.content``), where the worker that runs the import reads it: they need no shared storage.
"""

from urllib.parse import urlsplit

from sangathan.config.env import env_int, env_str

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_SYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"


def media_storage() -> dict:
    """The ``STORAGES["default"]`` entry the environment asks for."""
    bucket = env_str("S3_BUCKET")
    if not bucket:
        return {"BACKEND": FILE_SYSTEM_BACKEND}
    endpoint = env_str("S3_ENDPOINT_URL") or None  # None: AWS itself
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": env_str("S3_REGION") or None,
            # Unset: boto3's own chain (an instance role, ~/.aws); a key in the environment otherwise.
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            # Other S3-compatible servers (MinIO, Ceph) answer bucket names in the path, not the host name.
            "addressing_style": env_str("S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto"),
            "signature_version": "s3v4",
            "location": env_str("S3_PREFIX"),  # a folder of the bucket, e.g. when installations share one
            "default_acl": None,  # the bucket's own policy: private
            "querystring_auth": True,  # links are signed and expire
            "querystring_expire": env_int("S3_URL_SECONDS", 3600),
            "file_overwrite": False,  # a second file of the same name gets a suffix, as on the local disk
        },
    }


def media_origins() -> list[str]:
    """Where browsers fetch the files from, for the Content-Security-Policy's ``img-src``: the bucket's
    origins with S3, none besides the site itself without."""
    options = media_storage().get("OPTIONS")
    if not options:
        return []
    bucket, endpoint, style = options["bucket_name"], options["endpoint_url"], options["addressing_style"]
    if endpoint:
        parts = urlsplit(endpoint)
        host = f"{bucket}.{parts.netloc}" if style == "virtual" else parts.netloc
        return [f"{parts.scheme}://{host}"]
    region = options["region_name"]
    origins = [f"https://{bucket}.s3.amazonaws.com", "https://s3.amazonaws.com"]
    if region:
        origins += [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]
    return origins
