"""The deployed app, for WSGI and ASGI servers."""

import os

from todo_ctxcore import create_app

app = create_app(
    {"DATABASE": os.environ["TODO_DATABASE"]} if "TODO_DATABASE" in os.environ else None
)
