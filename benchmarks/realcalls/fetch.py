"""Re-create the real-call audio set from its public sources into ``.cache/realcalls/``.

    python benchmarks/realcalls/fetch.py                  # fetch, build, verify every call
    python benchmarks/realcalls/fetch.py --check          # only verify what is already there
    python benchmarks/realcalls/fetch.py --only lca-auto-repairs-40
    python benchmarks/realcalls/fetch.py --mirror-root DIR  # read local git mirrors instead

The audio is not committed: ``manifest.yaml`` beside this file names, for every call, the public
git repository, the commit and the path of each source file, with its sha256.  For each repository
this script keeps one bare git directory under ``.cache/realcalls/_git/`` and asks GitHub for only
the pinned commit, the equivalent of

    git clone --depth 1 https://github.com/OWNER/NAME        # when the commit is the branch tip
    git fetch --depth 1 origin COMMIT                        # any other pinned commit

(GitHub serves any commit reachable from a branch or a pull-request ref by its hash; one call
here lives only on a pull request).  It then reads each file with ``git show COMMIT:PATH``, checks
its sha256, builds the call file the manifest asks for (``copy``: the file as it is;
``stereo_agent_left``: two mono WAVs of one call, agent and customer, interleaved into one 16-bit
stereo WAV with the agent on the left, which is what ``callsim score`` expects; ``agent_delay_ms``
puts an agent file that started recording later back in its place on the call's clock, as the
source's own transcript times say) and checks the
built file's sha256 too.  Building uses only the standard library, so the bytes are the same on
every machine.

``--mirror-root DIR`` reads ``DIR/OWNER+NAME/repo`` (a git directory, e.g. a mirror made earlier
with ``git clone --mirror``) instead of the network; nothing is written into it.

Needs ``git`` and PyYAML.  Exit codes: 0 all calls present and verified, 1 some call failed (each
failure is named with its file and what to do), 2 bad arguments or an unreadable manifest.
"""

from __future__ import annotations

import argparse
import array
import hashlib
import shutil
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
MANIFEST = HERE / "manifest.yaml"
DEFAULT_DEST = REPO_ROOT / ".cache" / "realcalls"
BUILDS = ("copy", "stereo_agent_left")


class FetchError(Exception):
    """A call could not be re-created; the message says which file and what to do."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class CallSource:
    call_id: str
    repo: str
    commit: str
    files: tuple[SourceFile, ...]
    build: str
    output_name: str
    output_sha256: str
    agent_delay_ms: int = 0  # stereo_agent_left: the agent's file starts this long after the customer's


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(path: Path) -> list[CallSource]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"{path}: cannot read the manifest ({exc})") from exc
    calls = []
    for index, entry in enumerate(document.get("calls", [])):
        where = f"{path}: calls[{index}]"
        try:
            source = entry["source"]
            build = source["build"]
            if build not in BUILDS:
                raise SystemExit(f"{where}: source.build {build!r} is not one of {', '.join(BUILDS)}")
            calls.append(
                CallSource(
                    call_id=entry["id"],
                    repo=source["repo"],
                    commit=source["commit"],
                    files=tuple(SourceFile(f["path"], f["sha256"]) for f in source["files"]),
                    build=build,
                    output_name=entry["audio"]["file"],
                    output_sha256=entry["audio"]["sha256"],
                    agent_delay_ms=int(source.get("agent_delay_ms", 0)),
                )
            )
        except (KeyError, TypeError) as exc:
            raise SystemExit(f"{where}: missing field {exc}; see the other entries for the form") from exc
    return calls


def run_git(args: list[str], git_dir: Path) -> bytes:
    if shutil.which("git") is None:
        raise FetchError("git is not installed: install it (apt-get install git) and run again")
    done = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise FetchError(f"git {' '.join(args)} in {git_dir} failed: {message}")
    return done.stdout


def has_commit(git_dir: Path, commit: str) -> bool:
    probe = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def git_dir_for(repo: str, commit: str, dest: Path, mirror_root: Path | None) -> Path:
    """A git directory holding ``commit`` of ``repo``: a local mirror, or a shallow fetch."""
    if mirror_root is not None:
        mirror = mirror_root / repo.replace("/", "+") / "repo"
        if not mirror.is_dir():
            raise FetchError(f"{repo}: no git directory at {mirror}; drop --mirror-root to fetch it")
        if not has_commit(mirror, commit):
            raise FetchError(f"{repo}: {mirror} lacks commit {commit}; drop --mirror-root to fetch it")
        return mirror
    git_dir = dest / "_git" / repo.replace("/", "+")
    if not git_dir.is_dir():
        git_dir.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--bare", "--quiet", str(git_dir)], check=True)
        run_git(["remote", "add", "origin", f"https://github.com/{repo}.git"], git_dir)
    if not has_commit(git_dir, commit):
        try:
            run_git(["fetch", "--depth", "1", "--quiet", "origin", commit], git_dir)
        except FetchError as exc:
            raise FetchError(f"{exc}\n  (no network to GitHub? point --mirror-root at local clones)") from exc
    return git_dir


def source_bytes(call: CallSource, git_dir: Path) -> list[bytes]:
    blobs = []
    for source in call.files:
        try:
            data = run_git(["show", f"{call.commit}:{source.path}"], git_dir)
        except FetchError as exc:
            raise FetchError(f"{call.call_id}: {source.path} is not readable at {call.commit} ({exc})") from exc
        if sha256_of(data) != source.sha256:
            raise FetchError(
                f"{call.call_id}: {call.repo}@{call.commit}:{source.path} has sha256 {sha256_of(data)}, "
                f"the manifest says {source.sha256}; the source changed, do not use this call"
            )
        blobs.append(data)
    return blobs


def read_mono_pcm16(data: bytes, label: str) -> tuple[int, array.array]:
    import io

    with wave.open(io.BytesIO(data)) as reader:
        if reader.getnchannels() != 1 or reader.getsampwidth() != 2:
            raise FetchError(
                f"{label}: expected mono 16-bit PCM, found {reader.getnchannels()} channel(s) "
                f"of {8 * reader.getsampwidth()} bits"
            )
        samples = array.array("h")
        samples.frombytes(reader.readframes(reader.getnframes()))
        if sys.byteorder == "big":
            samples.byteswap()
        return reader.getframerate(), samples


def interleave_agent_left(agent: bytes, customer: bytes, call_id: str, agent_delay_ms: int = 0) -> bytes:
    """One stereo WAV from the two single-speaker files of a call (agent left, customer right); an
    agent file that began recording ``agent_delay_ms`` after the customer's is put back in its place
    on the call's clock by that much silence before it."""
    import io

    agent_rate, agent_samples = read_mono_pcm16(agent, f"{call_id} agent file")
    customer_rate, customer_samples = read_mono_pcm16(customer, f"{call_id} customer file")
    if agent_rate != customer_rate:
        raise FetchError(f"{call_id}: the agent file is {agent_rate} Hz, the customer file {customer_rate} Hz")
    if agent_delay_ms:
        agent_samples = array.array("h", bytes(2 * round(agent_delay_ms * agent_rate / 1000))) + agent_samples
    frames = max(len(agent_samples), len(customer_samples))
    stereo = array.array("h", bytes(4 * frames))  # zero-padded: the shorter side is silent at the end
    stereo[0 : 2 * len(agent_samples) : 2] = agent_samples
    stereo[1 : 2 * len(customer_samples) : 2] = customer_samples
    if sys.byteorder == "big":
        stereo.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(agent_rate)
        writer.writeframes(stereo.tobytes())
    return out.getvalue()


