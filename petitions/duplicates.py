"""Duplicates: one problem reported by many people.

Whoever files (a resident, hall staff, a grid worker) is shown the open petitions of the same
category within ``NEARBY_RADIUS_M`` (and staff, those of the same phone) and may join one instead
of filing a new one: the reporter gets a tracking code of their own that resolves to the petition,
and an SMS at each step (``resident_messages.tell_resident`` tells every reporter). Staff merge a
duplicate into the petition that handles the problem (its reporters follow the survivor; it is
closed as merged) and split a wrongly merged one out again (it gets its status and reporters
back). Both steps are traced on both petitions. Who may merge or split is
``communities.people.access.merges_duplicates``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.people import access
from communities.core import geo
from communities.core.errors import DomainError, Forbidden
from communities.core.masking import mask_digits
from communities.models import User
from communities.core.names import RESIDENT, display_name

from .models import DUPLICATE_STATUSES, Category, Petition, PetitionEvent, PetitionReporter, Status
from .resident_messages import tell_resident, tell_reporters
from .validation import new_tracking_code, normalize_mobile

NEARBY_RADIUS_M = 200.0
NEARBY_LIMIT = 10


@dataclass(frozen=True)
class Nearby:
    petition: Petition
    distance_m: float | None  # None: found by the phone only
    same_phone: bool = False


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.is_staff_member(user)


def petitions_nearby(*, category: Category, lat: float | None = None, lng: float | None = None, phone: str = "",
                     user=None, radius_m: float = NEARBY_RADIUS_M, limit: int = NEARBY_LIMIT) -> list[Nearby]:
    """Open petitions of ``category`` within ``radius_m`` of the point, nearest first; for staff,
    also the open petitions they can see that were filed with ``phone`` (any category).

    An indexed bounding box on the open rows narrows the candidates; the exact great-circle
    distance decides (as ``communities.network.selectors.service_points_near`` does)."""
    from .selectors import petitions_visible_to

    distances: dict[int, float] = {}
    if lat is not None and lng is not None:
        min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, radius_m)
        rows = (Petition.objects.filter(status__in=DUPLICATE_STATUSES, category=category,
                                        latitude__gte=min_lat, latitude__lte=max_lat,
                                        longitude__gte=min_lng, longitude__lte=max_lng)
                .values_list("pk", "latitude", "longitude"))
        for pk, plat, plng in rows:
            distance = geo.haversine_m(lat, lng, plat, plng)
            if distance <= radius_m:
                distances[pk] = distance
    same_phone: set[int] = set()
    if phone and _is_staff(user):
        try:
            phone = normalize_mobile(phone)
        except Exception:  # a half-typed number finds nothing  # noqa: BLE001
            phone = ""
        if phone:
            same_phone = set(petitions_visible_to(user).filter(resident_phone=phone, status__in=DUPLICATE_STATUSES)
                             .order_by("-created_at").values_list("pk", flat=True)[:limit])
    order = sorted(distances, key=lambda pk: (distances[pk], pk))[:limit]
    order += [pk for pk in sorted(same_phone, reverse=True) if pk not in distances]
    found = Petition.objects.select_related("category", "community").in_bulk(order)
    return [Nearby(found[pk], distances.get(pk), pk in same_phone) for pk in order if pk in found]


def nearby_public(item: Nearby, *, user=None) -> dict:
    """What a filer is shown of a nearby petition: public fields only, the title with any number
    in it masked; never a name or a phone. Staff also get its tracking code and community."""
    p = item.petition
    row = {
        "id": p.pk, "title": mask_digits(p.title), "category": p.category.label, "status": p.status,
        "status_label": p.get_status_display(), "submitted_at": p.created_at,
        "distance_m": None if item.distance_m is None else round(item.distance_m),
        "same_phone": item.same_phone,
    }
    if _is_staff(user):
        row.update(tracking_code=p.tracking_code, community=p.community.name)
    return row


def _survivor(petition: Petition) -> Petition:
    """The petition that handles the problem now: a merged one's survivor."""
    return petition.merged_into if petition.merged_into_id else petition


