"""Where one ctxcore request's time goes, phase by phase (the ``context`` suite's breakdown).

:mod:`.timing` times one phase alone (min-of-N of bracketed calls), :mod:`.wsgi` and
:mod:`.asgi` list the phases of a request as the engine runs them (each one a call of
the engine's own), :mod:`.run` times every variant in a process of its own, and
:mod:`.breakdown` draws the report's table and stacked bar chart.
"""
