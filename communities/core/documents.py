"""Official documents as PDF: the red-header notice (红头通知) and the mediation agreement (协议书).

One layout for both, in the style of a Chinese government document (GB/T 9704 in spirit, not to
the millimetre): the issuing office in red across the top, the document number under it, a red
rule, a centred title, the addressee, the body, and a signature block with the date on the right.

The text is set in reportlab's built-in CID font STSong-Light: PDF readers supply the glyphs, so
no font file ships with the project and the PDF stays a few kilobytes.

Callers build a list of blocks and get bytes back::

    pdf = official_pdf(office="中共光明社区委员会", number="光明社区吹哨〔2026〕17号",
                       title="关于……的通知", addressee="区住房和建设局：",
                       blocks=[Paragraph("……"), Fields([("地点", "……")])],
                       signature=["中共光明社区委员会", "书记：张三"], date_text="2026年11月23日")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import HRFlowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import Paragraph as RLParagraph

from django.conf import settings
from django.utils import translation

FONT = "STSong-Light"
RED = colors.HexColor("#c8102e")
_registered = False


def in_official_language(view: Callable) -> Callable:
    """Official documents (the red notice, the mediation agreement) are printed in Chinese
    whatever language the reader's pages are in: the view runs under the site's language."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return view(*args, **kwargs)

    return wrapper


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _style(name: str, **overrides) -> ParagraphStyle:
    base = dict(fontName=_font(), fontSize=12, leading=21, wordWrap="CJK", textColor=colors.black)
    base.update(overrides)
    return ParagraphStyle(name, **base)


def _text(value: object) -> str:
    """Plain text to reportlab markup: escape it and keep the writer's line breaks."""
    return escape(str(value if value is not None else "")).replace("\n", "<br/>")


# --- blocks a caller may put in the body ---------------------------------------------------

@dataclass
class Paragraph:
    """A body paragraph, indented two characters as Chinese documents are."""

    text: str


@dataclass
class Heading:
    """A numbered section heading (一、二、…) in bold-looking black."""

    text: str


@dataclass
class Fields:
    """Label–value rows (地点、时间、人员…), set as a borderless two-column table."""

    rows: list[tuple[str, str]]


@dataclass
class Grid:
    """A ruled table with a header row (the obligations of an agreement, the parties)."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = field(default=None)  # fractions of the text width


Block = Paragraph | Heading | Fields | Grid


def chinese_date(value: date | datetime) -> str:
    """2026年11月23日, the way an official document dates itself."""
    return f"{value.year}年{value.month}月{value.day}日"


def official_pdf(
    *,
    office: str,
    title: str,
    blocks: list[Block],
    number: str = "",
    addressee: str = "",
    signature: list[str] = (),
    date_text: str = "",
    author: str = "",
) -> bytes:
    """Render one official document on A4 and return the PDF bytes."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm, bottomMargin=28 * mm,
        title=f"{number} {title}".strip(), author=author or office, subject=title,
    )
    width = doc.width
    story: list = [
        RLParagraph(_text(office), _style("office", fontSize=26, leading=34, alignment=TA_CENTER, textColor=RED)),
        Spacer(1, 4 * mm),
    ]
    if number:
        story.append(RLParagraph(_text(number), _style("number", alignment=TA_CENTER)))
    story += [
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2 * mm, spaceAfter=8 * mm),
        RLParagraph(_text(title), _style("title", fontSize=18, leading=28, alignment=TA_CENTER)),
        Spacer(1, 4 * mm),
    ]
    if addressee:
        story.append(RLParagraph(_text(addressee), _style("addressee")))
    body = _style("body", firstLineIndent=24)
    rendered = [_render(block, body, width) for block in blocks]
    if signature or date_text:
        closing = [Spacer(1, 12 * mm)]
        right = _style("signature", alignment=TA_RIGHT)
        closing += [RLParagraph(_text(line), right) for line in signature]
        if date_text:
            closing.append(RLParagraph(_text(date_text), right))
        # The signatures never stand alone on a page: the last block of text moves with them,
        # so what was signed is on the page that is signed.
        last = rendered.pop() if rendered else []
        for flowables in rendered:
            story.extend(flowables)
        story.append(KeepTogether([*last, *closing]))
    else:
        for flowables in rendered:
            story.extend(flowables)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _render(block: Block, body: ParagraphStyle, width: float) -> list:
    if isinstance(block, Paragraph):
        return [RLParagraph(_text(block.text), body)]
    if isinstance(block, Heading):
        return [Spacer(1, 2 * mm), RLParagraph(_text(block.text), _style("heading", fontSize=13))]
    if isinstance(block, Fields):
        cell = _style("cell")
        rows = [[RLParagraph(_text(f"{label}："), cell), RLParagraph(_text(value), cell)] for label, value in block.rows]
        table = Table(rows, colWidths=[width * 0.22, width * 0.78])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)]
    if isinstance(block, Grid):
        cell = _style("grid", fontSize=10.5, leading=16)
        head = _style("grid-head", fontSize=10.5, leading=16, alignment=TA_CENTER)
        rows = [[RLParagraph(_text(h), head) for h in block.header]]
        rows += [[RLParagraph(_text(v), cell) for v in row] for row in block.rows]
        fractions = block.widths or [1 / len(block.header)] * len(block.header)
        table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)]
    raise TypeError(f"not a document block: {block!r}")


def _footer(canvas, doc) -> None:
    # "— 1 —" centred at the foot, as official documents number their pages.
    canvas.saveState()
    canvas.setFont(_font(), 10)
    canvas.drawCentredString(A4[0] / 2, 15 * mm, f"— {doc.page} —")
    canvas.restoreState()
