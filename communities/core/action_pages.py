"""The page door of a declared action (communities.core.actions): one form posted from an object's page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from communities.core.actions import ActionSet


def post_action(request: HttpRequest, actions: ActionSet, name: str, obj, *, page_url: str,
                redisplay: Callable[[str, object], HttpResponse],
                done: Callable[[object], HttpResponse | None] | None = None) -> HttpResponse:
    """Perform the action ``name`` on ``obj`` from its posted form.

    Done: ``done(result)`` may answer (a petition handed on goes to the inbox), else back to
    ``page_url`` saying so. Refused: the page again with the form as typed and the error beside
    its field (``redisplay(name, form)``, status 400) — unless the action is no longer offered
    (someone else moved the object on), then back to the page with the reason."""
    declared = actions.for_page(name)
    if declared is None:
        raise Http404
    form = declared.form(obj, request.POST, request.FILES)
    if form.is_valid():
        ok, result = actions.perform_on_form(declared, obj=obj, actor=request.user, form=form)
        if ok:
            answer = done(result) if done is not None else None
            if answer is not None:
                return answer
            messages.success(request, _("Done."))
            return redirect(page_url)
    obj.refresh_from_db()
    if declared.name not in actions.allowed_names(obj, request.user):
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(page_url)
    return redisplay(declared.name, form)
