from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities and the service network")

    def ready(self) -> None:
        from communities.core.security import _connect_axes_signals

        _connect_axes_signals()
        # Each process keeps users' grants (communities.people.access.held_by): any change to a grant, a
        # role, a group membership, a region or a service point makes every process read them again.
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from guardian.models import GroupObjectPermission, UserObjectPermission

        from communities.people import access
        from .models import Region, RoleAssignment, ServicePoint, User

        for model in (UserObjectPermission, GroupObjectPermission, RoleAssignment, Region, ServicePoint):
            post_save.connect(access.on_grants_change, sender=model, dispatch_uid=f"grants-save-{model.__name__}")
            post_delete.connect(access.on_grants_change, sender=model, dispatch_uid=f"grants-delete-{model.__name__}")
        m2m_changed.connect(access.on_grants_change, sender=User.groups.through, dispatch_uid="grants-groups")
        # Who holds a seat is kept per process too (communities.notifications.recipients.kept_holders).
        post_save.connect(access.on_user_change, sender=User, dispatch_uid="grants-user-save")
        post_delete.connect(access.on_grants_change, sender=User, dispatch_uid="grants-user-delete")
        from django.core.signals import request_finished, request_started

        from communities.core import versions

        request_started.connect(access.new_request, dispatch_uid="grants-new-request")
        request_started.connect(versions.request_started, dispatch_uid="version-tokens-request-started")
        request_finished.connect(versions.request_finished, dispatch_uid="version-tokens-request-finished")
