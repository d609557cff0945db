from django.urls import path

from . import views

urlpatterns = [
    path("mediation/cases/", views.case_list, name="mediation-cases"),
    path("mediation/cases/new/", views.case_new, name="mediation-case-new"),
    path("mediation/cases/<int:pk>/", views.case_detail, name="mediation-case"),
    path("mediation/cases/<int:pk>/agreement/print/", views.agreement_print, name="mediation-agreement-print"),
    path("mediation/cases/<int:pk>/agreement.pdf", views.agreement_pdf_view, name="mediation-agreement-pdf"),
    path("mediation/cases/<int:pk>/<str:action>/", views.case_action, name="mediation-case-action"),
    path("mediation/stats/", views.stats, name="mediation-stats"),
]
