from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from communities.core.links import link_format
from petitions.supervision.risk import whys

register = template.Library()


@register.filter
def risk_why(reasons) -> str:
    """A petition's risk reasons in the reader's language."""
    return whys(reasons or [])


@register.filter(expects_localtime=True)
def short_time(moment) -> str:
    """``<time datetime="…">12-03 19:05</time>`` in the reader's time zone: what ``date:'c'`` and
    ``date:'m-d H:i'`` write, without the date filter's format lookups per call (two moments on
    every inbox card made those a fifth of the page's time)."""
    if not moment:
        return ""
    # isoformat() is the date filter's "c"; its characters need no escaping.
    return mark_safe(f'<time datetime="{moment.isoformat()}">{moment:%m-%d %H:%M}</time>')


@register.simple_tag
def category_options(categories, chosen: str) -> str:
    """The ``<option>`` of each category (code, label in the reader's language), ``chosen`` selected:
    the inbox's filter lists every active category, and a template loop over them cost as much as
    the page's cards."""
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((c.code, " selected" if c.code == chosen else "", c.label) for c in categories))


# One row of the red alerts page; an acknowledged alert says when and by whom, an open one has the
# form that acknowledges it. Every value is escaped before it is put in.
_ALERT_ROW = ('<tr>\n    <td>{raised}</td><td><a href="{link}">{title}</a>{filed}</td>\n'
              '    <td>{community}</td><td>{why}</td>\n    <td>{state}</td>\n  </tr>')
_ALERT_FILED = ' <span class="pill danger alert-count">{}</span>'
_ALERT_DONE = "{when} · {who}{note}\n      "
_ALERT_FORM = ('<form method="post" action="{action}" class="inline-form">{csrf}\n'
               '        <label class="visually-hidden" for="ack-{pk}">{note}</label>'
               '<input id="ack-{pk}" name="note" maxlength="300">\n'
               '        <button type="submit" class="button small">{acknowledge}</button></form>')


def _alert_state(alert, zone, action: tuple[str, str], form: dict[str, str]) -> str:
    """The last cell of an alert's row: when and by whom it was acknowledged, or the form that does."""
    if alert.acknowledged_at:
        return _ALERT_DONE.format(when=f"{alert.acknowledged_at.astimezone(zone):%m-%d %H:%M}",
                                  who=escape(alert.acknowledged_by_name),
                                  note=f": {escape(alert.note)}" if alert.note else "")
    return _ALERT_FORM.format(action=f"{action[0]}{alert.id}{action[1]}", pk=alert.id, **form)


@register.simple_tag(takes_context=True)
def alert_rows(context, alerts) -> str:
    """The ``<tr>`` of each red alert (``risk.AlertRow``) of the alerts page, as the template wrote
    them row by row: the links reversed, the labels translated and the CSRF input rendered once a
    page (one token per response, as ``{% csrf_token %}`` gives), the reasons put in words once per
    distinct set, the moments as the date filter writes them in the reader's time zone. A loop in
    the template cost 0.4 ms a row. ``escape`` is the standard library's, which Django's wraps."""
    zone = timezone.get_current_timezone()
    link, action = link_format("staff-petition"), link_format("alert-acknowledge")
    form = {"csrf": CsrfTokenNode().render(context), "note": escape(gettext("Note")),
            "acknowledge": escape(gettext("Acknowledge"))}
    reasons: dict[str, str] = {}
    rows = []
    for a in alerts:
        key = repr(a.reasons)
        why = reasons.get(key)
        if why is None:
            why = reasons[key] = escape(whys(a.reasons or []))
        filed = ""
        if a.count > 1:
            filed = _ALERT_FILED.format(ngettext("filed %(n)s time", "filed %(n)s times", a.count) % {"n": a.count})
        rows.append(_ALERT_ROW.format(
            raised=f"{a.raised_at.astimezone(zone):%Y-%m-%d %H:%M}", link=f"{link[0]}{a.petition_id}{link[1]}",
            title=escape(a.title), filed=filed, community=escape(a.community_name), why=why,
            state=_alert_state(a, zone, action, form)))
    return mark_safe("".join(rows))


# One card of the staff inbox; every value is escaped before it is put in.
_CARD = ('\n  <li class="inbox-card{urgent}" data-code="{code}">\n    <p class="inbox-deadline">\n      {pill}\n'
         '      {due}\n    </p>\n    <h2 class="inbox-title"><a href="{link}"><span class="code">{code}</span> {title}</a>\n'
         '      {repeat}\n      {assisting}</h2>\n    <p class="inbox-meta">\n      <span class="pill">{status}</span>\n'
         '      <span>{category}</span> · <span>{community}</span> · <span>{channel}</span>\n    </p>\n'
         '    <p class="inbox-meta">{name}<span>{phone}</span> · {created}</p>\n  </li>\n  ')


@register.simple_tag
def inbox_cards(rows, assisting) -> str:
    """The card of each petition (``selectors.InboxRow``) of the staff inbox, as the template's loop
    wrote them (0.2 ms a card): the link reversed and the labels translated once a page, the
    moments as ``short_time`` writes them in the reader's time zone; ``assisting``: the ids of the
    petitions the viewer's department assists with."""
    zone = timezone.get_current_timezone()
    before, after = link_format("staff-petition")
    words = {key: escape(gettext(text)) for key, text in (
        ("late", "Overdue"), ("soon", "Due soon"), ("follow_up", "Awaiting the agreed payments"),
        ("accept_by", "Accept by"), ("resolve_by", "Resolve by"), ("repeat", "Repeat"), ("assisting", "Assisting"))}
    pills = {"late": f'<span class="pill danger">{words["late"]}</span>',
             "soon": f'<span class="pill warn">{words["soon"]}</span>'}
    classes = {"late": " is-late", "soon": " is-due-soon"}
    cards = []
    for p in rows:
        status = escape(p.get_status_display())
        if p.urgency in pills:
            pill = pills[p.urgency]
        else:
            pill = f'<span class="pill">{words["follow_up"]}</span>' if p.follow_up_since else ""
        if p.due_at:
            due = f'{words["accept_by"] if p.status == "submitted" else words["resolve_by"]}\n      {short_time(p.due_at.astimezone(zone))}'
        else:
            due = status
        cards.append(_CARD.format(
            urgent=classes.get(p.urgency, ""), code=escape(p.tracking_code),
            pill=pill, due=due, link=f"{before}{p.id}{after}", title=escape(p.title),
            repeat=f'<span class="pill">{words["repeat"]}</span>' if p.repeat_of_id else "",
            assisting=f'<span class="pill assisting">{words["assisting"]}</span>' if p.pk in assisting else "",
            status=status, category=escape(p.category_label), community=escape(p.community.name),
            channel=escape(p.get_channel_display()),
            name=f"<span>{escape(p.resident_name)}</span> · " if p.resident_name else "",
            phone=escape(p.resident_phone), created=short_time(p.created_at.astimezone(zone))))
    return mark_safe("".join(cards))
