"""Pages for residents beyond filing and tracking: getting lost tracking codes back."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import LostCodeForm
from .ratelimits import lost_code_wait, too_many_page
from .resident_messages import petition_codes_send


def petition_lost_code(request: HttpRequest) -> HttpResponse:
    """A phone number in, the open petitions' codes out by SMS to that phone. The page answers
    the same whether or not the number filed anything."""
    form = LostCodeForm(request.POST or None)
    sent = False
    if request.method == "POST":
        wait = lost_code_wait(request)
        if wait:
            return too_many_page(request, "petitions/lost_code.html", {"form": form, "sent": False}, wait)
        if form.is_valid():
            petition_codes_send(phone=form.cleaned_data["phone"])
            sent = True
    return render(request, "petitions/lost_code.html", {"form": form, "sent": sent})
