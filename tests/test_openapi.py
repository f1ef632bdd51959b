"""The OpenAPI schema is a contract: the committed hipknee_api/openapi.yaml is what the code
generates, it validates without warnings, and it documents what the public API does."""

import io
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

COMMITTED = Path(settings.BASE_DIR) / "hipknee_api" / "openapi.yaml"
PROBLEM = "application/problem+json"

PUBLIC_LISTS = [
    "/api/v1/articles/",
    "/api/v1/conditions/",
    "/api/v1/causes/",
    "/api/v1/symptoms/",
    "/api/v1/warning-signs/",
    "/api/v1/treatments/",
]
PUBLIC_DETAILS = [f"{path}{{slug}}/" for path in PUBLIC_LISTS] + [
    "/api/v1/articles/{slug}/sections/{kind}/"
]


def generate(tmp_path: Path) -> str:
    """The schema as `make schema` writes it, failing on any warning."""
    out = tmp_path / "openapi.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=io.StringIO()
    )
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schema() -> dict:
    """The committed schema (the first test proves it is what the code generates)."""
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def test_committed_schema_is_what_the_code_generates(tmp_path):
    generated = generate(tmp_path)

    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "hipknee_api/openapi.yaml is out of date: run `make schema` and commit it."
    )


@pytest.mark.parametrize("path", PUBLIC_LISTS + PUBLIC_DETAILS + ["/api/v1/"])
def test_every_public_operation_documents_its_errors_as_problems(schema, path):
    operation = schema["paths"][path]["get"]
    expected = {"400", "401", "404", "406", "413"} - ({"404"} if path == "/api/v1/" else set())

    errors = {code for code in operation["responses"] if code.startswith("4")}

    assert errors >= expected
    for code in errors:
        response = operation["responses"][code]
        if "$ref" in response:  # a shared response, e.g. 429 TooManyRequests
            response = schema["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        content = response["content"]
        assert list(content) == [PROBLEM], (path, code)
        assert response["description"], (path, code)
    assert content[PROBLEM]["schema"]["$ref"] in {
        "#/components/schemas/Problem", "#/components/schemas/ValidationProblem"
    }


@pytest.mark.parametrize("path", PUBLIC_LISTS)
def test_list_400_is_a_validation_problem(schema, path):
    response = schema["paths"][path]["get"]["responses"]["400"]

    assert response["content"][PROBLEM]["schema"] == {
        "$ref": "#/components/schemas/ValidationProblem"
    }


def test_problem_components(schema):
    components = schema["components"]["schemas"]

    assert set(components["Problem"]["properties"]) == {
        "type", "title", "status", "detail", "code"
    }
    assert set(components["ValidationProblem"]["properties"]) == {
        "type", "title", "status", "detail", "code", "errors"
    }
    assert components["ValidationProblem"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/FieldError"
    }
    assert set(components["FieldError"]["properties"]) == {"field", "message", "code"}


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/api/v1/articles/", {"search", "condition", "updated_since", "max_reading_grade"}),
        ("/api/v1/conditions/", {"search", "body_region", "code", "system", "article"}),
        ("/api/v1/causes/", {"search", "condition", "article"}),
        ("/api/v1/symptoms/", {"search", "frequency", "condition", "code", "system",
                                "article"}),
        ("/api/v1/warning-signs/", {"urgency", "condition", "article"}),
        ("/api/v1/treatments/", {"search", "category", "condition", "code", "system",
                                  "article"}),
    ],
)
def test_list_parameters_are_documented_with_descriptions(schema, path, parameters):
    documented = {
        p["name"]: p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"
    }

    assert set(documented) == parameters | {"page", "page_size", "ordering"}
    assert all(p.get("description") for p in documented.values())


@pytest.mark.parametrize(
    ("path", "name", "enum"),
    [
        ("/api/v1/conditions/", "body_region", ["hip", "knee"]),
        ("/api/v1/symptoms/", "frequency", ["common", "less_common"]),
        ("/api/v1/warning-signs/", "urgency", ["immediate", "see_a_doctor"]),
        ("/api/v1/treatments/", "category", ["alternative", "conventional", "home_remedy"]),
        ("/api/v1/articles/", "ordering", ["-title", "-updated_at", "title", "updated_at"]),
        ("/api/v1/conditions/", "ordering", ["-name", "-updated_at", "name", "updated_at"]),
        ("/api/v1/warning-signs/", "ordering", ["-slug", "-updated_at", "slug", "updated_at"]),
    ],
)
def test_choice_parameters_carry_their_enum(schema, path, name, enum):
    parameter = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)
    values = parameter["schema"].get("enum") or parameter["schema"]["items"]["enum"]

    assert sorted(values) == enum


def test_section_kind_path_parameter_is_an_enum(schema):
    parameters = schema["paths"]["/api/v1/articles/{slug}/sections/{kind}/"]["get"]["parameters"]
    kind = next(p for p in parameters if p["name"] == "kind")

    assert kind["schema"]["enum"] == [
        "causes", "conclusion", "introduction", "recovery", "symptoms", "treatment",
        "when_to_see_a_doctor",
    ]


def test_article_detail_has_an_example_matching_its_schema(schema):
    content = schema["paths"]["/api/v1/articles/{slug}/"]["get"]["responses"]["200"]["content"]
    example = content["application/json"]["examples"]["SeedArticle"]["value"]
    component = schema["components"]["schemas"]["ArticleDetail"]

    assert set(example) == set(component["properties"])
    assert example["sections"][1]["timeline"] == [
        {"phase": "initial", "min": 4, "max": 6, "unit": "week"},
        {"phase": "full", "min": 3, "max": 6, "unit": "month"},
    ]
    section = schema["components"]["schemas"]["Section"]
    assert set(example["sections"][0]) == set(section["properties"])


@pytest.mark.django_db
def test_schema_is_served_as_json_on_request(client, schema):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["paths"].keys() == schema["paths"].keys()
