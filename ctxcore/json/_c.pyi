"""Type stubs for the C extension ``ctxcore.json._c`` (see ``_c.c``)."""

from typing import Any

def has_non_finite(obj: Any, /) -> bool:
    """Whether the JSON-like value holds a NaN or an infinity (keys, values, items)."""
