import re

import pytest


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


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _body(operation, code="200"):
    return operation["responses"][code]["content"]["application/json"]["schema"]


def test_each_action_has_its_own_request_schema(schema):
    bodies = {}
    for path, ops in schema["paths"].items():
        if (path.count("/") == 5 and "{id}" in path and "post" in ops and not path.startswith("/api/alerts")
                and "requestBody" in ops["post"]):
            bodies[path] = ops["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert bodies["/api/petitions/{id}/assign/"].endswith("PetitionAssignInputRequest")
    assert bodies["/api/petitions/{id}/resolve/"].endswith("PetitionResolveInputRequest")
    assert bodies["/api/red-notices/{id}/check-in/"].endswith("RedNoticeNoteInputRequest")
    assert bodies["/api/mediation-cases/{id}/agree/"].endswith("CaseAgreeInputRequest")
    resolve = schema["components"]["schemas"]["PetitionResolveInputRequest"]
    assert resolve["required"] == ["public_reply"] and set(resolve["properties"]) == {"note", "public_reply"}
    agree = schema["components"]["schemas"]["CaseAgreeInputRequest"]
    assert set(agree["required"]) == {"terms", "obligations"}


def test_every_error_an_operation_answers_is_documented_with_its_body(schema):
    for path, ops in schema["paths"].items():
        for method, operation in ops.items():
            codes = set(operation["responses"])
            assert "403" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method == "post":
                assert "400" in codes, (method, path)
            for code in codes - {"200", "201", "202", "204"}:
                assert _body(operation, code)["$ref"].rsplit("/", 1)[1] in {"Error", "ValidationError"}, (path, code)
    for path, method in (("/api/petitions/", "post"), ("/api/petitions/track/{code}/", "get"),
                         ("/api/petitions/track/{code}/feedback/", "post")):
        assert "429" in schema["paths"][path][method]["responses"], path
        assert "Retry-After" in schema["paths"][path][method]["responses"]["429"]["headers"]
    assert "429" not in schema["paths"]["/api/petitions/{id}/"]["get"]["responses"]


def test_lists_are_documented_as_the_shape_they_return(schema):
    paths = schema["paths"]
    # The inbox and the red notices answer keyset pages (a next link, no count).
    for path in ("/api/petitions/", "/api/red-notices/"):
        page = _body(paths[path]["get"])["$ref"].rsplit("/", 1)[1]
        assert set(schema["components"]["schemas"][page]["properties"]) == {"next", "results"}, path
    alerts = _body(paths["/api/alerts/"]["get"])["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][alerts]["properties"]["results"]["type"] == "array"
    scores = _body(paths["/api/scores/departments/"]["get"])["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][scores]["properties"]) == {"period", "results"}
    assert _body(paths["/api/petitions/"]["post"], "201")["$ref"].endswith("/PetitionCreated")
    assert _body(paths["/api/mediation-cases/"]["post"], "201")["$ref"].endswith("/CaseDetail")
    assert _body(paths["/api/petitions/track/{code}/"]["get"])["$ref"].endswith("/PublicView")
    # Staff read the whole petition; the resident who filed it reads the public view.
    assert _body(paths["/api/petitions/{id}/"]["get"])["$ref"].endswith("/PetitionOrPublicView")
    # List filters belong to the list, not to the intake beside it.
    assert "parameters" not in paths["/api/petitions/"]["post"]


def test_nullable_fields_are_marked_nullable(schema):
    components = schema["components"]["schemas"]
    for component, field in (("Petition", "handler_department"), ("Petition", "repeat_of"),
                             ("Case", "petition"), ("RedAlert", "acknowledged_by"), ("Category", "department"),
                             ("PublicView", "rating"), ("DashboardSummary", "satisfaction")):
        assert components[component]["properties"][field].get("nullable") is True, (component, field)
    assert not components["Petition"]["properties"]["tracking_code"].get("nullable")
