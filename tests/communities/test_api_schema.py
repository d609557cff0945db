import re


def test_schema_describes_the_public_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("/api/service-points/", "/api/regions/", "/api/departments/", "/api/auth/token/"):
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/service-points/"]["get"]["parameters"]}
    assert {"lat", "lng", "radius", "service"} <= names


def test_docs_page_is_served_without_a_cdn(client, db):
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert all(a.startswith("/") for a in assets), assets
