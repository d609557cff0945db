from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def rated_petitions_of_notices(notice_ids: list[int]) -> list[tuple[int, str, int]]:
    """Residents' ratings of the petitions these red notices were issued for (for department scores)."""
    from .models import PetitionRedNotice

    return list(PetitionRedNotice.objects.filter(notice_id__in=notice_ids, petition__rating__isnull=False)
                .values_list("petition_id", "petition__tracking_code", "petition__rating").distinct())


def notices_of_rated_petitions(since, until) -> set[int]:
    """The red notices whose petitions were rated, or reopened (which takes the rating back), in
    (since, until]: their departments' scores moved (for the scores' refresh)."""
    from .models import PetitionEvent, PetitionRedNotice

    events = PetitionEvent.objects.filter(action__in=("rate", "reopen"), created_at__lte=until)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return set(PetitionRedNotice.objects.filter(petition_id__in=events.values("petition_id"))
               .values_list("notice_id", flat=True))


def petitions_readable_by(user, petition_ids: set[int]) -> set[int]:
    """Which of these petitions ``user`` may open (for the records behind a department's score)."""
    from .selectors import petitions_visible_to

    return set(petitions_visible_to(user).filter(pk__in=petition_ids).values_list("pk", flat=True))


def reviews_of_department(department_id: int, start, end) -> list[tuple[int, str, bool]]:
    """Each review of a resolution the department gave, in [start, end): passed, or sent back for
    rework (for the review part of department scores)."""
    from .models import PetitionReview

    return list(PetitionReview.objects.filter(department_id=department_id, created_at__gte=start,
                                              created_at__lt=end)
                .order_by("created_at", "pk").values_list("petition_id", "petition__tracking_code", "passed"))


def reviews_since(since, until) -> set:
    """(department, when) of the reviews written in (since, until]: their scores are recomputed."""
    from .models import PetitionReview

    rows = PetitionReview.objects.filter(department__isnull=False, created_at__lte=until)
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    return set(rows.values_list("department_id", "created_at"))


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        # Department scores live in communities, which cannot import petitions: hand it the
        # residents' satisfaction this way.
        from communities.scoring import services as scoring

        from .joint import joint_task_steps, joint_tasks_touched

        for provider, registry in (
            (rated_petitions_of_notices, scoring.SATISFACTION_PROVIDERS),
            (notices_of_rated_petitions, scoring.SCORE_INPUT_PROVIDERS),
            (reviews_of_department, scoring.REVIEW_PROVIDERS),
            (reviews_since, scoring.REVIEWS_SINCE),
            (petitions_readable_by, scoring.PETITION_VISIBILITY),
            # Assisting departments' tasks (joint handling) count in their scores.
            (joint_task_steps, scoring.JOINT_TASK_PROVIDERS),
            (joint_tasks_touched, scoring.JOINT_TASK_TOUCHED),
        ):
            if provider not in registry:
                registry.append(provider)
        # Intake keeps categories, communities and risk rules in memory (petitions.refdata):
        # any change to them makes every process reload.
        from django.db.models.signals import post_delete, post_save

        from communities.models import Department, Region

        from . import refdata
        from .models import Category, RiskRule, refdata_bulk_changed

        for model in (Category, RiskRule, Region, Department):
            post_save.connect(refdata.on_change, sender=model, dispatch_uid=f"refdata-save-{model.__name__}")
            post_delete.connect(refdata.on_change, sender=model, dispatch_uid=f"refdata-delete-{model.__name__}")
        refdata_bulk_changed.connect(refdata.on_change, dispatch_uid="refdata-bulk")
        # A red notice going overdue may raise the risk of the petition it was issued for.
        from communities.red_notices.services import overdue_marked

        from petitions.supervision import risk

        overdue_marked.connect(risk.on_red_notices_overdue, dispatch_uid="petitions.supervision.risk.on_red_notices_overdue")
