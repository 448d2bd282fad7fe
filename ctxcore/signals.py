"""Signals (blinker): subscribe to what happens in the request and context lifecycle.

The same signals as Flask, sent with the app as sender::

    from ctxcore.signals import request_finished

    @request_finished.connect_via(app)
    def log_response(sender, response, **extra): ...

A signal nobody listens to costs one truth test: the engine sends only when
``signal.receivers`` is not empty (:func:`send`).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal

__all__ = [
    "Namespace",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "send",
    "template_rendered",
]

_signals = Namespace()

#: ``(app, template=, context=)`` after a template was rendered.
template_rendered = _signals.signal("template-rendered")
#: ``(app, template=, context=)`` before a template is rendered.
before_render_template = _signals.signal("before-render-template")
#: ``(app)`` once the request context is set up, before the ``before_request`` hooks.
request_started = _signals.signal("request-started")
#: ``(app, response=)`` once the response is final (after the ``after_request`` hooks).
request_finished = _signals.signal("request-finished")
#: ``(app, exc=)`` when the request's teardown runs (``exc``: the unhandled error or None).
request_tearing_down = _signals.signal("request-tearing-down")
#: ``(app, exception=)`` for an error no handler turned into a response (before the 500).
got_request_exception = _signals.signal("got-request-exception")
#: ``(app, exc=)`` when an app context's teardown runs.
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
#: ``(app)`` once an app context has been pushed.
appcontext_pushed = _signals.signal("appcontext-pushed")
#: ``(app)`` once an app context has been popped.
appcontext_popped = _signals.signal("appcontext-popped")
#: ``(app, message=, category=)`` when :func:`ctxcore.flash` records a message.
message_flashed = _signals.signal("message-flashed")


def send(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send ``signal`` if anyone is connected (the engine's one way of sending)."""
    if signal.receivers:
        signal.send(sender, **kwargs)
