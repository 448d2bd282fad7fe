"""Flask-Mail on ctxcore, in its test mode: messages sent from views are recorded, with
the app's default sender, and the ``email_dispatched`` signal fires."""

from __future__ import annotations

from typing import Any

import ctxcore


def make_app() -> tuple[ctxcore.App, Any]:
    from flask_mail import Mail, Message

    app = ctxcore.App(__name__)
    app.config.update(TESTING=True, MAIL_DEFAULT_SENDER="shop@example.com")
    mail = Mail(app)

    @app.post("/welcome/<name>")
    def welcome(name: str) -> dict[str, Any]:
        mail.send(Message(f"Welcome, {name}", recipients=[f"{name}@example.com"], body="Hi!"))
        return {"sent": True}

    return app, mail


def test_a_view_sends_mail_that_test_mode_records() -> None:
    app, mail = make_app()
    with mail.record_messages() as outbox:
        app.test_client().post("/welcome/ann")
    assert [(m.subject, m.recipients, m.sender) for m in outbox] == [
        ("Welcome, ann", ["ann@example.com"], "shop@example.com")
    ]


def test_the_dispatched_signal_fires() -> None:
    from flask_mail import email_dispatched

    app, _ = make_app()
    seen: list[str] = []

    def record(sender: Any, message: Any) -> None:
        seen.append(message.subject)

    with email_dispatched.connected_to(record):
        app.test_client().post("/welcome/bob")
    assert seen == ["Welcome, bob"]
