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


# NaN and infinities: the fast paths keep the standard library's output and errors.
NON_FINITE = [float("nan"), float("inf"), -float("inf")]


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
@pytest.mark.parametrize(
    "value",
    [
        {"a": [None, float("nan")], "b": {"c": float("inf")}, "d": -float("inf")},
        [None, [1.5, (2.5, -float("inf"))]],
        {float("nan"): 1, "x": None},
        {float("inf"): [None], -float("inf"): 2},
    ],
    ids=["values", "in-a-tuple", "nan-key", "infinite-keys"],
)
def test_patched_dumps_write_non_finite_floats_as_the_stdlib_does(backend: str, value: Any) -> None:
    """NaN, Infinity and -Infinity, as values or keys, beside a null: the stdlib's
    tokens (ujson writes non-finite values itself, compact; the rest is the stdlib's)."""
    expected = json.dumps(value, ensure_ascii=False)
    with cjson.patched(backend):
        out = json.dumps(value, ensure_ascii=False)
    assert out.replace(" ", "") == expected.replace(" ", "")
    assert repr(json.loads(out)) == repr(json.loads(expected))


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
@pytest.mark.parametrize("non_finite", NON_FINITE, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("as_key", [False, True], ids=["value", "key"])
def test_patched_dumps_with_allow_nan_false_raise_the_stdlib_error(
    backend: str, non_finite: float, as_key: bool
) -> None:
    value = {non_finite: None} if as_key else {"x": [None, non_finite]}
    message = "Out of range float values are not JSON compliant"
    with pytest.raises(ValueError, match=message) as unpatched:
        json.dumps(value, ensure_ascii=False, allow_nan=False)
    with cjson.patched(backend), pytest.raises(ValueError, match=message) as patched:
        json.dumps(value, ensure_ascii=False, allow_nan=False)
    assert str(patched.value) == str(unpatched.value)


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_patched_dumps_with_allow_nan_false_stay_fast_on_finite_documents(backend: str) -> None:
    """allow_nan=False is honoured by the fast library: compact output, no error."""
    with cjson.patched(backend):
        out = json.dumps(DOC, ensure_ascii=False, allow_nan=False)
    assert out == '{"b":[1,2.5,null,true],"a":"text/é","n":{"x":-1}}'


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_patched_dumps_write_small_exponents_without_a_leading_zero(backend: str) -> None:
    """A pinned difference: the fast libraries write 1e-07 as 1e-7 (the same float)."""
    value = [1e-07, 1e16, 0.1 + 0.2]
    assert json.dumps(value) == "[1e-07, 1e+16, 0.30000000000000004]"
    with cjson.patched(backend):
        out = json.dumps(value, ensure_ascii=False)
    assert out == "[1e-7,1e+16,0.30000000000000004]"
    assert json.loads(out) == value


def test_patched_orjson_refuses_dates_and_dataclasses_as_the_stdlib_does() -> None:
    import dataclasses

    @dataclasses.dataclass
    class Point:
        x: int

    for value in (datetime.date(2026, 1, 2), datetime.datetime(2026, 1, 2), Point(1)):
        with cjson.patched("orjson"), pytest.raises(TypeError, match="not JSON serializable"):
            json.dumps(value, ensure_ascii=False)


def test_patched_orjson_writes_uuids_and_enum_members() -> None:
    """A pinned difference: orjson writes them (it has no way to refuse them); the
    standard library raises TypeError, and so does the patch with ujson."""
    import enum
    import uuid

    class Colour(enum.Enum):
        RED = "red"

    value = [uuid.UUID(int=1), Colour.RED]
    with pytest.raises(TypeError):
        json.dumps(value)
    with cjson.patched("orjson"):
        assert json.dumps(value, ensure_ascii=False) == (
            '["00000000-0000-0000-0000-000000000001","red"]'
        )
    with cjson.patched("ujson"), pytest.raises(TypeError):
        json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("traces_first", [False, True], ids=["c-check", "python-check"])
@pytest.mark.parametrize(
    ("backend", "value", "trace"),
    [
        ("orjson", {"a": [1, 2.5, "x"]}, False),  # no null: nothing could hide there
        ("orjson", {"a": [1, 2.5, None]}, True),
        ("ujson", {"a": [1, 2.5, None]}, False),  # ujson writes non-finite values itself
        ("ujson", {"nan": 1.5}, True),  # a key that could be a NaN's
    ],
)
def test_patched_dumps_search_the_document_at_once_in_c_or_on_a_trace_in_python(
    monkeypatch: pytest.MonkeyPatch, traces_first: bool, backend: str, value: Any, trace: bool
) -> None:
    """The C search costs what looking for a trace in the output would: it runs on every
    fast document. The Python one costs as much as the stdlib's dumps: it runs only when
    the output shows a trace (the mechanism; the speed is the bench's json suite)."""
    from ctxcore.json import _backends

    calls: list[Any] = []

    def spy(obj: Any) -> bool:
        calls.append(obj)
        return False

    monkeypatch.setattr(_backends, "_TRACES_FIRST", traces_first)
    monkeypatch.setattr(_backends, "has_non_finite", spy)
    with cjson.patched(backend):
        json.dumps(value, ensure_ascii=False)
    assert calls == ([value] if trace or not traces_first else [])


def test_the_python_check_looks_for_traces_first() -> None:
    from ctxcore.json import _backends

    assert _backends._TRACES_FIRST is (_backends.has_non_finite is _backends.py_has_non_finite)


def test_the_c_check_is_used_with_the_c_implementation() -> None:
    import ctxcore
    from ctxcore.json._backends import has_non_finite, non_finite_checks, py_has_non_finite

    checks = non_finite_checks()
    if ctxcore.implementation() == "c" and "c" in checks:
        assert has_non_finite is checks["c"]
    else:
        assert has_non_finite is py_has_non_finite


def _check_params() -> list[Any]:
    from ctxcore.json._backends import non_finite_checks

    checks = non_finite_checks()
    return [
        pytest.param(
            checks.get(name),
            id=name,
            marks=pytest.mark.skipif(name not in checks, reason="the C extension was not built"),
        )
        for name in ("py", "c")
    ]


class _Dict(dict):  # type: ignore[type-arg]
    pass


class _List(list):  # type: ignore[type-arg]
    pass


class _Float(float):
    pass


@pytest.mark.parametrize("check", _check_params())
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (DOC, False),
        ({"a": [{"b": ("c", 1.5, None)}]}, False),
        (float("nan"), True),
        ({"a": [{"b": ("c", -float("inf"))}]}, True),
        ({float("nan"): "key"}, True),
        ({"a": "NaN", "b": "Infinity", 1.5: True}, False),
        (_Dict(x=_List([_Float("inf")])), True),
        ([[[[[[[[[[1e308 * 10]]]]]]]]]], True),
        ({1, 2.5}, False),  # sets are not JSON: not entered
    ],
)
def test_each_check_finds_nan_and_infinities_in_keys_values_and_items(
    check: Any, value: Any, expected: bool
) -> None:
    """The C check and its pure-Python twin agree (one suite runs both)."""
    assert check(value) is expected


def test_the_c_check_stops_at_a_cycle() -> None:
    """A cyclic list is never handed over (orjson refuses it first), but the C walk
    still stops with RecursionError instead of crashing."""
    from ctxcore.json._backends import non_finite_checks

    check = non_finite_checks().get("c")
    if check is None:
        pytest.skip("the C extension was not built here")
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(RecursionError):
        check(cycle)


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_patched_dumps_write_keys_that_are_not_str_as_the_stdlib_does(backend: str) -> None:
    value = {10: "a", 2: None, 1.5: True, None: 0, False: [1]}
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert expected == '{"10":"a","2":null,"1.5":true,"null":0,"false":[1]}'
    with cjson.patched(backend):
        assert json.dumps(value, ensure_ascii=False) == expected


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_patched_dumps_sort_integer_keys_as_numbers(backend: str) -> None:
    """The stdlib sorts 2 before 10; orjson would sort their text, so it does not."""
    value = {10: "a", 2: "b"}
    with cjson.patched(backend):
        out = json.dumps(value, ensure_ascii=False, sort_keys=True)
    assert out.replace(" ", "") == '{"2":"b","10":"a"}'
