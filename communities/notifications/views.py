"""The staff notification centre (in-app messages) and the SMS log page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from communities.notifications.services import (
    mask_mobile,
    may_read_sms_log,
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    safe_link,
    sms_log,
    sms_text,
)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "communities/notifications.html", {"page": page})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and goes where it points."""
    note = get_object_or_404(notifications_for(request.user), pk=pk)
    notification_mark_read(notification=note, actor=request.user)
    return redirect(safe_link(note.link) or "notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(actor=request.user)
    return redirect("notifications")


@login_required
def sms_log_page(request: HttpRequest) -> HttpResponse:
    """短信发送记录: every SMS the system wrote, with what the phone shows and whether it went."""
    if not may_read_sms_log(request.user):
        raise PermissionDenied
    page = Paginator(sms_log(), 50).get_page(request.GET.get("page"))
    rows = [(note, mask_mobile(note.address or (note.recipient.phone if note.recipient_id else "")),
             sms_text(note)) for note in page]
    return render(request, "communities/sms_log.html", {"page": page, "rows": rows,
                                                        "gateway": bool(settings.SUQIU_SMS_GATEWAY_URL)})
