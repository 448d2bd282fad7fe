"""Flask-RESTX on ctxcore: resources, namespaces, marshalling, request parsing and the
Swagger document. (Its formatted error bodies, through ``handle_exception`` replaced on
the instance, and an ``Api`` on a blueprint: test_flask_shapes.py.)"""

from __future__ import annotations

from typing import Any

import ctxcore


def make_app() -> ctxcore.App:
    from flask_restx import Api, Namespace, Resource, fields, reqparse

    app = ctxcore.App(__name__)
    api = Api(app, title="Shelf", doc=False)
    books = Namespace("books")
    api.add_namespace(books, path="/books")
    book = books.model("Book", {"id": fields.Integer, "title": fields.String(required=True)})
    shelf: list[dict[str, Any]] = []
    parser = reqparse.RequestParser()
    parser.add_argument("limit", type=int, default=10, location="args")

    @books.route("/")
    class Books(Resource):  # type: ignore[misc]
        @books.marshal_list_with(book)
        def get(self) -> Any:
            args = parser.parse_args()
            return shelf[: args["limit"]]

        @books.expect(book)
        @books.marshal_with(book, code=201)
        def post(self) -> Any:
            shelf.append({"id": len(shelf) + 1, "title": api.payload["title"], "secret": 1})
            return shelf[-1], 201

    return app


def test_resources_answer_their_methods() -> None:
    client = make_app().test_client()
    made = client.post("/books/", json={"title": "Dune"})
    assert made.status_code == 201
    assert made.get_json() == {"id": 1, "title": "Dune"}  # marshalled: no "secret"
    assert client.get("/books/").get_json() == [{"id": 1, "title": "Dune"}]


def test_the_request_parser_reads_query_arguments() -> None:
    client = make_app().test_client()
    for title in ("a", "b", "c"):
        client.post("/books/", json={"title": title})
    assert [b["title"] for b in client.get("/books/?limit=2").get_json()] == ["a", "b"]


def test_an_unrouted_method_is_405() -> None:
    assert make_app().test_client().delete("/books/").status_code == 405


def test_the_swagger_document_describes_the_api() -> None:
    spec = make_app().test_client().get("/swagger.json").get_json()
    assert spec["info"]["title"] == "Shelf"
    assert set(spec["paths"]["/books/"]) >= {"get", "post"}
    assert "Book" in spec["definitions"]
