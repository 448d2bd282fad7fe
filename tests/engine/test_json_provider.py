"""app.json as Flask has it: DefaultJSONProvider's conventions, replaceable providers,
the module functions — compared with Flask's own output; the fast providers agree."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import json
import uuid
from typing import Any

import pytest

from ctxcore import App
from ctxcore import json as cjson
from ctxcore.json.provider import DefaultJSONProvider, ORJSONProvider, UJSONProvider

from .parity import Framework


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Html:
    def __html__(self) -> str:
        return "<b>bold</b>"


VALUES: dict[str, Any] = {
    "datetime": datetime.datetime(2026, 12, 3, 13, 4, 5, tzinfo=datetime.timezone.utc),
    "date": datetime.date(2026, 1, 2),
    "decimal": decimal.Decimal("1.10"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "dataclass": Point(1, 2),
    "html": Html(),
    "text": "é/ü",
    "nested": {"z": [1, 2.5, None, True], "a": {}},
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_responses_match_flask_byte_for_byte(fw: Framework, name: str) -> None:
    app = fw.App(__name__)
    value = VALUES[name]
    app.add_url_rule("/", "v", lambda: fw.jsonify(value=value, other=1))
    body = app.test_client().get("/").get_data(as_text=True)
    flask_body = '{"other":1,"value":' + json.dumps(
        value, default=DefaultJSONProvider.default, separators=(",", ":"), sort_keys=True
    )
    assert body == flask_body + "}\n"


def test_debug_indents_and_compact_overrides(fw: Framework) -> None:
    app = fw.App(__name__)
    app.add_url_rule("/", "v", lambda: {"b": [1], "a": 1})
    client = app.test_client()
    app.debug = True
    assert client.get("/").get_data(as_text=True) == '{\n  "a": 1,\n  "b": [\n    1\n  ]\n}\n'
    app.json.compact = True
    assert client.get("/").get_data(as_text=True) == '{"a":1,"b":[1]}\n'


def test_provider_attributes_and_module_functions(fw: Framework) -> None:
    app = fw.App(__name__)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    json_module = fw.module("json")
    with app.app_context():
        assert json_module.dumps({"b": "é", "a": 1}) == '{"b": "é", "a": 1}'
        assert json_module.loads('{"a": [1]}') == {"a": [1]}
        buffer = io.StringIO()
        json_module.dump([1], buffer)
        assert json_module.load(io.StringIO(buffer.getvalue())) == [1]
        response = json_module.jsonify(1, 2)
        assert response.get_json() == [1, 2]
    # Outside an app context: the standard library with the default conventions.
    assert json_module.dumps({"d": datetime.date(2020, 1, 2)}) == (
        '{"d": "Thu, 02 Jan 2020 00:00:00 GMT"}'
    )


def test_jsonify_rejects_args_and_kwargs_together(fw: Framework) -> None:
    app = fw.App(__name__)
    with app.app_context(), pytest.raises(TypeError):
        fw.jsonify(1, a=2)


def test_an_unserializable_value_is_a_type_error(fw: Framework) -> None:
    app = fw.App(__name__)
    with app.app_context(), pytest.raises(TypeError, match="not JSON serializable"):
        app.json.dumps(object())


def test_a_custom_provider_replaces_app_json(fw: Framework) -> None:
    base = fw.module("json.provider").DefaultJSONProvider

    class Upper(base):  # type: ignore[misc,valid-type]
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return str(super().dumps(obj, **kwargs)).upper()

    app = fw.App(__name__)
    app.json = Upper(app)
    app.add_url_rule("/", "v", lambda: {"a": "b"})
    assert app.test_client().get("/").get_data(as_text=True) == '{"A":"B"}\n'


def test_json_provider_class_on_a_subclass(fw: Framework) -> None:
    base = fw.module("json.provider").DefaultJSONProvider

    class Sorted(base):  # type: ignore[misc,valid-type]
        sort_keys = False

    class MyApp(fw.App):  # type: ignore[misc,name-defined]
        json_provider_class = Sorted

    app = MyApp(__name__)
    assert isinstance(app.json, Sorted)


def test_request_get_json_uses_the_provider_and_bad_json_is_a_400(fw: Framework) -> None:
    app = fw.App(__name__)

    @app.post("/")
    def echo() -> Any:
        return {"got": fw.request.get_json()}

    client = app.test_client()
    assert client.post("/", json={"a": [1]}).get_json() == {"got": {"a": [1]}}
    bad = client.post("/", data="{nope", content_type="application/json")
    assert bad.status_code == 400


def test_max_content_length_from_the_config_is_a_413(fw: Framework) -> None:
    app = fw.App(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/")
    def upload() -> str:
        return str(len(fw.request.get_data()))

    client = app.test_client()
    assert client.post("/", data=b"x" * 5).get_data(as_text=True) == "5"
    assert client.post("/", data=b"x" * 50).status_code == 413


@pytest.mark.parametrize("provider_class", [UJSONProvider, ORJSONProvider])
@pytest.mark.parametrize("name", sorted(VALUES))
def test_fast_providers_give_the_same_documents(provider_class: Any, name: str) -> None:
    app = App(__name__)
    app.config["JSON_PROVIDER"] = provider_class.backend
    assert type(app.json) is provider_class
    value = {"value": VALUES[name], "n": [1, 2]}
    standard = DefaultJSONProvider(app)
    for options in ({}, {"separators": (",", ":")}, {"indent": 2}):
        expected = json.loads(standard.dumps(value, **options))
        got = json.loads(app.json.dumps(value, **options))
        if provider_class is UJSONProvider and name == "decimal":
            # The one difference, documented: ujson writes Decimal as a number.
            assert got["value"] == float(VALUES[name])
            continue
        assert got == expected


def test_fast_providers_write_nan_as_the_standard_library_does() -> None:
    app = App(__name__)
    app.config["JSON_PROVIDER"] = "orjson"
    text = app.json.dumps({"x": float("nan")}, separators=(",", ":"))
    assert text == '{"x":NaN}'


def test_orjson_compact_output_is_byte_identical_when_ascii_is_not_required() -> None:
    app = App(__name__)
    app.config["JSON_PROVIDER"] = "orjson"
    value = {"b": "é", "a": [1, None, {"c": 2.5}]}
    assert app.json.dumps(value, separators=(",", ":")) == json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, sort_keys=True
    )


def test_changing_json_provider_in_the_config_rebuilds_app_json() -> None:
    app = App(__name__)
    assert type(app.json) is DefaultJSONProvider
    assert app.json is app.json  # one instance, attributes stick
    app.config["JSON_PROVIDER"] = "orjson"
    assert type(app.json) is ORJSONProvider
    mine = DefaultJSONProvider(app)
    app.json = mine
    app.config["JSON_PROVIDER"] = "ujson"
    assert app.json is mine  # an assigned provider stays
    assert cjson.DefaultJSONProvider is DefaultJSONProvider


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"x": [None, float("nan")]}, '{"x":[null,NaN]}'),
        ({"x": None, "y": [float("inf"), -float("inf")]}, '{"x":null,"y":[Infinity,-Infinity]}'),
        ({float("nan"): None}, '{"NaN":null}'),
        ({float("inf"): 1}, '{"Infinity":1}'),
    ],
    ids=["nan-beside-null", "infinities", "nan-key", "inf-key"],
)
def test_fast_providers_write_non_finite_floats_as_the_standard_provider(
    backend: str, value: Any, expected: str
) -> None:
    app = App(__name__)
    app.config["JSON_PROVIDER"] = backend
    compact = {"separators": (",", ":")}
    assert DefaultJSONProvider(app).dumps(value, **compact) == expected
    assert app.json.dumps(value, **compact) == expected
    assert app.json.response(value).get_data(as_text=True) == expected + "\n"


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_fast_providers_write_dumps_without_arguments_compact(backend: str) -> None:
    """A pinned difference: the standard provider separates with ", " and ": "; the
    fast ones write the same document compact (as their responses are)."""
    app = App(__name__)
    value = {"b": [1, None], "a": "é"}
    assert app.json.dumps(value) == '{"a": "\\u00e9", "b": [1, null]}'
    app.config["JSON_PROVIDER"] = backend
    expected = '{"a":"é","b":[1,null]}' if backend == "orjson" else '{"a":"\\u00e9","b":[1,null]}'
    assert app.json.dumps(value) == expected


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_fast_providers_leave_layouts_they_cannot_write_to_the_standard_library(
    backend: str,
) -> None:
    """Indented by 2 but with compact separators: only the standard library writes it."""
    app = App(__name__)
    app.config["JSON_PROVIDER"] = backend
    options = {"indent": 2, "separators": (",", ":")}
    assert app.json.dumps({"a": [1]}, **options) == '{\n  "a":[\n    1\n  ]\n}'


@pytest.mark.parametrize("backend", ["ujson", "orjson"])
def test_fast_providers_sort_integer_keys_as_the_standard_provider(backend: str) -> None:
    app = App(__name__)
    app.config["JSON_PROVIDER"] = backend
    value = {10: "a", 2: "b"}
    expected = DefaultJSONProvider(app).dumps(value, separators=(",", ":"))
    assert expected == '{"2":"b","10":"a"}'
    assert app.json.dumps(value, separators=(",", ":")) == expected
