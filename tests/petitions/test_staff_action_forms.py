"""The staff petition page: one labelled form per allowed action, errors beside the field with
what was typed kept, the assignee chosen among the community's staff, and the current handler
department and assignee shown."""

from petitions.models import Petition


def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def test_one_labelled_form_per_allowed_action(client, submit, category, people):
    petition = submit(category)
    client.force_login(people["secretary"])
    html = zh(client).get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert 'id="form-accept"' in html and 'id="form-decline"' in html
    assert 'id="id_decline_reason"' in html and "不予受理的理由" in html  # decline has its reason field
    assert 'id="form-resolve"' not in html  # not before it is accepted
    client.post(f"/staff/petitions/{petition.pk}/accept/", {})
    html = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    for name, field in (("assign", "assignee"), ("assign", "department"), ("resolve", "public_reply"),
                        ("extend", "days"), ("extend", "reason")):
        assert f'id="id_{name}_{field}"' in html, (name, field)
    assert 'id="form-start"' in html


def test_a_refused_action_shows_the_error_beside_its_field_and_keeps_the_typing(client, submit, category, people):
    petition = submit(category)
    client.force_login(people["secretary"])
    client.post(f"/staff/petitions/{petition.pk}/accept/", {})
    response = zh(client).post(f"/staff/petitions/{petition.pk}/extend/", {"days": "45", "reason": "需要现场勘查"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_extend_days_error"' in html and 'value="45"' in html and "需要现场勘查" in html
    response = client.post(f"/staff/petitions/{petition.pk}/resolve/", {"public_reply": " ", "note": "电话联系"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_resolve_public_reply_error"' in html
    assert "请告诉居民办理结果。" in html and "电话联系" in html
    assert Petition.objects.get(pk=petition.pk).status == "accepted"


def test_assign_offers_the_community_staff_and_the_page_shows_handler_and_assignee(
        client, submit, category, people, department):
    petition = submit(category)
    client.force_login(people["secretary"])
    client.post(f"/staff/petitions/{petition.pk}/accept/", {})
    html = zh(client).get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert f'<option value="{people["grid"].pk}">' in html
    assert f'<option value="{people["other_secretary"].pk}">' not in html  # another community's staff
    assert f'<option value="{people["resident"].pk}">' not in html
    response = client.post(f"/staff/petitions/{petition.pk}/assign/", {"assignee": people["other_secretary"].pk})
    assert response.status_code == 400 and 'id="id_assign_assignee_error"' in response.content.decode()
    client.post(f"/staff/petitions/{petition.pk}/assign/", {"assignee": people["grid"].pk})
    html = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    assignee = html.split('id="assignee">')[1].split("</dd>")[0]
    assert people["grid"].username in assignee or people["grid"].last_name in assignee
    client.post(f"/staff/petitions/{petition.pk}/assign/", {"department": department.pk})
    html = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert department.name in html.split('id="handler-department">')[1].split("</dd>")[0]
