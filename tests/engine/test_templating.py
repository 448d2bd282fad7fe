"""Templates: rendering and streaming, the environment, loaders, context, signals.

Most tests use the app of ``tests/engine/apps/templated`` (templates for the app and two
blueprints), built once with ctxcore and once with Flask from the same code, and check
that both send the same thing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import jinja2
import pytest
from markupsafe import Markup

import ctxcore
from ctxcore import App, Blueprint, render_template, render_template_string, request
from ctxcore.signals import before_render_template, template_rendered
from ctxcore.templating import DispatchingJinjaLoader, Environment
from tests.engine.apps.templated import build

ROOT = Path(__file__).resolve().parents[2]
PATHS = [
    "/",
    "/?name=<Ada>&q=1",
    "/flashed",
    "/plain",
    "/string",
    "/shared",
    "/stream",
    "/stream-string",
    "/admin/",
    "/admin/only",
    "/shop/",
]


@pytest.fixture(scope="module")
def apps() -> tuple[Any, Any]:
    return build(ctxcore), build(flask)


@pytest.mark.parametrize("path", PATHS)
def test_same_page_as_flask(apps: tuple[Any, Any], path: str) -> None:
    """Every route renders byte for byte what Flask renders from the same templates."""
    ours, flasks = (app.test_client().get(path) for app in apps)
    assert ours.status_code == flasks.status_code == 200
    assert ours.content_type == flasks.content_type
    assert ours.get_data(as_text=True) == flasks.get_data(as_text=True)


def test_default_context_and_processors(apps: tuple[Any, Any]) -> None:
    """config, request, g, session, url_for, flashed messages, filters/tests/globals."""
    text = apps[0].test_client().get("/flashed").get_data(as_text=True)
    assert "<p>/flashed  seen example.org</p>" in text  # request, g (a hook), config
    assert "Hello flash FLASH!" in text  # app filter
    assert "version=1.0 who=given everywhere=True section=none" in text
    assert "even odd cba helped" in text  # app test, blueprint's app-wide test/filter/global
    assert 'href="/static/css/site.css"' in text
    assert 'href="/admin/static/admin.css"' in text
    assert '<p class="flash">saved &lt;ok&gt;</p>' in text  # flashed, autoescaped
    assert "session=ada" in text


def test_autoescape_by_extension_and_for_strings(apps: tuple[Any, Any]) -> None:
    client = apps[0].test_client()
    assert client.get("/?name=<b>").get_data(as_text=True).count("&lt;b&gt;") == 1
    assert client.get("/plain").get_data(as_text=True) == "text: <b>"  # .txt: not escaped
    assert client.get("/string").get_data(as_text=True) == "&lt;i&gt; GET"
    app = apps[0]
    for name in ("a.html", "a.htm", "a.xml", "a.xhtml", "a.svg", None):
        assert app.select_jinja_autoescape(name) is True, name
    for name in ("a.txt", "a.js", "a.html.j2"):
        assert app.select_jinja_autoescape(name) is False, name


def test_markup_is_not_escaped_again() -> None:
    app = App(__name__)
    with app.app_context():
        assert render_template_string("{{ v }}", v=Markup("<em>x</em>")) == "<em>x</em>"


def test_app_templates_win_over_blueprints_then_registration_order(
    apps: tuple[Any, Any],
) -> None:
    client = apps[0].test_client()
    assert client.get("/shared").get_data(as_text=True) == "shared from the app folder"
    # admin and shop both have only_admin.html: admin was registered first.
    assert client.get("/admin/only").get_data(as_text=True) == "only in admin (admin copy) X!"
    assert "only in shop" in client.get("/shop/").get_data(as_text=True)


def test_blueprints_searched_in_registration_order() -> None:
    """The same blueprints registered the other way round: the first one's file wins."""
    here = Path(__file__).parent / "apps" / "templated"
    app = App(__name__, root_path=str(here))
    app.register_blueprint(
        Blueprint("shop", __name__, template_folder="shop/templates", root_path=str(here))
    )
    app.register_blueprint(
        Blueprint("admin", __name__, template_folder="admin/templates", root_path=str(here))
    )
    with app.app_context():
        assert render_template("only_admin.html") == "only in admin (shop copy)"
    loader = app.jinja_env.loader
    assert isinstance(loader, DispatchingJinjaLoader)
    names = loader.list_templates()
    assert {"base.html", "admin/index.html", "only_shop.html", "only_admin.html"} <= set(names)
    assert len(names) == len(set(names))


def test_blueprint_context_processor_only_in_its_requests(apps: tuple[Any, Any]) -> None:
    client = apps[0].test_client()
    assert "section=admin version=admin-1.0" in client.get("/admin/").get_data(as_text=True)
    assert "section=none" in client.get("/shop/").get_data(as_text=True)
    assert "section=none" in client.get("/").get_data(as_text=True)


