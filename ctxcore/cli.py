"""A manage.py-style command manager: ``python -m ctxcore --app module:app COMMAND``.

Built-in commands: ``routes`` (the URL map), ``shell`` (an interactive console with
the app context pushed); ``python -m ctxcore`` adds ``serve module:app --server NAME``
(see :mod:`ctxcore.adapters.serve`). Add your own with :meth:`Manager.command` (arguments from the
function's signature) or :meth:`Manager.option` (argparse options, declared explicitly)::

    manager = Manager(app)

    @manager.command
    def hello(name, greeting="Hello"):
        "Greet someone."
        print(f"{greeting}, {name}!")

    @manager.option("-n", "--name", dest="name", default="world")
    def greet(name):
        print(name)
"""

from __future__ import annotations

import argparse
import code
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .app import App

__all__ = ["Manager", "load_target", "main"]

F = TypeVar("F", bound=Callable[..., Any])
ENV_APP = "CTXCORE_APP"


class Manager:
    """Commands run against an app, each inside the app's context."""

    def __init__(self, app: App) -> None:
        if not isinstance(app, App):
            raise TypeError(f"Manager needs a ctxcore.App, not {type(app).__name__}")
        self.app = app
        self._commands: dict[
            str, tuple[Callable[..., Any], list[tuple[tuple[str, ...], dict[str, Any]]]]
        ] = {}
        self.command(self.routes)
        self.command(self.shell)

    def command(self, func: F) -> F:
        """Register ``func`` as a command named after it; its parameters become arguments.

        Parameters without a default are positional; the others are ``--options`` (a
        ``bool`` default makes a flag); annotations or defaults give the type.
        """
        options = []
        for param in inspect.signature(func).parameters.values():
            options.append(_argument_for(param))
        self._commands[func.__name__] = (func, options)
        return func

    def option(self, *flags: str, **kwargs: Any) -> Callable[[F], F]:
        """Declare one argparse option of a command (stack several decorators)."""

        def decorator(func: F) -> F:
            _, options = self._commands.get(func.__name__, (func, []))
            self._commands[func.__name__] = (func, [(flags, kwargs), *options])
            return func

        return decorator

    def parser(self) -> argparse.ArgumentParser:
        """The argparse parser for every registered command."""
        parser = argparse.ArgumentParser(
            prog="python -m ctxcore", description=f"Manage {self.app.name}"
        )
        sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
        for name, (func, options) in sorted(self._commands.items()):
            doc = inspect.getdoc(func) or ""
            command = sub.add_parser(
                name, help=doc.splitlines()[0] if doc else None, description=doc
            )
            for flags, kwargs in options:
                command.add_argument(*flags, **kwargs)
        return parser

    def run(self, argv: Sequence[str] | None = None) -> int:
        """Parse ``argv`` and run the command inside an app context; return an exit code."""
        args = vars(self.parser().parse_args(argv))
        func, _ = self._commands[args.pop("command")]
        with self.app.app_context():
            result = func(**args)
        return result if isinstance(result, int) else 0

    def routes(self) -> None:
        """List the app's URL rules."""
        rules = sorted(self.app.url_map.iter_rules(), key=lambda rule: rule.rule)
        rows = [("Endpoint", "Methods", "Rule")] + [
            (
                rule.endpoint,
                ", ".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})),
                rule.rule,
            )
            for rule in rules
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            print(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )

    def shell(self) -> None:
        """Start an interactive console with ``app`` and ``g`` (app context pushed)."""
        from .globals import g

        banner = f"ctxcore shell for {self.app.name} (app context pushed; app, g available)"
        code.interact(banner=banner, local={"app": self.app, "g": g}, exitmsg="")


def _argument_for(param: inspect.Parameter) -> tuple[tuple[str, ...], dict[str, Any]]:
    if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
        raise TypeError(f"command parameters cannot be *args or **kwargs ({param.name})")
    annotation = param.annotation if param.annotation is not param.empty else None
    if param.default is param.empty:
        kind = annotation if callable(annotation) and annotation in (int, float, str) else str
        return (param.name,), {"type": kind}
    flag = "--" + param.name.replace("_", "-")
    if isinstance(param.default, bool):
        action = "store_false" if param.default else "store_true"
        return (flag,), {"dest": param.name, "action": action}
    kind = type(param.default) if param.default is not None else str
    return (flag,), {"dest": param.name, "default": param.default, "type": kind}


def load_target(spec: str) -> Manager:
    """Import ``module:attribute`` and return a Manager for it (an App is wrapped)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name:
        raise ValueError(f"--app needs 'module:attribute', not {spec!r}")
    sys.path.insert(0, os.getcwd())
    module = importlib.import_module(module_name)
    if attribute:
        target = getattr(module, attribute)
    else:
        # A module's one Manager, else its one App.
        managers = [v for v in vars(module).values() if isinstance(v, Manager)]
        apps = [v for v in vars(module).values() if isinstance(v, App)]
        found: list[Any] = managers if len(managers) == 1 else apps
        if len(found) != 1:
            raise ValueError(f"{module_name} holds no single app or manager: name one with :attr")
        target = found[0]
    if isinstance(target, Manager):
        return target
    if isinstance(target, App):
        return Manager(target)
    raise TypeError(f"{spec} is a {type(target).__name__}, not a ctxcore App or Manager")


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command against an app: ``--app module:app COMMAND`` (``python -m ctxcore``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    spec = os.environ.get(ENV_APP)
    if argv[:1] == ["--app"] and len(argv) > 1:
        spec, argv = argv[1], argv[2:]
    elif argv and argv[0].startswith("--app="):
        spec, argv = argv[0].split("=", 1)[1], argv[1:]
    if not spec:
        print(
            f"usage: python -m ctxcore --app module:app COMMAND [...]  (or set {ENV_APP})\n"
            "       python -m ctxcore serve module:app [--server NAME ...]",
            file=sys.stderr,
        )
        return 2
    try:
        manager = load_target(spec)
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        print(f"error: cannot load {spec!r}: {exc}", file=sys.stderr)
        return 2
    return manager.run(argv)
