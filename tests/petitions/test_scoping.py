import pytest

from communities.people.access import handles, sees_contact
from communities.core.masking import mask_name, mask_phone
from petitions.selectors import petition_public_view, petition_track, petitions_visible_to
from petitions import services as s


@pytest.fixture
def petitions(submit, category, wage_category, tree, people):
    home = submit(category, name="王小明")
    wages = submit(wage_category, community=tree["c12"], phone="13700001111")
    far = submit(category, community=tree["c21"], phone="13600002222")
    return {"home": home, "wages": wages, "far": far}


def visible(user):
    return set(petitions_visible_to(user).values_list("pk", flat=True))


def test_each_role_sees_exactly_its_petitions(petitions, people, make_user):
    p = {k: v.pk for k, v in petitions.items()}
    assert visible(people["secretary"]) == {p["home"]}
    assert visible(people["other_secretary"]) == {p["far"]}
    assert visible(people["officer"]) == {p["wages"]}
    assert visible(people["street"]) == {p["home"], p["wages"]}
    assert visible(people["other_street"]) == {p["far"]}
    assert visible(people["district"]) == set(p.values())
    assert visible(people["nobody"]) == set()
    assert visible(people["grid"]) == set()  # a grid worker sees what happens in the grid


def test_a_resident_account_sees_only_its_own(petitions, people, tree, category):
    from petitions.services import PetitionInput, petition_submit

    own = petition_submit(data=PetitionInput(category=category, title="t", description="d", phone="13512345678",
                                             community=tree["c11"]), actor=people["resident"])
    assert visible(people["resident"]) == {own.pk}


def _walk_in(people, tree, category, point, **kwargs):
    from petitions.models import Channel
    from petitions.services import PetitionInput, petition_submit

    return petition_submit(data=PetitionInput(category=category, title="t", description="d", phone="13512345678",
                                              community=kwargs.pop("community", tree["c11"])),
                           actor=kwargs.pop("actor", people["staff"]), channel=kwargs.pop("channel", Channel.HALL), service_point=point)


def test_community_hall_staff_work_every_petition_of_their_community(petitions, people, tree, category):
    taken = _walk_in(people, tree, category, people["hall"])
    # The web petition of the same community too, not the neighbour's nor the far street's.
    assert visible(people["staff"]) == {taken.pk, petitions["home"].pk}
    assert handles(people["staff"], petitions["home"]) and not handles(people["staff"], petitions["wages"])


def test_station_staff_work_what_was_taken_in_at_their_station(petitions, people, tree, category, make_user):
    from communities.models import Role
    from petitions.models import Channel
    from tests.factories import ServicePointFactory

    station = ServicePointFactory(region=tree["c11"], tier="station")
    clerk = make_user(Role.HALL_STAFF, station, username="clerk")
    taken = _walk_in(people, tree, category, station, channel=Channel.STATION, actor=clerk)
    assert visible(clerk) == {taken.pk}
    assert handles(clerk, taken) and not handles(clerk, petitions["home"])


def test_grid_workers_work_the_petitions_of_their_grid(petitions, people, tree):
    from petitions.models import Petition

    Petition.objects.filter(pk=petitions["home"].pk).update(grid=tree["g111"])
    Petition.objects.filter(pk=petitions["wages"].pk).update(grid=tree["g121"])
    assert visible(people["grid"]) == {petitions["home"].pk}
    assert handles(people["grid"], Petition.objects.get(pk=petitions["home"].pk))


def test_community_hall_staff_see_the_community_on_the_page_and_in_the_api(client, petitions, people):
    from rest_framework.test import APIClient

    client.force_login(people["staff"])
    html = client.get("/staff/petitions/").content.decode()
    assert petitions["home"].tracking_code in html and petitions["far"].tracking_code not in html
    assert "13812345678" in html  # they handle it, so the contact is not masked
    api = APIClient()
    api.force_authenticate(people["staff"])
    codes = [r["tracking_code"] for r in api.get("/api/petitions/").json()["results"]]
    assert codes == [petitions["home"].tracking_code]
    accepted = api.post(f"/api/petitions/{petitions['home'].pk}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_contact_is_masked_for_those_who_do_not_handle_it(petitions, people):
    home = petitions["home"]
    assert sees_contact(people["secretary"], home)
    assert not sees_contact(people["officer"], home)
    assert not sees_contact(people["nobody"], home)
    assert mask_phone(home.resident_phone) == "138****5678"
    assert mask_name(home.resident_name) == "王**"


def test_tracking_needs_code_and_phone_and_says_nothing_else(petitions):
    home = petitions["home"]
    assert petition_track(home.tracking_code, "5678") == home
    assert petition_track(home.tracking_code.lower().replace("-", ""), "5678") == home
    assert petition_track(home.tracking_code, "0000") is None
    assert petition_track("GM-AAAA-AAAA", "5678") is None
    assert petition_track("", "") is None


def test_public_view_hides_staff_and_internal_steps(petitions, people):
    home = petitions["home"]
    s.petition_accept(petition=home, actor=people["secretary"])
    s.petition_assign(petition=home, actor=people["secretary"], assignee=people["grid"], note="内部备注")
    s.petition_resolve(petition=home, actor=people["grid"], public_reply="已处理完毕")
    home.refresh_from_db()
    view = petition_public_view(home)
    assert view["status"] == "resolved" and view["public_reply"] == "已处理完毕"
    assert [step["action"] for step in view["timeline"]] == ["submit", "accept", "resolve"]
    text = str(view)
    assert "内部备注" not in text and people["grid"].username not in text and "13812345678" not in text