def test_nested_blueprint_processors_run_outer_to_inner_and_arguments_win() -> None:
    app = App(__name__)
    outer, inner = Blueprint("outer", __name__), Blueprint("inner", __name__)
    app.context_processor(lambda: {"a": "app", "b": "app", "c": "app", "d": "app"})
    outer.context_processor(lambda: {"b": "outer", "c": "outer", "d": "outer"})
    inner.context_processor(lambda: {"c": "inner", "d": "inner"})

    @inner.route("/")
    def view() -> str:
        return render_template_string("{{ a }} {{ b }} {{ c }} {{ d }}", d="given")

    outer.register_blueprint(inner, url_prefix="/inner")
    app.register_blueprint(outer, url_prefix="/outer")
    assert app.test_client().get("/outer/inner/").get_data(as_text=True) == "app outer inner given"


def test_async_context_processor() -> None:
    app = App(__name__)

    @app.context_processor
    async def later() -> dict[str, Any]:
        return {"x": "from a coroutine"}

    with app.test_request_context():
        assert render_template_string("{{ x }}") == "from a coroutine"


def test_filters_tests_globals_before_and_after_the_environment_exists() -> None:
    app = App(__name__)
    app.add_template_filter(lambda s: s * 2, "twice")
    app.add_template_test(lambda n: n > 10, "big")
    app.add_template_global(lambda: 42, "answer")
    assert app._jinja_env is None  # nothing built yet
    env = app.jinja_env
    assert env is app.jinja_env
    assert isinstance(env, Environment)
    assert env.app is app

    @app.template_filter("late")
    def late(s: str) -> str:
        return f"({s})"

    @app.template_global()
    def named() -> str:
        return "named"

    @app.template_test()
    def small(n: int) -> bool:
        return n < 3

    source = "{{ 'ab'|twice }} {{ 11 is big }} {{ answer() }} {{ 'x'|late }} {{ named() }}"
    source += " {{ 1 is small }}"
    with app.app_context():
        assert render_template_string(source) == "abab True 42 (x) named True"
    assert env.filters["late"] is late
    assert env.globals["named"] is named


def test_blueprint_app_wide_additions_once_and_add_forms() -> None:
    app = App(__name__)
    bp = Blueprint("bp", __name__)
    bp.add_app_template_filter(str.title, "title_case")
    bp.add_app_template_test(str.isdigit, "digits")
    bp.add_app_template_global(len, "size")
    calls: list[int] = []

    @bp.app_context_processor
    def counted() -> dict[str, Any]:
        calls.append(1)
        return {}

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")  # the app-wide part is not added twice
    with app.app_context():
        out = render_template_string(
            "{{ 'ab cd'|title_case }} {{ '12' is digits }} {{ size('abc') }}"
        )
    assert out == "Ab Cd True 3"
    assert calls == [1]
    assert app.template_context_processors[None].count(counted) == 1


def test_render_template_list_takes_the_first_that_exists(apps: tuple[Any, Any]) -> None:
    with apps[0].app_context():
        assert render_template(["missing.html", "shared.html"]) == "shared from the app folder"
        with pytest.raises(jinja2.TemplateNotFound):
            render_template("missing.html")


def test_outside_an_app_context_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="needs an active app"):
        render_template_string("x")


def test_app_context_only_renders_without_request() -> None:
    app = App(__name__)
    app.config["NAME"] = "cfg"
    with app.app_context():
        ctxcore.g.v = "gv"
        assert render_template_string("{{ config.NAME }} {{ g.v }}") == "cfg gv"


def test_signals_carry_template_and_context() -> None:
    app = App(__name__)
    seen: list[tuple[str, Any, str | None, dict[str, Any]]] = []

    def before(sender: Any, template: jinja2.Template, context: dict[str, Any]) -> None:
        seen.append(("before", sender, template.name, dict(context)))

    def after(sender: Any, template: jinja2.Template, context: dict[str, Any]) -> None:
        seen.append(("after", sender, template.name, dict(context)))

    with (
        before_render_template.connected_to(before, app),
        template_rendered.connected_to(after, app),
        app.test_request_context("/x"),
    ):
        assert render_template_string("{{ v }}", v=1) == "1"
    assert [(kind, sender, name) for kind, sender, name, _ in seen] == [
        ("before", app, None),
        ("after", app, None),
    ]
    assert seen[0][3]["v"] == 1
    assert seen[0][3]["request"].path == "/x"


