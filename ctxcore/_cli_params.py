"""A Manager command's parameters as click's: argparse declarations and signatures.

flask-script described options the argparse way (``Option("-n", "--name", dest="name")``,
``action="store_true"``...) and made the rest from the function's signature; the
Manager (:mod:`ctxcore._cli_manager`) runs on click, so both are translated here, once,
when a command is added: a declaration click cannot express is a ``TypeError`` then,
not when the command runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

__all__ = ["Declared", "declared_params", "flags_of", "signature_params"]

#: One ``add_argument(*flags, **kwargs)``: the flags (or a positional's name) and kwargs.
Declared = tuple[tuple[str, ...], dict[str, Any]]
_PLAIN = ("type", "default", "help", "required", "metavar")


def _signature(func: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(func, eval_str=True)
    except (NameError, TypeError):  # an annotation that does not evaluate: take it as text
        return inspect.signature(func)


def signature_params(
    func: Callable[..., Any], covered: Iterable[str], taken: set[str]
) -> list[click.Parameter]:
    """Parameters for ``func``'s arguments that no declaration ``covered``.

    An argument without a default is positional; one with a default is an option
    (``--dry-run`` for ``dry_run``) of the default's type or the annotation's (a
    ``bool`` default makes a flag that flips it). As flask-script did, an option also
    gets its first letter as a short flag (``-n`` for ``name``) unless an earlier
    parameter took it; ``taken`` holds the flags in use and is updated.
    """
    params: list[click.Parameter] = []
    skip = set(covered)
    for param in _signature(func).parameters.values():
        if param.name in skip:
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"command parameters cannot be *args or **kwargs ({param.name})")
        annotation = param.annotation
        kind = annotation if annotation in (int, float, str, bool) else None
        if param.default is param.empty:
            params.append(click.Argument([param.name], type=kind or str))
            continue
        flags = ["--" + param.name.replace("_", "-")]
        short = "-" + param.name[0]
        if param.name[0].isalpha() and short not in taken:
            flags.insert(0, short)
        taken.update(flags)
        if isinstance(param.default, bool):
            params.append(
                click.Option(
                    [*flags, param.name],
                    is_flag=True,
                    flag_value=not param.default,
                    default=param.default,
                )
            )
            continue
        if param.default is not None:
            kind = type(param.default)
        params.append(click.Option([*flags, param.name], default=param.default, type=kind or str))
    return params


def _dest(flags: tuple[str, ...], kwargs: dict[str, Any]) -> str:
    dest = kwargs.get("dest")
    if dest:
        return str(dest)
    if not flags[0].startswith("-"):
        return flags[0]
    return max(flags, key=len).lstrip("-").replace("-", "_")


def declared_params(declared: Sequence[Declared]) -> list[click.Parameter]:
    """Click parameters for argparse declarations, in their order.

    Two options sharing a ``dest``, one ``store_true`` and one ``store_false`` (as
    flask-script's ``-d``/``-D``), are one on/off flag; any other shared ``dest`` is a
    ``TypeError``.
    """
    by_dest: dict[str, list[Declared]] = {}
    for flags, kwargs in declared:
        if not flags:
            raise TypeError("an option needs a name or flags")
        by_dest.setdefault(_dest(flags, kwargs), []).append((flags, kwargs))
    params = []
    for dest, group in by_dest.items():
        if len(group) == 1:
            params.append(_declared_param(*group[0]))
        else:
            params.append(_on_off(dest, group))
    return params


def _on_off(dest: str, group: list[Declared]) -> click.Option:
    actions = [kwargs.get("action") for _, kwargs in group]
    if sorted(map(str, actions)) != ["store_false", "store_true"]:
        names = " and ".join("/".join(flags) for flags, _ in group)
        raise TypeError(
            f"options {names} share dest={dest!r}: only a store_true and a store_false "
            "option may (an on/off pair)"
        )
    for flags, kwargs in group:
        extra = set(kwargs) - {"action", "dest", "default", "help", "required"}
        if extra:
            raise TypeError(f"option {flags}: unsupported argparse arguments {sorted(extra)}")
    on = next(flags for flags, kwargs in group if kwargs["action"] == "store_true")
    off = next(flags for flags, kwargs in group if kwargs["action"] == "store_false")
    # argparse gives a shared dest the default of the option declared first.
    first = group[0][1]
    default = first.get("default", first["action"] == "store_false")
    help_text = next((kwargs["help"] for _, kwargs in group if kwargs.get("help")), None)
    decls = [*on, *(f" /{flag}" for flag in off), dest]
    return click.Option(decls, default=default, help=help_text)


def _declared_param(flags: tuple[str, ...], kwargs: dict[str, Any]) -> click.Parameter:
    """An argparse ``add_argument(*flags, **kwargs)`` as a click parameter."""
    options = dict(kwargs)
    action = options.pop("action", "store")
    choices = options.pop("choices", None)
    nargs = options.pop("nargs", None)
    const = options.pop("const", None) if action == "store_const" else None
    options.pop("dest", None)
    extra: dict[str, Any] = {key: options.pop(key) for key in _PLAIN if key in options}
    if options:
        raise TypeError(f"option {flags}: unsupported argparse arguments {sorted(options)}")
    if choices is not None:
        extra["type"] = click.Choice([str(choice) for choice in choices])
    name = _dest(flags, kwargs)
    if not flags[0].startswith("-"):  # positional
        extra.pop("help", None)  # click arguments take no help text
        if nargs in ("*", "+"):
            extra["nargs"] = -1
            extra["required"] = nargs == "+"
        elif nargs == "?":
            extra["required"] = False
        elif isinstance(nargs, int):
            extra["nargs"] = nargs
        return click.Argument([name], **extra)
    if action in ("store_true", "store_false"):
        extra.setdefault("default", action == "store_false")
        extra.update(is_flag=True, flag_value=action == "store_true")
    elif action == "store_const":
        extra.setdefault("default", None)
        extra.update(is_flag=True, flag_value=const)
    elif action == "count":
        extra.update(count=True)
        extra.setdefault("default", 0)
    elif action == "append":
        extra.update(multiple=True)
    elif action != "store":
        raise TypeError(f"option {flags}: action={action!r} is not supported")
    if isinstance(nargs, int):
        extra["nargs"] = nargs
    return click.Option([*flags, name], **extra)


def flags_of(params: Iterable[click.Parameter]) -> set[str]:
    """The option strings ``params`` use (``-n``, ``--name``, ``-D``...)."""
    return {
        flag
        for param in params
        if isinstance(param, click.Option)
        for flag in (*param.opts, *param.secondary_opts)
    }
