import pytest

from communities.models import Region
from tests.factories import RegionFactory, ServicePointFactory

URL = "/service-points/near/"


@pytest.fixture
def network(db):
    district = RegionFactory(code="440311", level=Region.Level.DISTRICT)
    street = RegionFactory(code="440311001", name="光明街道", level=Region.Level.STREET, parent=district)
    community = RegionFactory(code="440311001001", name="光明社区", level=Region.Level.COMMUNITY,
                              parent=street, latitude=22.77, longitude=113.93)
    far = RegionFactory(code="440311001002", name="碧眼社区", level=Region.Level.COMMUNITY,
                        parent=street, latitude=22.90, longitude=114.10)
    ServicePointFactory(name="光明社区群众诉求服务大厅", region=community, tier="community_hall",
                        latitude=22.7702, longitude=113.9301, services=["legal", "complaint"],
                        address="光明社区党群服务中心", phone="0755-23410001")
    ServicePointFactory(name="天汇城服务站", region=community, latitude=22.7748, longitude=113.9330,
                        services=["complaint"], address="天汇城三楼")
    return {"community": community, "far": far}


def zh(client, params):
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_community_choice_lists_nearest_first(client, network):
    html = zh(client, {"community": "440311001001"})
    assert "光明社区 500 米范围内有 1 个服务点" in html
    assert html.index("光明社区群众诉求服务大厅") < html.rindex("</ol>")
    assert 'href="tel:0755-23410001"' in html
    assert "天汇城服务站" not in html  # ~570 m away: outside 500 m
    html = zh(client, {"community": "440311001001", "radius": "1000"})
    assert html.index("光明社区群众诉求服务大厅") < html.index("天汇城服务站")


def test_coordinates_and_service_filter(client, network):
    html = zh(client, {"lat": "22.7748", "lng": "113.9330", "service": "legal", "radius": "1000"})
    assert "您的位置 1000 米范围内有 1 个服务点" in html
    assert "光明社区群众诉求服务大厅" in html and "天汇城服务站" not in html


def test_keyword_finds_a_place(client, network):
    html = zh(client, {"q": "天汇城"})
    assert "天汇城服务站" in html
    assert "距离 0 米" in html


def test_nothing_in_range_shows_the_nearest_anyway(client, network):
    html = zh(client, {"community": "440311001002"})
    assert "该范围内没有服务点。离您最近的是：" in html
    assert "光明社区群众诉求服务大厅" in html and "天汇城服务站" in html


def test_bad_coordinates_give_a_clear_message(client, network):
    response = client.get(URL, {"lat": "abc", "lng": "113.9"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "无法读取您的位置，请改为选择您所在的社区。" in response.content.decode()
    html = zh(client, {"lat": "95", "lng": "113.9"})
    assert "无法读取您的位置" in html


def test_unknown_place_and_empty_search(client, network):
    assert "没有找到这个地点，请试试输入社区名称。" in zh(client, {"q": "月球基地"})
    assert "请选择社区、输入地点，或使用您的位置。" in zh(client, {"service": "legal"})


def test_communities_grouped_by_street_in_the_picker(client, network):
    html = zh(client, {})
    assert '<optgroup label="光明街道">' in html
    assert '<label for="id_community">社区</label>' in html
