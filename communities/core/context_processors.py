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
        from communities.people import access

        return access.sees_red_notices(self.user)


    @cached_property
    def mediation(self) -> bool:
        from communities.people import access

        return bool(access.committee_paths(self.user))


    @cached_property
    def unread(self) -> int:
        from communities.notifications.services import unread_count

        return unread_count(self.user)

    @cached_property
    def sms_log(self) -> bool:
        from communities.notifications.services import may_read_sms_log

        return may_read_sms_log(self.user)

    @cached_property
    def staff(self) -> bool:
        from communities.people import access

        return access.is_staff_member(self.user)

    @cached_property
    def supervises(self) -> bool:
        from communities.people import access

        return access.supervises_anything(self.user)


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SUQIU["SITE_NAME"],
        # Rendered on <html> by the server, so large text shows from the first paint.
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "nav": Nav(request.user),
    }
