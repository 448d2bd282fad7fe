"""Class-based views (View, MethodView), url processors, endpoints, hosts and subdomains
— each test runs on Flask and on ctxcore and asserts Flask's behaviour."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, ClassVar

import httpx
import pytest

from .parity import Framework


def test_method_view_dispatches_by_method_and_lists_methods(fw: Framework) -> None:
    views = fw.module("views")
    app = fw.App(__name__)

    class Counter(views.MethodView):
        def get(self, item: int) -> str:
            return f"get {item} {fw.request.method}"

        def post(self, item: int) -> tuple[str, int]:
            return f"post {item}", 201

    app.add_url_rule("/items/<int:item>", view_func=Counter.as_view("counter"))
    assert Counter.methods == {"GET", "POST"}
    client = app.test_client()
    assert client.get("/items/3").get_data(as_text=True) == "get 3 GET"
    response = client.post("/items/4")
    assert (response.status_code, response.get_data(as_text=True)) == (201, "post 4")
    assert client.head("/items/3").status_code == 200
    assert client.put("/items/3").status_code == 405
    allowed = client.options("/items/3").headers["Allow"]
    assert set(allowed.split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_method_view_subclasses_inherit_methods(fw: Framework) -> None:
    views = fw.module("views")

    class Base(views.MethodView):
        def get(self) -> str:
            return "get"

    class Child(Base):
        def delete(self) -> str:
            return "deleted"

    assert Child.methods == {"GET", "DELETE"}


def test_view_with_arguments_decorators_and_one_instance(fw: Framework) -> None:
    views = fw.module("views")
    app = fw.App(__name__)
    made: list[Any] = []

    def shout(view: Any) -> Any:
        def wrapped(**kwargs: Any) -> str:
            return str(view(**kwargs)).upper()

        return wrapped

    class Greeting(views.View):
        methods: ClassVar[list[str]] = ["GET"]
        decorators: ClassVar[list[Any]] = [shout]
        init_every_request = False

        def __init__(self, word: str) -> None:
            made.append(self)
            self.word = word

        def dispatch_request(self, name: str) -> str:
            return f"{self.word} {name}"

    view = Greeting.as_view("greet", "hello")
    app.add_url_rule("/hi/<name>", view_func=view)
    client = app.test_client()
    assert client.get("/hi/ann").get_data(as_text=True) == "HELLO ANN"
    assert client.get("/hi/bob").get_data(as_text=True) == "HELLO BOB"
    assert len(made) == 1
    assert view.view_class is Greeting
    assert view.__name__ == "greet"


def test_a_view_without_dispatch_request_fails_clearly(fw: Framework) -> None:
    views = fw.module("views")
    app = fw.App(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    class Empty(views.View):
        pass

    app.add_url_rule("/", view_func=Empty.as_view("empty"))
    assert app.test_client().get("/").status_code == 500


def test_async_method_view(fw: Framework) -> None:
    views = fw.module("views")
    app = fw.App(__name__)

    class Slow(views.MethodView):
        async def get(self) -> str:
            await asyncio.sleep(0)
            return "slow"

    app.add_url_rule("/slow", view_func=Slow.as_view("slow"))
    assert app.test_client().get("/slow").get_data(as_text=True) == "slow"


def test_url_value_preprocessor_and_url_defaults_round_trip(fw: Framework) -> None:
    app = fw.App(__name__)
    bp = fw.Blueprint("site", __name__, url_prefix="/<lang>")
    seen: list[Any] = []

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and fw.g.get("lang"):
            values["lang"] = fw.g.lang

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        assert values is not None
        seen.append(endpoint)
        fw.g.lang = values.pop("lang")

    @bp.route("/about")
    def about() -> str:
        return f"{fw.g.lang} {fw.url_for('site.about')}"

    app.register_blueprint(bp)
    assert app.test_client().get("/fr/about").get_data(as_text=True) == "fr /fr/about"
    assert seen == ["site.about"]


def test_app_url_defaults_and_blueprint_app_hooks(fw: Framework) -> None:
    app = fw.App(__name__)
    bp = fw.Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.app_url_value_preprocessor
    def everywhere(endpoint: str | None, values: Any) -> None:
        calls.append(f"pre {endpoint}")

    @bp.app_url_defaults
    def page_default(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("page", 1)

    @app.route("/list/<int:page>")
    def listing(page: int) -> str:
        return fw.url_for("listing")

    app.register_blueprint(bp)
    assert app.test_client().get("/list/5").get_data(as_text=True) == "/list/1"
    assert calls == ["pre listing"]


def test_blueprint_url_defaults_and_registration_options(fw: Framework) -> None:
    app = fw.App(__name__)
    bp = fw.Blueprint("pages", __name__, url_defaults={"kind": "page"})

    @bp.route("/show")
    def show(kind: str) -> str:
        return kind

    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="other", url_defaults={"kind": "other"})
    client = app.test_client()
    assert client.get("/a/show").get_data(as_text=True) == "page"
    assert client.get("/b/show").get_data(as_text=True) == "other"


def test_endpoint_decorator_names_a_view_for_a_rule(fw: Framework) -> None:
    app = fw.App(__name__)
    app.add_url_rule("/late", "late")

    @app.endpoint("late")
    def late() -> str:
        return "late view"

    assert app.test_client().get("/late").get_data(as_text=True) == "late view"


def test_automatic_options_can_be_turned_off(fw: Framework) -> None:
    app = fw.App(__name__)

    def view() -> str:
        return "x"

    app.add_url_rule("/x", view_func=view, provide_automatic_options=False)
    assert app.test_client().options("/x").status_code == 405


def test_subdomain_matching(fw: Framework) -> None:
    app = fw.App(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    api = fw.Blueprint("api", __name__, subdomain="api")

    @app.route("/")
    def index() -> str:
        return "main"

    @api.route("/")
    def api_index() -> str:
        return f"api {fw.url_for('index')} {fw.url_for('api.api_index')}"

    @app.route("/user", subdomain="<user>")
    def user(user: str) -> str:
        return f"user {user}"

    app.register_blueprint(api)
    client = app.test_client()
    assert client.get("/", base_url="http://example.test").get_data(as_text=True) == "main"
    text = client.get("/", base_url="http://api.example.test").get_data(as_text=True)
    assert text == "api http://example.test/ /"
    assert client.get("/user", base_url="http://ann.example.test").get_data(as_text=True) == (
        "user ann"
    )
    with pytest.warns(UserWarning, match="doesn't match configured server name"):
        assert client.get("/", base_url="http://other.test").status_code == 404


def test_without_subdomain_matching_any_host_is_served(fw: Framework) -> None:
    app = fw.App(__name__)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/")
    def index() -> str:
        return "main"

    client = app.test_client()
    assert client.get("/", base_url="http://localhost").get_data(as_text=True) == "main"


def test_host_matching(fw: Framework) -> None:
    app = fw.App(__name__, host_matching=True, static_folder=None)

    @app.route("/", host="a.test")
    def a() -> str:
        return "a"

    @app.route("/", host="<name>.b.test")
    def b(name: str) -> str:
        return f"b {name}"

    client = app.test_client()
    assert client.get("/", base_url="http://a.test").get_data(as_text=True) == "a"
    assert client.get("/", base_url="http://x.b.test").get_data(as_text=True) == "b x"
    assert client.get("/", base_url="http://c.test").status_code == 404


def test_url_for_options(fw: Framework) -> None:
    app = fw.App(__name__)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/p/<int:n>", methods=["GET", "POST"])
    def page(n: int) -> str:
        return "p"

    with app.test_request_context("/", base_url="http://example.test"):
        assert fw.url_for("page", n=2, q="x") == "/p/2?q=x"
        assert fw.url_for("page", n=2, _external=True) == "http://example.test/p/2"
        assert fw.url_for("page", n=2, _scheme="https", _external=True) == (
            "https://example.test/p/2"
        )
        assert fw.url_for("page", n=2, _anchor="a b") == "/p/2#a%20b"
    with app.app_context():
        assert fw.url_for("page", n=3) == "http://example.test/p/3"


def test_url_build_error_handlers(fw: Framework) -> None:
    app = fw.App(__name__)

    def fallback(error: Exception, endpoint: str, values: dict[str, Any]) -> str | None:
        return f"/fallback/{endpoint}" if endpoint == "known_elsewhere" else None

    app.url_build_error_handlers.append(fallback)
    with app.test_request_context("/"):
        assert fw.url_for("known_elsewhere") == "/fallback/known_elsewhere"
        with pytest.raises(Exception, match="unknown"):
            fw.url_for("unknown")


def test_blueprint_record_once_runs_once_per_app(fw: Framework) -> None:
    app = fw.App(__name__)
    bp = fw.Blueprint("ext", __name__)
    calls: list[Any] = []
    bp.record_once(lambda state: calls.append(("once", state.app, state.blueprint)))
    bp.record(lambda state: calls.append(("each", state.first_registration)))
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")
    assert calls == [("once", app, bp), ("each", True), ("each", False)]
    other = fw.App(__name__)
    other.register_blueprint(bp)
    assert calls[-2:] == [("once", other, bp), ("each", True)]


def test_record_callbacks_can_add_rules_under_the_registration(fw: Framework) -> None:
    app = fw.App(__name__)
    bp = fw.Blueprint("ext", __name__, url_prefix="/ext")
    bp.record(lambda state: state.add_url_rule("/hook", "hook", lambda: "hooked"))
    app.register_blueprint(bp)
    assert app.test_client().get("/ext/hook").get_data(as_text=True) == "hooked"
    with app.test_request_context():
        assert fw.url_for("ext.hook") == "/ext/hook"


def test_async_method_view_runs_on_the_loop_under_asgi() -> None:
    from ctxcore import App
    from ctxcore.views import MethodView

    app = App(__name__)
    threads: dict[str, int] = {}

    class Where(MethodView):
        async def get(self) -> str:
            threads["view"] = threading.get_ident()
            return "ok"

    app.add_url_rule("/", view_func=Where.as_view("where"))

    async def main() -> str:
        threads["loop"] = threading.get_ident()
        transport = httpx.ASGITransport(app=app.asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.get("/")).text

    assert asyncio.run(main()) == "ok"
    assert threads["view"] == threads["loop"]