def test_stream_keeps_the_request_and_renders_lazily() -> None:
    app = App(__name__)
    produced: list[int] = []

    def items() -> Iterator[int]:
        for n in range(3):
            produced.append(n)
            yield n

    rendered: list[str] = []
    template_rendered.connect(lambda sender, **kw: rendered.append("done"), app, weak=False)

    @app.route("/s")
    def stream() -> Any:
        return ctxcore.stream_template_string(
            "{% for n in items %}{{ n }}:{{ request.path }};{% endfor %}", items=items()
        )

    try:
        response = app.test_client().get("/s", buffered=False)
        # At most the first chunk is made before the body is read (the test client
        # pulls one to see the response start).
        assert len(produced) < 3
        assert rendered == []
        assert response.get_data(as_text=True) == "0:/s;1:/s;2:/s;"
        response.close()
        assert rendered == ["done"]
    finally:
        template_rendered.receivers.clear()


def test_stream_outside_a_request_is_a_plain_iterator() -> None:
    app = App(__name__)
    with app.app_context():
        chunks = ctxcore.stream_template_string("{% for n in 'abc' %}{{ n }}{% endfor %}")
        assert "".join(chunks) == "abc"


def test_auto_reload_follows_config_and_debug(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "t.txt"
    page.write_text("one")
    app = App(__name__, root_path=str(tmp_path))

    def rewrite(text: str) -> None:
        page.write_text(text)
        later = time.time() + 10
        os.utime(page, (later, later))  # a new mtime even on a coarse clock

    with app.app_context():
        assert render_template("t.txt") == "one"
        rewrite("two")
        assert render_template("t.txt") == "one"  # cached: not debug, no auto reload
        app.debug = True  # read at each load, as Flask's debug setter sets it
        assert render_template("t.txt") == "two"
        app.debug = False
        app.config["TEMPLATES_AUTO_RELOAD"] = True
        rewrite("three")
        assert render_template("t.txt") == "three"
        app.jinja_env.auto_reload = False  # an explicit setting wins over the config
        rewrite("four")
        assert render_template("t.txt") == "three"


def test_jinja_options_and_environment_class() -> None:
    class MyEnvironment(Environment):
        pass

    class MyApp(App):
        jinja_environment = MyEnvironment
        jinja_options = {"trim_blocks": True, "autoescape": False}  # noqa: RUF012

    app = MyApp(__name__)
    assert App.jinja_environment is Environment
    assert type(app.jinja_env) is MyEnvironment
    assert app.jinja_env.trim_blocks
    with app.app_context():
        assert render_template_string("{{ '<x>' }}") == "<x>"
        assert app.jinja_env.policies["json.dumps_function"]({"a": 1}) == '{"a": 1}'
        assert render_template_string("{{ {'a': '<'}|tojson }}") == '{"a": "\\u003c"}'


def test_explain_template_loading_logs_each_loader(
    apps: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = build(ctxcore)
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    caplog.set_level("INFO", logger=app.logger.name)
    with app.app_context():
        render_template("only_shop.html")
    text = caplog.text
    assert "'only_shop.html'" in text
    assert "<App " in text
    assert "<Blueprint 'admin'>: not found" in text
    assert "<Blueprint 'shop'>: found" in text


def test_context_processor_outside_request_is_app_only() -> None:
    app = App(__name__)
    bp = Blueprint("bp", __name__)
    bp.context_processor(lambda: {"scoped": "yes"})
    app.register_blueprint(bp)
    with app.app_context():
        assert render_template_string("{{ scoped|default('no') }}") == "no"
    assert request.__class__  # the proxy itself stays importable and unbound here


def test_no_jinja_until_something_renders() -> None:
    """An app with templates that serves requests without rendering never imports jinja2."""
    code = (
        "import sys\n"
        "from tests.engine.apps.templated import app\n"
        "client = app.test_client()\n"
        "assert client.get('/static/app.js').status_code == 200\n"
        "assert client.get('/nowhere').status_code == 404\n"
        "loaded = [m for m in sys.modules if m == 'ctxcore.templating' or m.startswith('jinja2')]\n"
        "print(loaded)\n"
        "print(app._jinja_env)\n"
        "client.get('/string')\n"
        "print('jinja2' in sys.modules, app._jinja_env is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split("\n")
    assert out[:3] == ["[]", "None", "True True"]


def test_readme_templates_example_runs_as_documented() -> None:
    from tests.test_readme import run_block

    assert run_block(r"### Templates and static files\n") == ["&lt;ADA&gt;! /static/a.css"]


def test_get_template_attribute_same_as_flask(apps: tuple[Any, Any]) -> None:
    results = []
    for app, module in zip(apps, (ctxcore, flask), strict=True):
        with app.app_context():
            hello = module.get_template_attribute("_macros.html", "hello")
            results.append(
                (str(hello("<x>")), module.get_template_attribute("_macros.html", "answer"))
            )
    assert results[0] == results[1] == ("Hello &lt;x&gt;!", 42)
