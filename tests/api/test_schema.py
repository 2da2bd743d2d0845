"""The OpenAPI schema and the docs page: public, complete, and served from local files."""

import re

import pytest
import yaml
from drf_spectacular.validation import validate_schema

from tests.api.test_scoping import ENDPOINTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_public_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_declares_a_list_and_a_detail_path_for_every_endpoint(schema):
    for endpoint in ENDPOINTS:
        assert "get" in schema["paths"][f"/api/v1/{endpoint}/"]
        assert "get" in schema["paths"][f"/api/v1/{endpoint}/{{id}}/"]


def test_every_operation_declares_the_error_responses_in_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    path,
                    method,
                    status,
                )
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}


def test_lists_declare_updated_since_and_the_cursor(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/enrolments/"]["get"]["parameters"]}
    assert {"updated_since", "cursor", "page_size", "status", "batch", "ordering"} <= parameters


def test_the_token_is_declared_as_a_bearer_scheme(schema):
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_docs_page_loads_only_the_portals_own_static_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert any(s.endswith("/swagger-ui-bundle.js") for s in scripts)
    assert scripts[-1] == "/static/js/swagger-init.js"
    assert any(s.endswith("/swagger-ui.css") for s in stylesheets)
    for source in scripts + stylesheets:
        assert source.startswith("/static/"), source


def test_the_docs_page_works_under_a_strict_content_security_policy(api):
    """No inline script, no inline style, no event handler attribute: the schema's URL is
    passed in a data attribute that static/js/swagger-init.js reads."""
    html = api.get("/api/docs/").content.decode()
    assert re.findall(r"<script[^>]*>(.*?)</script>", html, re.S) == [""] * html.count("<script")
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert 'data-schema-url="/api/schema/"' in html
