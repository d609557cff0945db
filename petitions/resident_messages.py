"""What a resident is told, and how: one SMS per step that matters to them, through the outbox.

Every message goes by SMS to the number the petition was filed with (a gateway when one is
configured, else the console sender that logs it and keeps it on the SMS log page), and also to
the resident's in-app inbox when they filed with an account. Messages are written in the
district's language whatever language the staff member who caused them reads, and each carries
the status link: the tracking page with the code filled in, where the last four digits of the
phone open the petition in any browser.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from communities.models import Notification
from communities.notifications.services import notify, notify_many

from .models import Petition

MESSAGES = {
    "petition.received": _("Your petition %(code)s was received."),
    "petition.accepted": _("Your petition %(code)s was accepted and is being handled."),
    "petition.declined": _("Your petition %(code)s was not accepted. See the reason with your tracking code."),
    "petition.department": _("Your petition %(code)s was handed to %(department)s."),
    "petition.summoned": _("For your petition %(code)s, %(department)s has been summoned to the scene."),
    "petition.resolved": _("Your petition %(code)s has been resolved. Rate it, or reopen it within %(days)d days, "
                           "with your tracking code."),
    "petition.closed": _("Your petition %(code)s is closed."),
    # Duplicates (petitions.duplicates): a reporter who joined, a merge, a split.
    "petition.joined": _("You joined a petition about the same problem. Your tracking code is %(code)s; you will be "
                         "told of each step."),
    "petition.merged": _("Your petition %(code)s was merged with another report of the same problem; your tracking "
                         "code still follows it and you will be told of each step."),
    "petition.split": _("Your petition %(code)s is handled on its own again."),
}


def status_path(petition: Petition) -> str:
    return f"{reverse('petition-track')}?code={petition.tracking_code}"


def status_link(petition: Petition) -> str:
    """The absolute status link for a message that leaves the site (an SMS)."""
    return settings.SUQIU_PUBLIC_URL.rstrip("/") + status_path(petition)


def resident_messages(petition: Petition, *, kind: str, key: str = "", **params) -> list[dict]:
    """The resident's messages for ``kind``, as ``notify``'s arguments: by SMS to the number the
    petition was filed with, and to their inbox when they filed with an account. ``key`` tells
    repeats of the same kind apart (the department it went to, the red notice): each step is told
    once, however often the cause is replayed."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(MESSAGES[kind]) % {"code": petition.tracking_code, "days": settings.SUQIU_REOPEN_DAYS,
                                         **params}
        link = status_link(petition)
        body = str(_("Progress: %(link)s (tracking code and the last 4 digits of this phone)")) % {"link": link}
    dedupe = f"petition:{petition.pk}:{kind}:{petition.reopen_count}" + (f":{key}" if key else "")
    messages = []
    if petition.resident_id:
        # Signed in, the resident opens the public view of their own petition directly.
        messages.append({"recipients": [petition.resident], "channels": [Notification.Channel.INBOX],
                         "kind": kind, "subject": subject, "body": body,
                         "link": reverse("petition-status", args=[petition.tracking_code]), "dedupe_key": dedupe})
    if petition.resident_phone:  # a snapshot report may come without a phone to tell
        messages.append({"recipients": [], "addresses": [(Notification.Channel.SMS, petition.resident_phone)],
                         "kind": kind, "subject": subject, "body": body, "link": link,
                         "dedupe_key": dedupe})
    return messages


def tell_resident(petition: Petition, *, kind: str, key: str = "", **params) -> None:
    """Write the resident's messages for ``kind`` (``resident_messages``), and the same step to
    the petition's other reporters; call it inside the transaction of the change."""
    notify_many(resident_messages(petition, kind=kind, key=key, **params))
    if kind != "petition.received":  # a petition just filed has no other reporters yet
        tell_reporters(petition, kind=kind, key=key, **params)


def tell_reporters(petition: Petition, *, kind: str, key: str = "", reporters=None, **params) -> None:
    """The same step told to the petition's other reporters (petitions.duplicates), each by SMS
    with their own tracking code and status link."""
    if reporters is None:
        reporters = petition.reporters.all()  # prefetched by a sweep that tells a batch
    base = settings.SUQIU_PUBLIC_URL.rstrip("/") + reverse("petition-track")
    for reporter in reporters:
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(MESSAGES[kind]) % {"code": reporter.tracking_code, "days": settings.SUQIU_REOPEN_DAYS,
                                             **params}
            link = f"{base}?code={reporter.tracking_code}"
            body = str(_("Progress: %(link)s (tracking code and the last 4 digits of this phone)")) % {"link": link}
        dedupe = f"petition:{petition.pk}:{kind}:{petition.reopen_count}:r{reporter.pk}" + (f":{key}" if key else "")
        notify(recipients=[], addresses=[(Notification.Channel.SMS, reporter.phone)], kind=kind, subject=subject,
               body=body, link=link, dedupe_key=dedupe)


LOST_CODE_LIMIT = 10  # codes in one message; an SMS stays short


def petition_codes_send(*, phone: str) -> bool:
    """A resident who lost a tracking code asks for it: the codes of the petitions still open
    that were filed with ``phone`` go by SMS to that phone, and to no one else.

    The caller answers the same whether or not anything was sent (the answer must not tell a
    stranger which numbers filed petitions). At most one such message per phone per hour: the
    dedupe key makes a second request in the same hour a no-op. Returns whether one was written."""
    from django.db import transaction
    from django.utils import timezone

    from .models import Status
    from .validation import normalize_mobile

    phone = normalize_mobile(phone)
    petitions = list(Petition.objects.filter(resident_phone=phone)
                     .exclude(status__in=[Status.CLOSED, Status.DECLINED])
                     .order_by("-created_at")[:LOST_CODE_LIMIT])
    # And the codes this phone follows as another reporter (petitions.duplicates).
    from .models import PetitionReporter

    joined = list(PetitionReporter.objects.filter(phone=phone).exclude(
        petition__status__in=[Status.CLOSED, Status.DECLINED]).order_by("-created_at")
        .values_list("tracking_code", flat=True)[:LOST_CODE_LIMIT])
    codes = ([p.tracking_code for p in petitions] + joined)[:LOST_CODE_LIMIT]
    if not codes:
        return False
    hour = timezone.localtime().strftime("%Y%m%d%H")
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("Your open petitions: %(codes)s.")) % {"codes": "、".join(codes)}
        body = str(_("Track them at %(link)s with the last 4 digits of this phone.")) % {
            "link": settings.SUQIU_PUBLIC_URL.rstrip("/") + reverse("petition-track")}
    with transaction.atomic():
        rows = notify(recipients=[], addresses=[(Notification.Channel.SMS, phone)], kind="petition.codes",
                      subject=subject, body=body, dedupe_key=f"petition-codes:{phone}:{hour}")
    return bool(rows)
