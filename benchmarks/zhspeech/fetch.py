"""Re-create the real Mandarin clips of ``manifest.yaml`` into ``.cache/zhspeech/`` and check their sha256.

    python benchmarks/zhspeech/fetch.py                    # from GitHub (git, only the pinned commits)
    python benchmarks/zhspeech/fetch.py --mirror-root DIR  # from local clones: DIR/OWNER+NAME/repo

For each repository one bare git directory is kept under ``.cache/zhspeech/_git/``; each pinned
commit is fetched alone (``git fetch --depth 1 origin COMMIT``) and each clip read with
``git show COMMIT:PATH``.  Exit codes: 0 every clip present and verified, 1 some clip failed (named,
with what to do), 2 an unreadable manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.yaml"
DEFAULT_DEST = HERE.parents[1] / ".cache" / "zhspeech"


def clips(manifest: Path = MANIFEST) -> list[dict]:
    return list(yaml.safe_load(manifest.read_text(encoding="utf-8"))["clips"])


def clip_path(clip: dict, dest: Path = DEFAULT_DEST) -> Path:
    return dest / f"{clip['id']}.wav"


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True).stdout


def _repository(repo: str, dest: Path, mirror_root: Path | None) -> Path:
    if mirror_root is not None:
        return mirror_root / repo.replace("/", "+") / "repo"
    git_dir = dest / "_git" / repo.replace("/", "+")
    if not git_dir.is_dir():
        subprocess.run(["git", "init", "--bare", "-q", str(git_dir)], check=True)
        _git(git_dir, "remote", "add", "origin", f"https://github.com/{repo}")
    return git_dir


def fetch_clip(clip: dict, dest: Path, mirror_root: Path | None) -> str | None:
    """None when the clip is in place and verified, else what went wrong and what to do."""
    source = clip["source"]
    target = clip_path(clip, dest)
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == source["sha256"]:
        return None
    git_dir = _repository(source["repo"], dest, mirror_root)
    spec = f"{source['commit']}:{source['path']}"
    try:
        try:
            data = _git(git_dir, "show", spec)
        except subprocess.CalledProcessError:
            if mirror_root is not None:
                raise
            _git(git_dir, "fetch", "-q", "--depth", "1", "origin", source["commit"])
            data = _git(git_dir, "show", spec)
    except subprocess.CalledProcessError as err:
        return f"{clip['id']}: git could not read {source['repo']}@{spec} ({err.stderr.decode().strip()}); " \
               "check the network or give --mirror-root"
    digest = hashlib.sha256(data).hexdigest()
    if digest != source["sha256"]:
        return f"{clip['id']}: {spec} has sha256 {digest}, the manifest says {source['sha256']}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--mirror-root", type=Path, help="read DIR/OWNER+NAME/repo instead of the network")
    args = parser.parse_args(argv)
    try:
        listed = clips()
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        print(f"fetch: {MANIFEST}: {err}", file=sys.stderr)
        return 2
    failures = [problem for clip in listed if (problem := fetch_clip(clip, args.dest, args.mirror_root))]
    for problem in failures:
        print(f"fetch: {problem}", file=sys.stderr)
    print(f"{len(listed) - len(failures)} of {len(listed)} clips in {args.dest}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
