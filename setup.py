"""Build ctxcore's optional C extensions (``ctxcore.local._c``, ``ctxcore.json._c``).

Everything else about the package is in ``pyproject.toml``. The extensions are optional:
when they cannot be compiled (no C compiler, no Python headers, PyPy) the install still
succeeds with a warning, and ctxcore uses its pure-Python implementation.
``CTXCORE_NO_EXTENSIONS=1`` at build time skips them altogether.
"""

from __future__ import annotations

import os
import platform
import warnings

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """``build_ext`` that warns instead of failing when the extension does not compile."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # the compiler may be missing altogether
            _warn(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # a compile or link error
            _warn(exc)


def _warn(exc: BaseException) -> None:
    warnings.warn(
        f"ctxcore's C extension could not be built ({exc}); ctxcore will use its "
        "pure-Python implementation, which is correct but slower. Install a C compiler "
        "and the Python headers (e.g. apt-get install gcc python3-dev) and reinstall "
        "to get the compiled one.",
        stacklevel=1,
    )


def _extensions() -> list[Extension]:
    if os.environ.get("CTXCORE_NO_EXTENSIONS") or platform.python_implementation() != "CPython":
        return []
    return [
        Extension(
            "ctxcore.local._c",
            sources=[
                "ctxcore/local/_c.c",
                "ctxcore/local/_c_local.c",
                "ctxcore/local/_c_stack.c",
                "ctxcore/local/_c_proxy.c",
            ],
            depends=["ctxcore/local/_c.h"],
            optional=True,
        ),
        Extension("ctxcore.json._c", sources=["ctxcore/json/_c.c"], optional=True),
    ]


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
