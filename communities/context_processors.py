from django.conf import settings
from django.http import HttpRequest

TEXT_SIZE_COOKIE = "suqiu_text"


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SUQIU["SITE_NAME"],
        # Rendered on <html> by the server, so large text shows from the first paint.
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
    }
