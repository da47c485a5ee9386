"""Owner-only folders and files for trainee data: recordings, transcripts, the SQLite store, exports.

On a shared training PC the data folder holds other people's voices and words. The usual umask
(022) would leave it readable by every account, so modes are set explicitly when a folder or file
is made (``chmod`` after creating it, because ``mkdir``/``open`` modes are filtered by the umask).
Folders that already existed before callsim made them are left alone, except the data folder
itself, which ``tighten_data_folder`` closes at start (only callsim's own entries in it, when it also
holds files that are not callsim's).
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
OTHERS_BITS = 0o077  # group and world

_OPEN_FLAGS = {
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
}


def make_private_dir(path: Path | str) -> Path:
    """``path`` and any missing parents, each made 0700; like ``mkdir(parents=True, exist_ok=True)``."""
    path = Path(path)
    missing = []
    probe = path
    while not os.path.lexists(probe) and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process made it a moment ago: its mode is that process's business
        os.chmod(folder, PRIVATE_DIR_MODE)
    if not path.is_dir():
        raise FileExistsError(f"{path} exists and is not a folder")
    return path


def open_private(path: Path | str, mode: str = "w", *, encoding: str = "utf-8") -> IO[str]:
    """A text file opened for writing as 0600: ``x`` new only, ``w`` truncate, ``a`` append."""
    descriptor = os.open(path, _OPEN_FLAGS[mode] | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        _restrict(descriptor)
        return os.fdopen(descriptor, mode, encoding=encoding)
    except BaseException:
        os.close(descriptor)
        raise


def replace_private_text(path: Path | str, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` as the owner-only file ``path`` all at once: it goes to a new file beside it that then
    takes its place, so a full disk or a killed process leaves the earlier file whole (and no half-written
    one).  A device or pipe (``/dev/stdout``...) is written to directly: it cannot be replaced."""
    target = Path(path)
    if target.exists() and not target.is_file():
        with open(target, "w", encoding=encoding) as stream:
            stream.write(text)
        return
    scratch = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with open_private(scratch, "w", encoding=encoding) as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(scratch, target)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


def create_private_file(path: Path | str) -> Path:
    """Make an empty 0600 file unless one exists (SQLite then gives its -wal/-shm/-journal the same mode)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    except FileExistsError:
        return Path(path)
    try:
        _restrict(descriptor)
    finally:
        os.close(descriptor)
    return Path(path)


def make_owner_only(path: Path | str) -> Path:
    """Close a file just written by a library that opens files itself (the WAV writer)."""
    os.chmod(path, PRIVATE_FILE_MODE)
    return Path(path)


def _restrict(descriptor: int) -> None:
    # An existing file that belongs to another account keeps the mode its owner chose.
    with contextlib.suppress(PermissionError):
        os.fchmod(descriptor, PRIVATE_FILE_MODE)


# What callsim keeps in its data folder (config.Settings, the store, the app): anything else there
# belongs to someone else, and a folder that holds it is shared, not callsim's to close.
DATA_FOLDER_ENTRIES = frozenset({"calls", "voice-cache", "ui", "callsim.db", "callsim.db-wal", "callsim.db-shm",
                                 "callsim.db-journal"})


@dataclass(frozen=True, slots=True)
class Tightening:
    """What ``tighten_data_folder`` did to a data folder others could read."""

    folder: Path
    old_mode: int
    closed: bool  # False: the folder itself could not be changed (it belongs to another account)
    items_closed: int  # folders and files inside whose group/world bits were removed
    items_refused: int  # entries that could not be changed (they belong to another account)
    shared: bool = False  # the folder also holds files that are not callsim's: only callsim's were closed

    def notice(self) -> str:
        if self.shared:
            text = (f"callsim: the data folder {self.folder} is open to other users (mode {self.old_mode:o}) and "
                    f"holds files that are not callsim's, so it was left as it is and only callsim's own "
                    f"{self.items_closed} item(s) in it were made owner-only; to keep even the names of calls "
                    "private, give callsim a folder of its own (data_dir)")
            return text + (f" ({self.items_refused} could not be changed: not yours)" if self.items_refused else "")
        if not self.closed:
            return (f"callsim: warning: the data folder {self.folder} is open to other users (mode "
                    f"{self.old_mode:o}) and could not be made private; run: chmod -R go-rwx {self.folder}")
        text = (f"callsim: the data folder {self.folder} was open to other users (mode {self.old_mode:o}); "
                f"made it and {self.items_closed} item(s) in it owner-only")
        return text + (f" ({self.items_refused} could not be changed: not yours)" if self.items_refused else "")


def tighten_data_folder(folder: Path | str) -> Tightening | None:
    """Close a data folder made before callsim kept it private (or opened by hand). None: nothing to do."""
    folder = Path(folder)
    try:
        info = os.stat(folder)
    except OSError:
        return None  # not made yet: it will be made private
    if not stat.S_ISDIR(info.st_mode) or not info.st_mode & OTHERS_BITS:
        return None
    try:
        entries = os.listdir(folder)
    except OSError:
        return None
    if any(name not in DATA_FOLDER_ENTRIES for name in entries):
        closed, refused = _close_all_below([folder / name for name in entries if name in DATA_FOLDER_ENTRIES])
        # said only when something was closed: the shared folder stays open, and would be said every time
        return Tightening(folder, stat.S_IMODE(info.st_mode), False, closed, refused, shared=True) \
            if closed or refused else None
    try:
        os.chmod(folder, stat.S_IMODE(info.st_mode) & ~OTHERS_BITS)  # first: closes everything below at once
    except OSError:
        return Tightening(folder, stat.S_IMODE(info.st_mode), False, 0, 0)
    closed, refused = _close_all_below([folder / name for name in entries])
    return Tightening(folder, stat.S_IMODE(info.st_mode), True, closed, refused)


def _close_all_below(paths: list[Path]) -> tuple[int, int]:
    """Each path and everything under it closed to others: (how many were closed, how many refused)."""
    closed = refused = 0
    for path in paths:
        walked = [] if path.is_symlink() else os.walk(path)  # a link's target is not ours to change
        below = [path] + [Path(root, name) for root, dirs, files in walked for name in (*dirs, *files)]
        for entry in below:
            try:
                if _close_to_others(entry):
                    closed += 1
            except OSError:
                refused += 1
    return closed, refused


def _close_to_others(path: Path) -> bool:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode) or not mode & OTHERS_BITS:
        return False  # a link's target is not ours to change
    os.chmod(path, stat.S_IMODE(mode) & ~OTHERS_BITS)
    return True
