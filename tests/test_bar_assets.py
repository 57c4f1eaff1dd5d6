"""The bar's build and its two script URLs (identity_api/bar_assets.py), through the Flask test client."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

import pytest
from click.testing import CliRunner

from identity_api import bar_assets, create_app
from identity_api.config import Config
from tests.conftest import TEST_SECRET_KEY
from tests.servers import REPO

BUDGET = 6 * 1024
WIDGET = REPO / "widget"


@pytest.fixture
def app(tmp_path):
    config = Config(env="development", database=tmp_path / "db.sqlite3", secret_keys=(TEST_SECRET_KEY,),
                    public_url="http://localhost:8000", outbox=tmp_path / "outbox")
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def bundle(app):
    return app.extensions["masthead_bar"]


def test_served_script_fits_the_byte_budget(client):
    body = client.get("/masthead.js", headers={"Accept-Encoding": "identity"}).data
    size = len(gzip.compress(body, 9))
    assert size <= BUDGET, f"the bar is {size} bytes gzipped, over the {BUDGET}-byte budget"


def test_css_is_embedded_minified_and_the_placeholder_is_gone(client):
    body = client.get("/masthead.js", headers={"Accept-Encoding": "identity"}).data.decode()
    assert "__MASTHEAD_CSS__" not in body
    assert ":host{all:initial!important" in body
    assert "/*" not in body  # comments stripped by the minifiers


def test_short_url_headers(client, bundle):
    response = client.get("/masthead.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["ETag"] == f'"{bundle.digest}"'
    assert response.data == bundle.body


def test_etag_revalidation_answers_304(client):
    first = client.get("/masthead.js", headers={"Accept-Encoding": "identity"})
    again = client.get("/masthead.js", headers={"If-None-Match": first.headers["ETag"],
                                                "Accept-Encoding": "identity"})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=300"
    stale = client.get("/masthead.js", headers={"If-None-Match": '"0000"', "Accept-Encoding": "identity"})
    assert stale.status_code == 200


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_precompressed_variants_decode_to_the_same_bytes(client, bundle, encoding):
    if encoding not in bundle.encoded:
        pytest.skip(f"{encoding} support not installed")
    response = client.get("/masthead.js", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["ETag"] != f'"{bundle.digest}"'  # each representation has its own ETag
    if encoding == "gzip":
        assert gzip.decompress(response.data) == bundle.body
    else:
        import brotli

        assert brotli.decompress(response.data) == bundle.body


def test_versioned_url_is_immutable_and_matches_its_integrity(client, bundle):
    response = client.get(f"/masthead.{bundle.digest}.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    digest = base64.b64encode(hashlib.sha384(response.data).digest()).decode()
    assert bundle.integrity == f"sha384-{digest}"
    assert bundle.digest == hashlib.sha256(response.data).hexdigest()[:16]


@pytest.mark.parametrize("path", ["/masthead.0123456789abcdef.js", "/masthead.x.js", "/masthead..js",
                                  "/masthead.js.map"])
def test_unknown_versions_are_404(client, path):
    assert client.get(path).status_code == 404


def test_the_source_has_no_eval_no_html_parsing_and_no_inline_styles():
    source = (WIDGET / "masthead.js").read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)  # comments may mention them
    for forbidden in ("eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML",
                      "document.write", "setAttribute('style'", "cssText", "setTimeout('", ".onclick"):
        assert forbidden not in code, forbidden
    assert code.count("window.Masthead") == 0 and code.count("W.Masthead =") == 1  # one global, set once


def test_build_rejects_sources_without_the_css_placeholder(tmp_path):
    (tmp_path / "masthead.js").write_text("(() => {})();")
    (tmp_path / "masthead.css").write_text(":host{}")
    with pytest.raises(bar_assets.BuildError):
        bar_assets.build(tmp_path)


def test_widget_dir_can_be_overridden(tmp_path, monkeypatch):
    (tmp_path / "masthead.js").write_text("(() => { const css = '__MASTHEAD_CSS__'; })();")
    (tmp_path / "masthead.css").write_text(":host { color : red ; }")
    monkeypatch.setenv("MASTHEAD_WIDGET_DIR", str(tmp_path))
    assert bar_assets.build().body == b'(()=>{const css=":host{color:red}";})();'


def test_embed_command_prints_both_snippets(monkeypatch, tmp_path):
    monkeypatch.setenv("MASTHEAD_ENV", "development")
    monkeypatch.setenv("MASTHEAD_PUBLIC_URL", "https://id.example.com")
    monkeypatch.setenv("MASTHEAD_SECRET_KEYS", TEST_SECRET_KEY)
    monkeypatch.setenv("MASTHEAD_DATABASE", str(tmp_path / "db.sqlite3"))
    bundle = bar_assets.build()
    result = CliRunner().invoke(bar_assets.embed_command, ["notes"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert '<script src="https://id.example.com/masthead.js" data-app="notes" async></script>' in out
    assert (f'<script src="https://id.example.com/masthead.{bundle.digest}.js" integrity="{bundle.integrity}" '
            'crossorigin="anonymous"') in out
    assert '<masthead-bar><a href="http' in out and '/sign-in">Sign in</a></masthead-bar>' in out
    assert bar_assets.RESERVE_CSS in out and bar_assets.QUEUE_STUB in out


def test_embed_command_rejects_a_bad_app_id():
    result = CliRunner().invoke(bar_assets.embed_command, ["Not An Id"])
    assert result.exit_code == 2
    assert "APP_ID must match" in result.output


def test_masthead_embed_is_a_real_cli_command(tmp_path):
    from tests.conftest import identity_env, run_cli

    env = identity_env(tmp_path / "db.sqlite3", "http://localhost:8000")
    out = run_cli(env, "embed", "notes").stdout
    assert '<script src="http://localhost:8000/masthead.js" data-app="notes" async></script>' in out
    assert re.search(r'src="http://localhost:8000/masthead\.[0-9a-f]{16}\.js" integrity="sha384-', out)
    assert run_cli(env, "embed", "NOPE", check=False).returncode == 2
