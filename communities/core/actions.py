"""Each action of an aggregate, declared once: its input, its service call, its words, and who sees it.

A lifecycle (a petition, a red notice, a mediation case) lists its actions in an ``ActionSet``
beside its services. The pages draw one form per allowed action from it, the API builds one
endpoint (with its own request schema) per action from it, and the admin and the timelines read
its labels. Adding an action is adding one ``Action`` here, not editing three doors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from communities.core.errors import DomainError

# (subject, actor, validated input) -> what the service returns
Runner = Callable[[Any, Any, dict], Any]
# (subject, data=None, files=None) -> a bound or unbound Django form
FormFactory = Callable[..., Any]


@dataclass(frozen=True)
class Action:
    """One action. ``name`` is the word of the transition table and the trace ("check_in");
    the API's path segment is the same word with hyphens ("check-in")."""

    name: str
    label: str  # the step as the timeline shows it, once done ("Checked in")
    button: str = ""  # what the button says ("Check in now")
    service: Callable | None = None  # the service function it calls
    run: Runner | None = None  # adapts validated input to the service's keywords, when they differ
    serializer: type | None = None  # the API's input; None: the API does not offer it
    form: FormFactory | None = None  # the page's input; None: no form on the page
    heading: str = ""  # the heading of the page's form, when it differs from the button
    description: str = ""  # one line for the API documentation
    error_field: str | None = None  # where a refusal is shown on the page's form
    api_path: str = ""  # the API's path segment, when it is not the name with hyphens
    secondary: bool = False  # drawn as a secondary button (a step back rather than forward)

    @property
    def path(self) -> str:
        return self.api_path or self.name.replace("_", "-")


@dataclass
class ActionSet:
    """The actions of one aggregate. ``subject`` is the keyword its services take the object by
    (``petition=``, ``notice=``, ``case=``); ``allowed`` is the service's own answer to "which
    actions may this user take on this object now"; ``events`` labels the trace steps that no
    user action makes (a deadline missed, an automatic close)."""

    subject: str
    actions: list[Action]
    allowed: Callable[[Any, Any], Iterable[str]]
    events: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_name = {a.name: a for a in self.actions}
        self._by_path = {a.path: a for a in self.actions if a.serializer is not None}

    def __getitem__(self, name: str) -> Action:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Action | None:
        return self._by_name.get(name)

    def for_api(self) -> list[Action]:
        return list(self._by_path.values())

    def by_path(self, path: str) -> Action | None:
        """The API action at ``path`` (also accepted with underscores, as older clients send it)."""
        return self._by_path.get(path) or self._by_path.get(path.replace("_", "-"))

    def for_page(self, name: str) -> Action | None:
        action = self._by_name.get(name)
        return action if action is not None and action.form is not None else None

    def label(self, step: str) -> str:
        """The timeline's word for a trace step (an action's name, or another event's)."""
        action = self._by_name.get(step)
        if action is not None:
            return action.label
        return self.events.get(step, step)

    def allowed_names(self, obj, user) -> list[str]:
        return list(self.allowed(obj, user))

    def allowed_actions(self, obj, user) -> list[Action]:
        return [self._by_name[name] for name in self.allowed(obj, user) if name in self._by_name]

    @staticmethod
    def input_of(form) -> dict:
        """What a valid page form gives the action: its cleaned data, or what the form makes of
        it when its fields are laid out for people rather than for the service (a formset, a
        chosen object instead of its id)."""
        return form.action_data() if hasattr(form, "action_data") else dict(form.cleaned_data)

    def perform(self, action: Action, *, obj, actor, data: dict):
        """Call the action's service with validated input (from a form or a serializer)."""
        if action.run is not None:
            return action.run(obj, actor, data)
        if action.service is None:
            raise LookupError(f"{action.name} has no service to call")
        return action.service(**{self.subject: obj}, actor=actor, **data)

    def perform_on_form(self, action: Action, *, obj, actor, form, shown=None) -> tuple[bool, Any]:
        """The page's door: perform ``action`` with a valid form's input. A refusal (a rule of
        the service, or a file that is not what it claims) goes on the form beside the field it
        names (``shown``: the form that displays errors, when it is not ``form`` itself), else
        beside the action's ``error_field``, else above the form. Returns (done, what the service
        returned)."""
        shown = form if shown is None else shown
        try:
            return True, self.perform(action, obj=obj, actor=actor, data=self.input_of(form))
        except ValidationError as exc:  # an attachment that is not what it claims
            shown.add_error("attachments" if "attachments" in shown.fields else None, exc)
        except DomainError as exc:  # Forbidden is a DomainError too
            field = getattr(exc, "field", None) or action.error_field
            shown.add_error(field if field in shown.fields else None, str(exc))
        return False, None


def simple_form(form_class, **kwargs) -> FormFactory:
    """A form factory for a form that needs nothing from the object."""
    def make(obj, data=None, files=None):
        return form_class(data, files, **kwargs)
    return make
