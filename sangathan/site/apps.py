from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project level: what puts several apps together (``sangathan demo``, the account page). It may
    import any app; no app imports it (the layers in pyproject.toml)."""

    name = "sangathan.site"
    label = "site"
    verbose_name = "Site"
