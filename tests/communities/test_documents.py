"""The shared official-document PDF: what a reader of the printed notice or agreement sees."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from communities.core.documents import Fields, Grid, Heading, Paragraph, chinese_date, official_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_red_header_document_carries_office_number_body_and_signature():
    pdf = official_pdf(
        office="中共光明社区委员会", number="光明社区吹哨〔2026〕17号", title="关于欠薪问题的吹哨通知",
        addressee="区人力资源局：",
        blocks=[Paragraph("请于限时内派员到场。"), Fields([("报到地点", "光明大道1号工地")]),
                Heading("一、人员要求"), Grid(["岗位", "人数"], [["劳动监察员", "2"]])],
        signature=["中共光明社区委员会", "书记：张三"], date_text=chinese_date(date(2026, 11, 23)),
    )
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in ["中共光明社区委员会", "光明社区吹哨〔2026〕17号", "关于欠薪问题的吹哨通知", "区人力资源局",
                     "请于限时内派员到场", "报到地点", "光明大道1号工地", "劳动监察员", "书记：张三",
                     "2026年11月23日", "— 1 —"]:
        assert expected in text, expected
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "光明社区吹哨〔2026〕17号 关于欠薪问题的吹哨通知"


def test_markup_in_user_text_is_printed_literally_not_interpreted():
    pdf = official_pdf(office="调委会", title="协议书", blocks=[Paragraph("甲方 <b>不</b> & 乙方\n第二行")])
    text = _text(pdf)
    assert "<b>不</b> & 乙方" in text
    assert "第二行" in text


def test_long_body_runs_onto_numbered_pages():
    pdf = official_pdf(office="调委会", title="协议书", blocks=[Paragraph("条款内容。" * 60) for _ in range(20)])
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) > 1
    assert "— 2 —" in reader.pages[1].extract_text()


def test_an_unknown_block_is_a_programming_error():
    with pytest.raises(TypeError):
        official_pdf(office="x", title="y", blocks=["plain string"])
