from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "sangathan.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from sangathan.access import middleware  # noqa: F401 - connects the sign-in clock to user_logged_in
        from sangathan.access.checks import check_scope_declarations  # reads the models: loaded only now

        checks.register(check_scope_declarations, checks.Tags.models)
