from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SUQIU["SITE_NAME"]}
