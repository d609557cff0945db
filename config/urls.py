from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from communities import views as community_views
from communities.people.auth_api import TokenView

api_patterns = [
    # The residents' paths first: Django tries the patterns in order, and the communities' router
    # adds some thirty before them.
    path("", include("petitions.api_urls")),
    path("", include("communities.api_urls")),
    path("", include("mediation.api_urls")),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP). Swagger
    # UI injects its own <style>: this page alone allows inline styles.
    path("docs/", csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", community_views.healthz, name="healthz"),
]

# Pages: the language is chosen by cookie/Accept-Language, not by URL prefix, so the
# addresses residents share and print stay the same in every language.
urlpatterns += [
    path("", community_views.home, name="home"),
    path("", include("communities.urls")),
    path("", include("petitions.urls")),
    path("", include("mediation.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

# Errors answer in JSON under /api/ and as a page elsewhere, wherever they are raised.
handler400 = "communities.core.http_errors.bad_request"
handler403 = "communities.core.http_errors.permission_denied"
handler404 = "communities.core.http_errors.page_not_found"
handler500 = "communities.core.http_errors.server_error"
