from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities and the service network")

    def ready(self) -> None:
        from .security import _connect_axes_signals

        _connect_axes_signals()
