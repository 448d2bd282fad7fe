"""An app with a command manager, for the CLI tests."""

from __future__ import annotations

from ctxcore import App, g
from ctxcore.cli import Manager

app = App("managed")
app.add_url_rule("/", "index", lambda: "index")
app.add_url_rule("/users/<int:uid>", "user", str, methods=["GET", "POST"])
manager = Manager(app)


@manager.command
def hello(name: str, greeting: str = "Hello", shout: bool = False) -> None:
    """Greet someone by name."""
    text = f"{greeting}, {name}! ({g.__class__.__name__})"
    print(text.upper() if shout else text)


@manager.option("-n", "--name", dest="name", default="world", help="who")
@manager.option("-c", "--count", dest="count", type=int, default=1)
def repeat(name: str, count: int) -> int:
    """Print a name several times; exit 3 when asked for none."""
    for _ in range(count):
        print(name)
    return 3 if count == 0 else 0
