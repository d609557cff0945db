"""The mediation cases page writes its rows from plain values (selectors.CaseRow, the case_rows
tag): each row reads exactly as the template's loop over the cases wrote it, in each language: the
link, the number, the title escaped, the type of dispute and the status translated, the mediator's
name family name first, the opening day in the reader's time zone. The API's list, written from
plain values too, answers what its serializer writes, per viewer."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from rest_framework.test import APIClient

from mediation import selectors
from mediation.api import CaseSerializer
from mediation.models import CaseStatus, DisputeType

# The rows as the page's template wrote them, looping over the cases themselves.
TEMPLATE_LOOP = Template("""{% load i18n names %}{% for c in page %}<tr>
    <td><a href="{% url 'mediation-case' c.pk %}">{{ c.number }}</a></td><td>{{ c.title }}</td>
    <td>{{ c.get_dispute_type_display }}</td><td>{{ c.mediator|person }}</td>
    <td>{{ c.get_status_display }}</td><td>{{ c.opened_at|date:"Y-m-d" }}</td>
  </tr>{% endfor %}""")


@pytest.fixture
def cases(open_case, agreed, crew, tree, wage_petition):
    """One of each kind a row shows: a title with markup, another type of dispute, a case from a
    petition, an agreed one with money recovered, and a mediator with a Chinese name."""
    crew["mediator"].last_name, crew["mediator"].first_name = "陈", "平"
    crew["mediator"].save()
    marked = open_case(title='<b>欠薪</b> & “工地”', dispute_type="neighbours")
    from_petition = open_case(petition=wage_petition)
    settled = agreed()
    settled.amount_recovered = Decimal("160000.5")
    settled.save(update_fields=["amount_recovered"])
    other = open_case(actor=crew["other_mediator"], mediator=crew["other_mediator"], committee=tree["c21"])
    return [marked, from_petition, settled, other]


def _rows(html: str) -> str:
    return re.search(r"<tbody>\n  (.*?)\n  </tbody>", html, re.S).group(1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_row_reads_as_the_template_loop_wrote_it(client, crew, cases, language):
    client.force_login(crew["mediator"])
    html = client.get("/mediation/cases/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        expected = TEMPLATE_LOOP.render(Context({"page": selectors.case_page(crew["mediator"])}))
    assert _rows(html) == expected
    assert len(re.findall("<tr>", expected)) == 3  # the other committee's case is not theirs
    assert "&lt;b&gt;欠薪&lt;/b&gt; &amp; “工地”" in expected
    assert "<td>陈平</td>" in expected  # family name first
    with translation.override(language):
        assert f"<td>{CaseStatus.AGREED.label}</td>" in expected and f"<td>{DisputeType.NEIGHBOURS.label}</td>" in expected


def test_a_page_without_cases_says_so(client, crew):
    client.force_login(crew["mediator"])
    html = client.get("/mediation/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(html) == '<tr><td colspan="6">No mediation cases.</td></tr>'


@pytest.mark.parametrize("who", ["mediator", "adviser", "other_mediator", "street", "nobody"])
def test_the_api_list_answers_what_the_serializer_writes_for_each_viewer(crew, cases, who):
    """The API's list rows are written from plain values (``api.case_list_answer``): field for field
    what ``CaseSerializer`` writes of the same cases, in the same order, per viewer."""
    api = APIClient()
    api.force_authenticate(crew[who])
    answer = api.get("/api/mediation-cases/").json()["results"]
    expected = CaseSerializer(selectors.case_page(crew[who]).rows, many=True).data
    assert answer == [dict(row) for row in expected]
    if who == "mediator":
        assert len(answer) == 3
        assert {row["amount_recovered"] for row in answer} >= {"160000.50", "0.00"}
        assert any(row["petition"] == cases[1].petition.tracking_code for row in answer)
