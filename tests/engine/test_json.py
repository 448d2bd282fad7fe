"""JSON providers and the reversible ``json`` monkey patch; outputs pinned."""

from __future__ import annotations

import datetime
import decimal
import io
import json
from typing import Any

import pytest

from ctxcore import App
from ctxcore import json as cjson

DOC = {"b": [1, 2.5, None, True], "a": "text/é", "n": {"x": -1}}


@pytest.fixture(autouse=True)
def _restore_json() -> Any:
    yield
    cjson.unpatch()


@pytest.mark.parametrize("backend", ["json", "ujson", "orjson"])
def test_app_json_responses_use_the_configured_provider(backend: str) -> None:
    app = App(__name__)
    app.config["JSON_PROVIDER"] = backend
    app.add_url_rule("/", "doc", lambda: DOC)
    response = app.test_client().get("/")
    assert response.mimetype == "application/json"
    assert response.json == DOC
    assert app.json.backend == backend


def test_sort_keys_setting() -> None:
    app = App(__name__)
    app.add_url_rule("/", "doc", lambda: {"b": 1, "a": 2})
    client = app.test_client()
    assert client.get("/").get_data(as_text=True) == '{"a":2,"b":1}\n'  # Flask's default
    app.config["JSON_SORT_KEYS"] = False
    assert client.get("/").get_data(as_text=True) == '{"b":1,"a":2}\n'


def test_unknown_or_missing_backend_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="unknown JSON backend 'simplejsonx'"):
        cjson.patch("simplejsonx")
    import sys

    monkeypatch.setitem(sys.modules, "ujson", None)
    with pytest.raises(ValueError, match="not installed"):
        cjson.get_provider("ujson")


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_patch_and_unpatch_swap_the_json_functions(backend: str) -> None:
    original = json.dumps
    cjson.patch(backend)
    assert json.dumps is not original
    assert cjson.is_patched() == backend
    cjson.unpatch()
    assert json.dumps is original
    assert cjson.is_patched() is None


def test_context_manager_restores_the_previous_state() -> None:
    cjson.patch("ujson")
    with cjson.patched("orjson"):
        assert cjson.is_patched() == "orjson"
    assert cjson.is_patched() == "ujson"
    cjson.unpatch()
    with cjson.patched("orjson"):
        pass
    assert cjson.is_patched() is None


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_loads_agrees_with_the_standard_library(backend: str) -> None:
    text = json.dumps(DOC)
    with cjson.patched(backend):
        assert json.loads(text) == DOC
        assert json.loads(text.encode()) == DOC
        assert json.load(io.StringIO(text)) == DOC
        # Values the fast parsers reject fall back to the standard library.
        assert json.loads("[NaN, 1e400]")[1] == float("inf")
        big = json.loads("123456789012345678901234567890")
        assert big == 123456789012345678901234567890
        with pytest.raises(json.JSONDecodeError):
            json.loads("{broken")


# Pinned outputs: where patched dumps agree with the standard library, and where not.
PINNED = {
    "json": '{"b": [1, 2.5, null, true], "a": "text/\\u00e9", "n": {"x": -1}}',
    "ujson": '{"b":[1,2.5,null,true],"a":"text/\\u00e9","n":{"x":-1}}',
    "orjson": '{"b": [1, 2.5, null, true], "a": "text/\\u00e9", "n": {"x": -1}}',
}


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_dumps_outputs_are_pinned(backend: str) -> None:
    with cjson.patched(backend):
        assert json.dumps(DOC) == PINNED[backend]
        # orjson cannot escape to ASCII, so the default (ensure_ascii=True) call is the
        # standard library's; with ensure_ascii=False it is orjson's compact output.
        compact = json.dumps(DOC, ensure_ascii=False)
        if backend == "orjson":
            assert compact == '{"b":[1,2.5,null,true],"a":"text/é","n":{"x":-1}}'
        else:
            assert compact == '{"b":[1,2.5,null,true],"a":"text/é","n":{"x":-1}}'
        assert json.dumps({"b": 1, "a": 2}, sort_keys=True, ensure_ascii=False) == '{"a":2,"b":1}'


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_calls_the_fast_library_cannot_honour_fall_back(backend: str) -> None:
    class Encoder(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            return str(o)

    value = {"when": datetime.date(2026, 1, 2), "d": decimal.Decimal("1.5")}
    with cjson.patched(backend):
        assert json.dumps(value, cls=Encoder) == '{"when": "2026-01-02", "d": "1.5"}'
        assert json.dumps(value, default=str) == '{"when": "2026-01-02", "d": "1.5"}'
        assert json.dumps([1], separators=(",", ":")) == "[1]"
        assert json.dumps({"a": [1]}, indent=4) == '{\n    "a": [\n        1\n    ]\n}'
        assert json.loads('{"a": 1}', object_hook=sorted) == ["a"]
        with pytest.raises(TypeError):
            json.dumps({"s": {1, 2}})  # unserializable everywhere: the stdlib's error
        buffer = io.StringIO()
        json.dump([1, "x"], buffer, default=str)
        assert json.loads(buffer.getvalue()) == [1, "x"]


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_patched_dumps_keep_nan_and_infinities(backend: str) -> None:
    """Found by fuzzing: orjson writes them as null; the patch leaves them to the stdlib."""
    values = [float("nan"), float("inf"), -float("inf"), None, {"x": [1.5, None]}]
    expected = json.dumps(values)
    with cjson.patched(backend):
        out = json.dumps(values)
    assert out.replace(" ", "") == expected.replace(" ", "")
    assert repr(json.loads(out)) == repr(json.loads(expected))


def test_patched_ujson_also_reads_some_invalid_documents() -> None:
    """A pinned difference (found by fuzzing): ujson reads leading zeros, the stdlib refuses."""
    with pytest.raises(ValueError, match="Expecting"):
        json.loads("[02.5]")
    with cjson.patched("ujson"):
        assert json.loads("[02.5]") == [2.5]
    with cjson.patched("orjson"), pytest.raises(ValueError, match="Expecting"):
        json.loads("[02.5]")  # orjson refuses it, and so does the stdlib it falls back to