def build_call(call: CallSource, blobs: list[bytes]) -> bytes:
    if call.build == "copy":
        if len(blobs) != 1:
            raise FetchError(f"{call.call_id}: build 'copy' takes one source file, the manifest lists {len(blobs)}")
        return blobs[0]
    if len(blobs) != 2:
        raise FetchError(f"{call.call_id}: build 'stereo_agent_left' takes two files (agent, customer)")
    return interleave_agent_left(blobs[0], blobs[1], call.call_id, call.agent_delay_ms)


def verify_existing(call: CallSource, dest: Path) -> bool:
    target = dest / call.output_name
    return target.is_file() and sha256_of(target.read_bytes()) == call.output_sha256


def fetch_call(call: CallSource, dest: Path, mirror_root: Path | None) -> Path:
    target = dest / call.output_name
    if verify_existing(call, dest):
        return target
    git_dir = git_dir_for(call.repo, call.commit, dest, mirror_root)
    audio = build_call(call, source_bytes(call, git_dir))
    if sha256_of(audio) != call.output_sha256:
        raise FetchError(
            f"{call.call_id}: built {call.output_name} has sha256 {sha256_of(audio)}, the manifest says "
            f"{call.output_sha256}; report it with your Python version"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(audio)
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="where the audio goes (default: %(default)s)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--mirror-root", type=Path, help="read OWNER+NAME/repo git dirs here instead of GitHub")
    parser.add_argument("--only", action="append", metavar="CALL_ID", help="only this call (repeatable)")
    parser.add_argument("--check", action="store_true", help="verify files already in --dest; fetch nothing")
    args = parser.parse_args(argv)

    calls = read_manifest(args.manifest)
    if args.only:
        unknown = sorted(set(args.only) - {c.call_id for c in calls})
        if unknown:
            parser.error(f"no call {', '.join(unknown)} in {args.manifest}")
        calls = [c for c in calls if c.call_id in args.only]

    failures = 0
    for call in calls:
        if args.check:
            ok = verify_existing(call, args.dest)
            print(f"{'ok     ' if ok else 'MISSING'} {call.call_id}: {args.dest / call.output_name}")
            failures += not ok
            continue
        try:
            path = fetch_call(call, args.dest, args.mirror_root)
        except FetchError as exc:
            print(f"FAILED  {exc}", file=sys.stderr)
            failures += 1
        else:
            print(f"ok      {call.call_id}: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
