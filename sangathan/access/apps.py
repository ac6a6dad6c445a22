from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "sangathan.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from sangathan.access import middleware  # noqa: F401 - connects the sign-in clock to user_logged_in
