"""Tracebacks for bug reports: the trainee sees one line, the details go to a log file."""

from __future__ import annotations

import traceback
from pathlib import Path

from simulator.private_files import make_private_dir, open_private
from simulator.record import now_iso

ERROR_LOG = Path("ui") / "errors.log"


def write_error_log(data_dir: Path, err: BaseException) -> Path | None:
    """Append ``err``'s traceback to ``<data dir>/ui/errors.log``; returns the path, or None if unwritable."""
    path = data_dir / ERROR_LOG
    try:
        make_private_dir(path.parent)
        with open_private(path, "a") as log:
            log.write(f"--- {now_iso()}\n{''.join(traceback.format_exception(err))}")
    except OSError:
        return None
    return path
