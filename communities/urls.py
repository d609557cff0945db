from django.urls import path

from communities.notifications import views as nv
from communities.red_notices import views as rnv
from communities.scoring import views as score_views
from . import views

urlpatterns: list = [
    path("start/", views.landing, name="landing"),
    path("preferences/text-size/", views.text_size, name="text-size"),
    path("service-points/near/", views.find_service_point, name="find-service-point"),
    path("notifications/", nv.notification_list, name="notifications"),
    path("notifications/read-all/", nv.notification_read_all, name="notifications-read-all"),
    path("notifications/sms/", nv.sms_log_page, name="sms-log"),
    path("notifications/<int:pk>/", nv.notification_open, name="notification-open"),
    path("scores/departments/", score_views.department_league, name="department-league"),
    path("scores/departments/<str:code>/<str:period>/", score_views.department_score, name="department-score"),
    path("red-notices/", rnv.red_notice_list, name="red-notices"),
    path("red-notices/new/", rnv.red_notice_new, name="red-notice-new"),
    path("red-notices/<int:pk>/", rnv.red_notice_detail, name="red-notice"),
    path("red-notices/<int:pk>/print/", rnv.red_notice_print, name="red-notice-print"),
    path("red-notices/<int:pk>.pdf", rnv.red_notice_pdf, name="red-notice-pdf"),
    path("red-notices/<int:pk>/attachments/<int:attachment_id>/", rnv.red_notice_attachment,
         name="red-notice-attachment"),
    path("red-notices/<int:pk>/<str:action>/", rnv.red_notice_action, name="red-notice-action"),
]
