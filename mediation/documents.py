"""The mediation agreement (人民调解协议书), on screen, on paper and as PDF, from one source."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from communities.core.documents import Fields, Grid, Heading, Paragraph, chinese_date, official_pdf

from .models import MediationCase
from communities.core.masking import mask_id
from communities.core.names import display_name


def _money(value) -> str:
    return f"{value:,.2f}" if value is not None else "—"


def agreement_document(case: MediationCase, *, reveal: bool) -> dict:
    """What the agreement says. ID numbers are printed in full only for the case's mediator, who
    prints the copies the parties sign; anyone else's print is masked."""
    agreement = case.agreement
    parties = []
    for p in case.parties.all():
        id_number = p.id_number if reveal else mask_id(p.id_number)
        parties.append((f"{p.get_side_display()}", f"{p.name}（{p.get_kind_display()}）"
                        + (f"，{_('ID')}：{id_number}" if id_number else "")
                        + (f"，{p.address}" if p.address else "")))
    obligations = [[o.debtor.name, o.creditor.name if o.creditor else "—", o.description, _money(o.amount),
                    o.due_date.isoformat()] for o in agreement.obligations.select_related("debtor", "creditor")]
    return {
        "office": _("%(community)s People's Mediation Committee") % {"community": case.committee.name},
        "number": case.number,
        "title": _("People's Mediation Agreement"),
        "parties": parties,
        "facts": case.facts,
        "terms": agreement.terms,
        "obligation_header": [_("Who performs"), _("For whom"), _("Payment or duty"), _("Amount (yuan)"),
                              _("Due by")],
        "obligations": obligations,
        "closing": _("This agreement was reached voluntarily by the parties through mediation and takes effect "
                     "when signed by the parties and the mediator and sealed by the committee. The parties may "
                     "jointly apply to the people's court for judicial confirmation within 30 days."),
        "signatures": [_("Applicant (signature):"), _("Respondent (signature):"),
                       _("Mediator (signature): %(name)s") % {"name": display_name(case.mediator)},
                       _("%(community)s People's Mediation Committee (seal)") % {"community": case.committee.name}],
        "date": chinese_date(timezone.localtime(agreement.signed_at)),
    }


def agreement_pdf(case: MediationCase, *, reveal: bool) -> bytes:
    doc = agreement_document(case, reveal=reveal)
    blocks = [Fields(doc["parties"]), Heading(_("1. Facts of the dispute")), Paragraph(doc["facts"]),
              Heading(_("2. Terms agreed")), Paragraph(doc["terms"])]
    if doc["obligations"]:
        blocks += [Heading(_("3. Performance")),
                   Grid(doc["obligation_header"], doc["obligations"], widths=[0.18, 0.18, 0.32, 0.16, 0.16])]
    blocks.append(Paragraph(doc["closing"]))
    return official_pdf(office=doc["office"], number=doc["number"], title=doc["title"], blocks=blocks,
                        signature=doc["signatures"], date_text=doc["date"])
