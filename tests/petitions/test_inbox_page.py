"""The staff inbox page: open work first, closed history behind a filter, search, and a
landing page per role after signing in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Role
from petitions import services as s
from petitions.models import Petition


@pytest.fixture
def zh_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def cards(response) -> list[str]:
    return [p.title for p in response.context["page"]]


def test_open_work_by_default_closed_history_behind_the_filter(zh_client, submit, category, people):
    open_one = submit(category, title="还在办")
    done = submit(category, title="已经办结", phone="13900001111")
    s.petition_accept(petition=done, actor=people["secretary"])
    s.petition_resolve(petition=done, actor=people["secretary"], public_reply="已处理")
    s.petition_close(petition=done, actor=people["secretary"])
    zh_client.force_login(people["secretary"])
    response = zh_client.get("/staff/petitions/")
    assert cards(response) == [open_one.title]
    html = response.content.decode()
    assert "还在办" in html and "已经办结" not in html
    assert "受理期限" in html  # the deadline is on the card, in its first line
    assert cards(zh_client.get("/staff/petitions/?status=closed")) == ["已经办结"]
    assert sorted(cards(zh_client.get("/staff/petitions/?status=all"))) == sorted(["还在办", "已经办结"])


def test_overdue_then_due_soon_then_newest(zh_client, submit, category, people):
    older = submit(category, title="较早", phone="13900000001")
    newer = submit(category, title="较新", phone="13900000002")
    soon = submit(category, title="快到期", phone="13900000003")
    late = submit(category, title="已超时", phone="13900000004")
    now = timezone.now()
    Petition.objects.filter(pk__in=[older.pk, newer.pk]).update(accept_due_at=now + timedelta(days=3))
    Petition.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=5))
    Petition.objects.filter(pk=soon.pk).update(accept_due_at=now + timedelta(hours=2),
                                               created_at=now - timedelta(hours=9))
    Petition.objects.filter(pk=late.pk).update(overdue_accept_at=now, created_at=now - timedelta(hours=10))
    zh_client.force_login(people["secretary"])
    response = zh_client.get("/staff/petitions/")
    assert cards(response) == ["已超时", "快到期", "较新", "较早"]
    html = response.content.decode()
    assert "超时" in html and html.index("is-late") < html.index("is-due-soon")


@pytest.mark.parametrize("term", ["lastfour", "fullphone", "name", "code", "code-lower"])
def test_search_by_code_phone_or_name(zh_client, submit, category, people, term):
    wanted = submit(category, title="要找的", phone="13812349876", name="陈平")
    submit(category, title="别的", phone="13900005555", name="林秀英")
    query = {"lastfour": "9876", "fullphone": "138 1234 9876", "name": "陈",
             "code": wanted.tracking_code, "code-lower": wanted.tracking_code.lower().replace("-", "")}[term]
    zh_client.force_login(people["secretary"])
    assert cards(zh_client.get("/staff/petitions/", {"q": query})) == ["要找的"]


def test_search_finds_closed_ones_when_asked_and_keeps_its_terms_on_the_next_page(zh_client, submit, category,
                                                                                   people):
    for n in range(27):
        submit(category, title=f"第{n}件", phone=f"139000{n:05d}"[:11])
    zh_client.force_login(people["secretary"])
    html = zh_client.get("/staff/petitions/", {"q": "", "status": "all", "channel": "web"}).content.decode()
    assert "status=all" in html and "channel=web" in html and "after=" in html


LANDING = {"secretary": "/staff/petitions/", "staff": "/staff/petitions/", "grid": "/staff/petitions/",
           "officer": "/red-notices/", "street": "/dashboard/", "district": "/dashboard/",
           "resident": "/petitions/track/"}


@pytest.mark.parametrize("who", sorted(LANDING))
def test_each_role_lands_on_its_own_work_after_signing_in(client, people, password, who):
    response = client.post("/accounts/login/", {"username": people[who].username, "password": password})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == LANDING[who]


def test_a_mediator_lands_on_the_cases_and_next_still_wins(client, tree, make_user, password):
    mediator = make_user(Role.MEDIATOR, tree["c11"], username="mediator")
    response = client.post("/accounts/login/", {"username": mediator.username, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == "/mediation/cases/"
    client.logout()
    response = client.post("/accounts/login/?next=/red-notices/",
                           {"username": mediator.username, "password": password})
    assert response["Location"] == "/red-notices/"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_cards_moments_read_as_the_date_filter_writes_them(language):
    """The inbox writes its cards' moments with one filter (petitions_tags.short_time): the same
    text as Django's date filter, in the site's time zone."""
    from datetime import datetime, timezone as dt_timezone

    from django.template import engines
    from django.utils import translation

    django_engine = engines["django"]
    moment = datetime(2026, 12, 3, 17, 5, 9, 123456, tzinfo=dt_timezone.utc)  # 01:05 the next day in Shenzhen
    ours = django_engine.from_string("{% load petitions_tags %}{{ t|short_time }}")
    theirs = django_engine.from_string("""<time datetime="{{ t|date:'c' }}">{{ t|date:"m-d H:i" }}</time>""")
    with translation.override(language):
        assert ours.render({"t": moment}) == theirs.render({"t": moment})
        assert ">12-04 01:05<" in ours.render({"t": moment})
        assert ours.render({"t": None}) == ""
