from django.urls import path

from . import views

urlpatterns = [
    path("petitions/new/", views.petition_new, name="petition-new"),
    path("petitions/filed/", views.petition_filed, name="petition-filed"),
    path("petitions/track/", views.petition_track_page, name="petition-track"),
    path("petitions/status/<str:code>/", views.petition_status, name="petition-status"),
    path("petitions/status/<str:code>/<str:kind>/", views.petition_feedback, name="petition-feedback"),
    path("staff/petitions/", views.staff_inbox, name="staff-inbox"),
    path("staff/petitions/new/", views.staff_intake, name="staff-intake"),
    path("staff/petitions/<int:pk>/", views.staff_petition, name="staff-petition"),
    path("staff/petitions/<int:pk>/attachments/<int:attachment_id>/", views.staff_attachment,
         name="staff-attachment"),
    path("staff/petitions/<int:pk>/summon/", views.staff_summon, name="staff-summon"),
    path("staff/petitions/<int:pk>/<str:action>/", views.staff_action, name="staff-action"),
]