def _new_code() -> str:
    for _attempt in range(5):
        code = new_tracking_code()
        if not Petition.objects.filter(tracking_code=code).exists():
            return code
    raise DomainError(_("Please try again."))  # pragma: no cover


def _event(petition: Petition, *, actor, action: str, from_status: str, note: str, is_public: bool) -> PetitionEvent:
    # No staff member: a resident joining from the public form.
    label = display_name(actor) if isinstance(actor, User) else RESIDENT
    return PetitionEvent.objects.create(
        petition=petition, actor=actor if isinstance(actor, User) else None, actor_label=label,
        action=action, from_status=from_status, to_status=petition.status, note=note, is_public=is_public)


def petition_join(*, petition: Petition, phone: str, name: str = "", actor=None, latitude: float | None = None,
                  longitude: float | None = None, category: Category | None = None) -> PetitionReporter:
    """Attach a reporter to an open petition instead of filing a new one.

    Anyone may join a petition the nearby search would show them (same category, within the
    radius of the point they report); staff may also join the petitions they can see (a walk-in
    resident, a caller). The reporter gets a tracking code of their own, by SMS."""
    from .selectors import petitions_visible_to

    phone = normalize_mobile(phone)
    user = actor if getattr(actor, "is_authenticated", False) else None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                target = Petition.objects.select_for_update().get(pk=_survivor(petition).pk)
                nearby = (category is not None and category.pk == target.category_id
                          and None not in (latitude, longitude, target.latitude, target.longitude)
                          and geo.haversine_m(latitude, longitude, target.latitude, target.longitude)
                          <= NEARBY_RADIUS_M)
                seen = user is not None and _is_staff(user) and petitions_visible_to(user).filter(pk=target.pk).exists()
                if not (nearby or seen):
                    raise DomainError(_("Join a petition of the same category near the place you report."),
                                      field="petition")
                if target.status not in DUPLICATE_STATUSES:
                    raise DomainError(_("This petition is no longer open: file a new one."), field="petition")
                if phone == target.resident_phone or target.reporters.filter(phone=phone).exists():
                    raise DomainError(_("This mobile number already follows this petition."), field="phone")
                reporter = PetitionReporter.objects.create(
                    petition=target, origin=target, tracking_code=_new_code(), phone=phone, name=(name or "").strip(),
                    resident=user if user is not None and not _is_staff(user) else None,
                    created_by=user if user is not None and _is_staff(user) else None)
                _event(target, actor=user if user is not None and _is_staff(user) else None, action="join",
                       from_status=target.status, note=_("Another resident reported the same problem."),
                       is_public=True)
                tell_reporters(target, kind="petition.joined", reporters=[reporter])
            return reporter
        except IntegrityError as exc:
            if "tracking_code" not in str(exc):
                raise
    raise DomainError(_("Please try again."))  # pragma: no cover


def _lock_pair(first_pk: int, second_pk: int) -> dict[int, Petition]:
    # Both rows, in primary-key order, so two merges of the same pair never deadlock.
    rows = Petition.objects.select_for_update(of=("self",)).select_related("community", "grid").filter(
        pk__in=[first_pk, second_pk]).order_by("pk")
    return {p.pk: p for p in rows}


def _check_may(actor, *petitions: Petition) -> None:
    if not all(access.merges_duplicates(actor, p) for p in petitions):
        raise Forbidden(_("Only the handling community's secretary and staff, and its supervisors, merge and split "
                          "petitions."))


