"""The red notices page writes its rows from plain values (services.RedNoticeRow, the
red_notice_rows tag): each row reads exactly as the template's loop over the notices wrote it, in
each language: the link, the number, the department, the matter cut to 40 characters and escaped,
the status with its overdue pill, the deadlines in the reader's time zone and the late check-in.
The API's list, written from plain values too, answers what its serializer writes, per viewer."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from communities.red_notices import services as rn
from tests.factories import RED_NOTICE_START as START

# The rows as the page's template wrote them, looping over the notices themselves.
TEMPLATE_LOOP = Template("""{% load i18n %}{% for n in page %}<tr>
    <td><a href="{% url 'red-notice' n.pk %}">{{ n.number }}</a></td>
    <td>{{ n.department.name }}</td><td>{{ n.matter|truncatechars:40 }}</td>
    <td>{{ n.get_status_display }}{% if n.is_overdue %} <span class="pill danger">{% translate "Overdue" %}</span>{% endif %}</td>
    <td>{{ n.checkin_due_at|date:"m-d H:i" }}{% if n.checkin_on_time is False %} <span class="pill danger">{% translate "Late" %}</span>{% endif %}</td>
    <td>{{ n.result_due_at|date:"m-d H:i" }}</td>
  </tr>{% endfor %}""")


@pytest.fixture
def notices(issue, crew, other_department):
    """One of each kind a row shows: open and fine, open and late, checked in late, closed with a
    late mark, and a matter with markup and more than 40 characters."""
    fine = issue(at=START + timedelta(hours=3), matter="<b>围挡</b> & 噪音 “夜间施工”" + "影响居民休息" * 8)
    late = issue(at=START + timedelta(minutes=1))
    checked_late = issue(at=START + timedelta(minutes=2), department=other_department)
    closed = issue(at=START + timedelta(minutes=3))
    with time_machine.travel(START + timedelta(hours=4), tick=False):
        rn.sweep_red_notices()
        rn.red_notice_acknowledge(notice=checked_late, actor=crew["other_officer"])
        rn.red_notice_check_in(notice=checked_late, actor=crew["other_officer"])
        rn.red_notice_acknowledge(notice=closed, actor=crew["officer"])
        rn.red_notice_check_in(notice=closed, actor=crew["officer"])
        rn.red_notice_report(notice=closed, actor=crew["officer"], report="已处置")
        rn.red_notice_close(notice=closed, actor=crew["secretary"], rating=4)
    return [fine, late, checked_late, closed]


def _rows(html: str) -> str:
    """What the notices' table holds (the last table: the on-time panels come first)."""
    notices = html[html.rindex("<tbody>"):]
    return re.match(r"<tbody>\n  (.*?)\n  </tbody>", notices, re.S).group(1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_row_reads_as_the_template_loop_wrote_it(client, crew, notices, language):
    client.force_login(crew["street"])
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        html = client.get("/red-notices/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        with translation.override(language):
            expected = TEMPLATE_LOOP.render(Context({"page": rn.red_notice_page(crew["street"])}))
    assert _rows(html) == expected
    assert len(re.findall("<tr>", expected)) == len(notices)
    assert "<td>&lt;b&gt;围挡&lt;/b&gt; &amp; 噪音 “夜间施工”影响居民休息影响居民" in expected  # cut at 40
    assert "影响居民休息" * 8 not in expected
    # late: overdue; checked in late and closed (checked in late too): overdue and late each
    assert expected.count('class="pill danger"') == 5
    assert ("Overdue" if language == "en" else "已超时") in expected


def test_a_page_without_notices_says_so(client, crew):
    client.force_login(crew["street"])
    html = client.get("/red-notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(html) == '<tr><td colspan="6">No red notices.</td></tr>'


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["district", "street", "secretary", "officer", "head", "other_officer"])
def test_the_api_list_answers_what_the_serializer_writes_for_each_viewer(crew, notices, language, who):
    """The API's list rows are written from plain values (``api.red_notice_list_answer``): field for
    field what ``RedNoticeSerializer`` writes of the same notices, in the same order, per viewer."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIClient

    from communities.red_notices.api import RedNoticeSerializer

    api = APIClient()
    api.force_authenticate(crew[who])
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        answer = api.get("/api/red-notices/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        with translation.override(language):
            expected = json.loads(JSONRenderer().render(
                RedNoticeSerializer(rn.red_notice_page(crew[who]).rows, many=True).data))
    assert answer == expected
    assert answer and {row["id"] for row in answer} <= {n.pk for n in notices}
    if who == "street":
        assert len(answer) == 4 and {row["status_label"] for row in answer} >= (
            {"Closed", "Checked in"} if language == "en" else {"已关闭", "已报到"})
