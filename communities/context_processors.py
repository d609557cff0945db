from functools import cached_property

from django.conf import settings
from django.http import HttpRequest

TEXT_SIZE_COOKIE = "suqiu_text"


class Nav:
    """Which role-bound sections the header offers; worked out only when a template asks."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def red_notices(self) -> bool:
        from .roles import departments_with_perm, region_paths_with_perm

        if not self.user.is_authenticated:
            return False
        return bool(region_paths_with_perm(self.user, "issue_red_notice")
                    or region_paths_with_perm(self.user, "supervise")
                    or departments_with_perm(self.user).exists())


    @cached_property
    def mediation(self) -> bool:
        from .roles import region_paths_with_perm

        return bool(self.user.is_authenticated and region_paths_with_perm(self.user, "mediate"))


    @cached_property
    def supervises(self) -> bool:
        from .roles import region_paths_with_perm

        return bool(self.user.is_authenticated and region_paths_with_perm(self.user, "supervise"))


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SUQIU["SITE_NAME"],
        # Rendered on <html> by the server, so large text shows from the first paint.
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "nav": Nav(request.user),
    }
