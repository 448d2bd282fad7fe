"""The globals read the default stack's top in C, and fall back to every ident source."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

import ctxcore
from ctxcore import App, current_app, g, request, session


def python_calls(action: Callable[[], object]) -> list[str]:
    """The Python functions called while ``action`` runs (``action`` itself left out)."""
    called: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            called.append(
                frame.f_code.co_qualname
                if hasattr(frame.f_code, "co_qualname")
                else frame.f_code.co_name
            )

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return called[1:]


def test_request_attribute_runs_no_python_code_in_the_proxy() -> None:
    if ctxcore.implementation() != "c":
        pytest.skip("the pure-Python proxy is Python code by design")
    app = App(__name__)
    with app.test_request_context("/hello"):
        assert request.path == "/hello"

        def read() -> object:
            return request.path

        assert python_calls(read) == []


def test_globals_read_the_pushed_contexts() -> None:
    app = App(__name__)
    app.secret_key = "test"
    with app.test_request_context("/x"):
        assert current_app._get_current_object() is app
        g.value = 1
        assert g.value == 1
        session["k"] = "v"
        assert session["k"] == "v"
        assert request.path == "/x"
    assert not request
    with pytest.raises(RuntimeError, match="outside of request context"):
        request.path


def test_an_app_on_another_ident_source_is_found_by_the_fallback() -> None:
    app = App(__name__, ident="thread")
    with app.test_request_context("/other"):
        assert request.path == "/other"
        assert current_app._get_current_object() is app
        g.seen = True
        assert g.seen is True
    assert not current_app
