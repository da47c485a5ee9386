"""Tracebacks for bug reports: the trainee sees one line, the details go to a log file."""

from __future__ import annotations

import traceback
from pathlib import Path

from simulator.record import now_iso

ERROR_LOG = Path("ui") / "errors.log"


def write_error_log(data_dir: Path, err: BaseException) -> Path | None:
    """Append ``err``'s traceback to ``<data dir>/ui/errors.log``; returns the path, or None if unwritable."""
    path = data_dir / ERROR_LOG
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {now_iso()}\n{''.join(traceback.format_exception(err))}")
    except OSError:
        return None
    return path