def petition_merge(*, petition: Petition, actor: User, into: Petition, note: str = "") -> Petition:
    """``petition`` is a duplicate of ``into``: its reporters (its own filer included, with their
    own tracking code) follow ``into`` from now on, and it is closed as merged. Returns ``into``."""
    note = (note or "").strip()
    if into.pk == petition.pk:
        raise DomainError(_("A petition cannot be merged into itself."), field="into")
    with transaction.atomic():
        locked = _lock_pair(petition.pk, into.pk)
        duplicate, survivor = locked[petition.pk], locked[into.pk]
        _check_may(actor, duplicate, survivor)
        if duplicate.merged_into_id or duplicate.status not in DUPLICATE_STATUSES:
            raise DomainError(_("This petition cannot be merged while it is %(status)s.")
                              % {"status": duplicate.get_status_display()})
        if survivor.merged_into_id or survivor.status not in DUPLICATE_STATUSES:
            raise DomainError(_("Merge into a petition that is still open."), field="into")
        if Petition.objects.filter(merged_into=duplicate).exists():
            raise DomainError(_("Other petitions were merged into this one: merge the other way round."))
        from_status = duplicate.status
        duplicate.status_before_merge, duplicate.status = from_status, Status.CLOSED
        duplicate.closed_at, duplicate.merged_into = timezone.now(), survivor
        duplicate.save()
        PetitionReporter.objects.filter(petition=duplicate).update(petition=survivor)
        PetitionReporter.objects.create(
            petition=survivor, origin=duplicate, tracking_code=duplicate.tracking_code, phone=duplicate.resident_phone,
            name=duplicate.resident_name, resident=duplicate.resident, by_merge=True, created_by=actor)
        said = f"\n{note}" if note else ""
        event = _event(duplicate, actor=actor, action="merge", from_status=from_status, is_public=True,
                       note=_("Merged into another petition about the same problem; follow it with your tracking "
                              "code.") + said)
        _event(survivor, actor=actor, action="merge_in", from_status=survivor.status, is_public=False,
               note=_("%(code)s merged into this petition.") % {"code": duplicate.tracking_code} + said)
        tell_reporters(survivor, kind="petition.merged", key=str(event.pk),
                       reporters=PetitionReporter.objects.filter(petition=survivor, origin=duplicate))
    return survivor


def petition_split(*, petition: Petition, actor: User, note: str = "") -> Petition:
    """Undo a wrong merge: ``petition`` gets back the status it had and the reporters that came
    with it, and is handled on its own again."""
    note = (note or "").strip()
    if not petition.merged_into_id:
        raise DomainError(_("This petition was not merged into another."))
    with transaction.atomic():
        locked = _lock_pair(petition.pk, petition.merged_into_id)
        duplicate = locked[petition.pk]
        if duplicate.merged_into_id is None:
            raise DomainError(_("This petition was not merged into another."))
        survivor = locked[duplicate.merged_into_id]
        _check_may(actor, duplicate, survivor)
        came = PetitionReporter.objects.filter(petition=survivor, origin=duplicate)
        came.filter(by_merge=True).delete()
        came.update(petition=duplicate)
        duplicate.status = duplicate.status_before_merge or Status.SUBMITTED
        duplicate.status_before_merge, duplicate.closed_at, duplicate.merged_into = "", None, None
        duplicate.save()
        said = f"\n{note}" if note else ""
        event = _event(duplicate, actor=actor, action="split", from_status=Status.CLOSED, is_public=True,
                       note=_("Split from the petition it was merged into: handled on its own again.") + said)
        _event(survivor, actor=actor, action="split_out", from_status=survivor.status, is_public=False,
               note=_("%(code)s split out of this petition again.") % {"code": duplicate.tracking_code} + said)
        tell_resident(duplicate, kind="petition.split", key=str(event.pk))
    return duplicate


def duplicate_actions(petition: Petition, user) -> list[str]:
    """Merge and split for the page's and the API's list of allowed actions."""
    if not access.merges_duplicates(user, petition):
        return []
    if petition.merged_into_id:
        return ["split"]
    return ["merge"] if petition.status in DUPLICATE_STATUSES else []


def petition_by_reference(reference: str) -> Petition | None:
    """A petition named by staff: its tracking code or its number."""
    from .validation import normalize_tracking_code

    reference = (reference or "").strip()
    code = normalize_tracking_code(reference)
    condition = Q(tracking_code=code) if code else Q(pk=int(reference)) if reference.isdigit() and len(reference) < 12 \
        else None
    return Petition.objects.filter(condition).first() if condition is not None else None
