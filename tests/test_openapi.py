"""identity_api/openapi.yaml parses, is OpenAPI 3.1, and matches the app's routes."""

from __future__ import annotations

from pathlib import Path

import yaml

import identity_api

SPEC = yaml.safe_load((Path(identity_api.__file__).parent / "openapi.yaml").read_text())


def test_is_openapi_31():
    assert SPEC["openapi"].startswith("3.1")
    assert SPEC["info"]["title"]


def test_every_documented_path_and_method_exists(id_app):
    routes = {rule.rule: rule.methods for rule in id_app.url_map.iter_rules()}
    for path, operations in SPEC["paths"].items():
        assert path in routes, f"{path} documented but not routed"
        for method in operations:
            assert method.upper() in routes[path], f"{method.upper()} {path} documented but not allowed"


def test_every_api_route_is_documented(id_app):
    documented = set(SPEC["paths"])
    for rule in id_app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            assert rule.rule in documented, f"{rule.rule} is not in openapi.yaml"


def test_refs_resolve():
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    target = SPEC
                    for part in value.lstrip("#/").split("/"):
                        target = target[part]
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(SPEC)
