from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlRoomConfig(AppConfig):
    name = "sangathan.controlroom"
    label = "controlroom"
    verbose_name = _("Control room")
