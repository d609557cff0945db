from django.urls import path

from . import grid_views, resident_views
from petitions.supervision import views as sv
from . import views

urlpatterns = [
    path("petitions/new/", views.petition_new, name="petition-new"),
    path("petitions/filed/", views.petition_filed, name="petition-filed"),
    path("snapshot/", grid_views.snapshot_new, name="snapshot-new"),
    path("staff/patrol/", grid_views.patrol_report, name="patrol-report"),
    path("petitions/track/", views.petition_track_page, name="petition-track"),
    path("petitions/lost-code/", resident_views.petition_lost_code, name="petition-lost-code"),
    path("petitions/status/<str:code>/", views.petition_status, name="petition-status"),
    path("petitions/status/<str:code>/<str:kind>/", views.petition_feedback, name="petition-feedback"),
    path("staff/petitions/", views.staff_inbox, name="staff-inbox"),
    path("staff/petitions/new/", views.staff_intake, name="staff-intake"),
    path("staff/petitions/<int:pk>/", views.staff_petition, name="staff-petition"),
    path("staff/petitions/<int:pk>/attachments/<int:attachment_id>/", views.staff_attachment,
         name="staff-attachment"),
    path("staff/petitions/<int:pk>/attachments/<int:attachment_id>/thumbnail.jpg", views.staff_attachment_thumbnail,
         name="staff-attachment-thumbnail"),
    path("staff/petitions/<int:pk>/summon/", views.staff_summon, name="staff-summon"),
    path("dashboard/", sv.dashboard_page, name="dashboard"),
    path("scores/communities/", sv.community_league_page, name="community-league"),
    path("alerts/", sv.alerts_page, name="alerts"),
    path("review/", sv.review_page, name="review"),
    path("rates/", sv.rates_page, name="rates"),
    path("alerts/<int:pk>/acknowledge/", sv.alert_acknowledge, name="alert-acknowledge"),
    path("risk-map/", sv.risk_map, name="risk-map"),
    path("risk-map/data.json", sv.risk_map_data, name="risk-map-data"),
    path("risk-map/regions/<str:code>/", sv.risk_region, name="risk-region"),
    path("staff/petitions/<int:pk>/<str:action>/", views.staff_action, name="staff-action"),
]
