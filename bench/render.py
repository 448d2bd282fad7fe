"""Render a report.html in headless Chromium and save PNGs: ``python -m bench.render DIR``.

Checks the report as a reader sees it: Chromium must load the self-contained page (with
no network: charts are inline) and write non-empty screenshots: ``report.png`` (the
first 4000 pixels of the page, 1200 wide) and ``report-first-screen.png`` (what a
1280 x 900 window shows first: the summary), and say whether the summary fits in that
first screen (:func:`summary_bottom`). Needs Debian's ``chromium``
(``apt-get install chromium``); exits 2 with a message when it is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Flags for a root, offline, screenless machine: no sandbox (root), no GPU, and none of
# the background services that would try the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

#: The screenshots written, by file name: (width, height) of the window.
SHOTS = {"report.png": (1200, 4000), "report-first-screen.png": (1280, 900)}


#: The first screen the summary must fit in (width, height).
FIRST_SCREEN = SHOTS["report-first-screen.png"]


def _chromium(page: Path, width: int, height: int, *args: str) -> subprocess.CompletedProcess[str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                *args,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def render(
    report: Path, png: Path, width: int = 1200, height: int = 4000
) -> subprocess.CompletedProcess[str]:
    """Screenshot ``report`` into ``png`` with headless Chromium."""
    return _chromium(report, width, height, f"--screenshot={png}")


# Run in the page once laid out: where the summary ends, in CSS pixels from the top.
_PROBE = (
    "<script>document.body.setAttribute('data-summary-bottom', Math.ceil("
    "document.getElementById('summary').getBoundingClientRect().bottom))</script>"
)


def summary_bottom(report: Path, width: int = FIRST_SCREEN[0]) -> int:
    """How far down a ``width``-pixel-wide window the report's summary ends (pixels).

    Lays the page out in Chromium (a copy with a probe script) and reads the result
    from the rendered DOM.
    """
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.html"
        probe.write_text(report.read_text().replace("</body>", _PROBE + "</body>"))
        result = _chromium(probe, width, FIRST_SCREEN[1], "--dump-dom")
    found = re.search(r'data-summary-bottom="(\d+)"', result.stdout)
    if found is None:
        raise RuntimeError(f"chromium did not lay out the report:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.render RESULT_DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    report = folder / "report.html"
    if not report.is_file():
        print(f"error: {report} does not exist", file=sys.stderr)
        return 2
    for png, size in SHOTS.items():
        try:
            result = render(report, folder / png, *size)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        path = folder / png
        if result.returncode != 0 or not path.is_file() or path.stat().st_size < 10_000:
            print(
                f"error: chromium did not render the report:\n{result.stderr[-2000:]}",
                file=sys.stderr,
            )
            return 1
        print(f"rendered {report} -> {path} ({path.stat().st_size} bytes)")
    bottom = summary_bottom(report)
    width, height = FIRST_SCREEN
    fits = "fits" if bottom <= height else "does NOT fit"
    print(f"the summary ends {bottom} px down: it {fits} in a {width}x{height} first screen")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
