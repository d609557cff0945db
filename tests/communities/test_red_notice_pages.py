"""Red-notice pages: the department's, the secretary's and the supervisor's view, the official
document on paper and as PDF, and a department that cannot see another's notice."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from communities.red_notices import services as rn
from communities.models import RedNotice
from tests.factories import RED_NOTICE_START as START
from tests.factories import png_bytes

Status = RedNotice.Status
def signed_in(client, user):
    client.force_login(user)
    return client


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_a_secretary_issues_from_the_page_and_gets_a_numbered_notice(client, tree, department, crew):
    signed_in(client, crew["secretary"])
    now = timezone.now()
    response = client.post("/red-notices/new/", {
        "community": tree["c11"].code, "department": department.code, "matter": "工地欠薪，工人聚集",
        "place": "光明大道1号工地", "staff_count": 2, "posts": "劳动监察员", "named_staff": "",
        "checkin_due_at": local(now + timedelta(hours=2)), "result_due_at": local(now + timedelta(hours=8)),
    })
    notice = RedNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/red-notices/{notice.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert notice.number in page and "光明大道1号工地" in page


def test_bad_fields_get_their_own_errors_and_nothing_is_issued(client, tree, department, crew):
    signed_in(client, crew["secretary"])
    now = timezone.now()
    response = client.post("/red-notices/new/", {
        "community": tree["c11"].code, "department": "", "matter": "", "place": "x", "staff_count": 0,
        "checkin_due_at": local(now - timedelta(hours=1)), "result_due_at": "not a time",
    })
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"department", "matter", "staff_count", "checkin_due_at", "result_due_at"}
    assert RedNotice.objects.count() == 0


def test_only_secretaries_reach_the_issuing_page(client, crew):
    assert signed_in(client, crew["officer"]).get("/red-notices/new/").status_code == 404
    assert signed_in(client, crew["street"]).get("/red-notices/new/").status_code == 404


def test_the_department_acknowledges_checks_in_and_reports_with_a_photo(client, issue, crew):
    notice = issue(at=timezone.now() - timedelta(minutes=5))
    signed_in(client, crew["officer"])
    page = client.get(f"/red-notices/{notice.pk}/").content.decode()
    assert 'id="form-acknowledge"' in page and 'id="form-close"' not in page
    assert client.post(f"/red-notices/{notice.pk}/acknowledge/").status_code == 302
    assert client.post(f"/red-notices/{notice.pk}/check_in/", {"note": "2人到场"}).status_code == 302
    response = client.post(f"/red-notices/{notice.pk}/report/", {
        "report": "已拆除违建，通道恢复", "attendees": "张三、李四",
        "attachments": [SimpleUploadedFile("site.png", png_bytes(), content_type="image/png")],
    })
    assert response.status_code == 302, response.context["form"].errors
    notice.refresh_from_db()
    assert notice.status == Status.REPORTED and notice.checkin_on_time is True
    attachment = notice.attachments.get()
    download = client.get(f"/red-notices/{notice.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == png_bytes()
    page = client.get(f"/red-notices/{notice.pk}/").content.decode()
    assert "已拆除违建，通道恢复" in page and "site.png" in page


def test_a_report_without_text_is_refused_on_the_page(client, issue, crew):
    notice = issue(at=timezone.now() - timedelta(minutes=5))
    rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    rn.red_notice_check_in(notice=notice, actor=crew["officer"])
    response = signed_in(client, crew["officer"]).post(f"/red-notices/{notice.pk}/report/", {"report": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["report"]
    notice.refresh_from_db()
    assert notice.status == Status.CHECKED_IN


def test_the_secretary_rates_and_closes(client, issue, crew):
    notice = issue(at=timezone.now() - timedelta(minutes=5))
    for step in (rn.red_notice_acknowledge, rn.red_notice_check_in):
        step(notice=notice, actor=crew["officer"])
    rn.red_notice_report(notice=notice, actor=crew["officer"], report="已处置")
    signed_in(client, crew["secretary"])
    assert client.post(f"/red-notices/{notice.pk}/close/", {"rating": ""}).status_code == 400
    assert client.post(f"/red-notices/{notice.pk}/close/", {"rating": "4"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == Status.CLOSED and notice.rating == 4


@pytest.mark.parametrize("path", ["", "print/", "attachments/1/"])
def test_another_departments_officer_finds_nothing(client, issue, crew, path):
    notice = issue(at=timezone.now() - timedelta(minutes=5))
    signed_in(client, crew["other_officer"])
    assert client.get(f"/red-notices/{notice.pk}/{path}").status_code == 404
    assert client.get(f"/red-notices/{notice.pk}.pdf").status_code == 404
    assert client.post(f"/red-notices/{notice.pk}/acknowledge/").status_code == 404
    assert notice.number not in client.get("/red-notices/").content.decode()
    notice.refresh_from_db()
    assert notice.status == Status.ISSUED


def test_each_side_lists_only_its_own(client, issue, crew, tree, other_department):
    mine = issue(at=timezone.now() - timedelta(minutes=5))
    theirs = issue(at=timezone.now() - timedelta(minutes=5), actor=crew["other_secretary"], community=tree["c21"],
                   department=other_department)
    listing = signed_in(client, crew["officer"]).get("/red-notices/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    listing = signed_in(client, crew["street"]).get("/red-notices/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    listing = signed_in(client, crew["district"]).get("/red-notices/").content.decode()
    assert mine.number in listing and theirs.number in listing
    assert list(signed_in(client, crew["nobody"]).get("/red-notices/").context["page"]) == []


def test_the_supervisor_sees_a_late_department_stand_out(client, issue, crew, tree, other_department):
    on_time = issue()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        rn.red_notice_acknowledge(notice=on_time, actor=crew["officer"])
        rn.red_notice_check_in(notice=on_time, actor=crew["officer"])
    late = issue(department=other_department)
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        rn.red_notice_acknowledge(notice=late, actor=crew["other_officer"])
        rn.red_notice_check_in(notice=late, actor=crew["other_officer"])
        rn.sweep_red_notices()
        response = signed_in(client, crew["street"]).get("/red-notices/")
    (region, rows), = response.context["rates"]
    assert region == tree["s1"]
    assert [(r["department"], r["percent"]) for r in rows] == [("人力资源局", 0), ("住房和建设局", 100)]
    html = response.content.decode()
    late_row = html[html.index('data-department="人力资源局"'):]
    assert late_row.startswith('data-department="人力资源局"') and "pill danger" in late_row.split("</tr>")[0]
    assert 'class="late-row"' in html
    # Overdue ones first in the list.
    assert html.index(late.number) < html.index(on_time.number)


def test_the_list_costs_the_same_queries_for_3_or_30_notices(client, issue, crew):
    def count() -> int:
        signed_in(client, crew["street"])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/red-notices/").status_code == 200
        return len(ctx)

    for _ in range(3):
        issue(at=timezone.now() - timedelta(minutes=5))
    count()  # warm the per-process caches (the signed-in user's grants are read once)
    few = count()
    for _ in range(27):
        issue(at=timezone.now() - timedelta(minutes=5))
    assert count() == few


def test_the_printable_notice_and_its_pdf_say_the_same(client, issue, crew):
    notice = issue(at=timezone.now() - timedelta(minutes=5))
    signed_in(client, crew["officer"])
    html = client.get(f"/red-notices/{notice.pk}/print/").content.decode()
    for text in [notice.number, "社区11", "住房和建设局", "光明社区碧眼新村3栋", "执法队员", "张三", 'class="red-rule"']:
        assert text in html, text
    assert "official.css" in html
    response = client.get(f"/red-notices/{notice.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "default-src 'self'" in response["Content-Security-Policy"]  # PDFs too (issue 10.8)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    for piece in [notice.number, "住房和建设局", "光明社区碧眼新村3栋", "执法队员"]:
        assert piece in text, piece
    deadline = timezone.localtime(notice.checkin_due_at).strftime("%Y-%m-%d %H:%M")
    assert deadline in html and deadline in text


def test_the_header_offers_red_notices_only_to_those_who_have_them(client, crew):
    assert 'href="/red-notices/"' in signed_in(client, crew["officer"]).get("/").content.decode()
    assert 'href="/red-notices/"' not in signed_in(client, crew["nobody"]).get("/").content.decode()


def test_the_api_list_costs_the_same_queries_for_3_or_30_notices(issue, crew):
    from rest_framework.test import APIClient

    api = APIClient()

    def count() -> int:
        api.force_authenticate(crew["street"])
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/red-notices/").status_code == 200
        return len(ctx)

    for _ in range(3):
        issue(at=timezone.now() - timedelta(minutes=5))
    count()  # warm the per-process caches
    few = count()
    for _ in range(27):
        issue(at=timezone.now() - timedelta(minutes=5))
    assert count() == few


def test_a_refused_report_keeps_its_photo_for_the_next_try(client, issue, crew):
    """Issue 13 point 6 on the department's report step: the photo chosen with a refused report
    is shown as kept and attached when the report is sent again."""
    import re

    notice = issue(at=timezone.now() - timedelta(minutes=5))
    rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    rn.red_notice_check_in(notice=notice, actor=crew["officer"])
    response = signed_in(client, crew["officer"]).post(f"/red-notices/{notice.pk}/report/", {
        "report": " ", "attachments": [SimpleUploadedFile("site.png", png_bytes(), content_type="image/png")]})
    html = response.content.decode()
    assert response.status_code == 400 and response.context["form"].errors["report"]
    (token,) = re.findall(r'name="attachments-kept" value="([^"]+)"', html)
    assert 'src="data:image/jpeg;base64,' in html and "site.png" in html
    response = client.post(f"/red-notices/{notice.pk}/report/", {"report": "已拆除违建", "attachments-kept": token})
    assert response.status_code == 302
    assert notice.attachments.get().original_name == "site.png"
