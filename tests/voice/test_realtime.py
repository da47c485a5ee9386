"""Turn-taking in real time: ``callsim play`` on the clocked virtual devices (PulseAudio).

The trainee is played into the virtual mic while the app runs unmodified on the default devices;
mic and speaker are recorded on one clock (``realtime_bus``).  The checks are sample positions in
that recording, so they hold on a slow machine: they test behaviour, not speed.

The daemon from ../shared/audio/realtime routes the virtual mic (``probe_mic``) to the LEFT and
the app's speaker (``probe_spk``) to the RIGHT channel of ``probe_bus``; recording its monitor
gives both sides sample-aligned, so "the customer stopped 120 ms after the trainee started" is a
difference of sample positions in one recording, whatever the machine's load.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.clip import AudioClip, read_wav, write_wav
from simulator.contracts import Speaker
from simulator.record import CallRecord, read_call
from tests.helpers.waiting import wait_until

pytestmark = [pytest.mark.audio, pytest.mark.models]
REPO = Path(__file__).resolve().parents[2]
REALTIME = REPO.parent / "shared" / "audio" / "realtime"
BARGE_IN_LIMIT_S = 0.150
RATE = 16_000
FRAME = RATE // 100  # 10 ms
ACTIVE_DBFS = -45.0
# Longer than any pause inside one spoken line (between words or sentences: 0.35 s at most in
# these voices), shorter than the silence after one: within this of its last sound a line is still going.
LINE_PAUSE_S = 0.5


class BusRecorder:
    def __init__(self, env: dict[str, str]):
        self._env = env
        self._data = bytearray()
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            ["parec", "-d", "probe_bus.monitor", "--rate", str(RATE), "--channels", "2", "--format", "s16le",
             "--raw", "--latency-msec", "10"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        stream = self._process.stdout
        while True:
            chunk = stream.read1(6400) if hasattr(stream, "read1") else stream.read(6400)
            if not chunk:
                return
            with self._lock:
                self._data.extend(chunk)

    def channels(self) -> tuple[np.ndarray, np.ndarray]:
        """(mic, speaker) as float32, from the start of the recording."""
        with self._lock:
            usable = len(self._data) // 4 * 4
            pcm = np.frombuffer(bytes(self._data[:usable]), "<i2").reshape(-1, 2)
        samples = pcm.astype(np.float32) / 32768.0
        return samples[:, 0], samples[:, 1]

    @property
    def position(self) -> int:
        with self._lock:
            return len(self._data) // 4

    def wait_until(self, condition, timeout_s: float, what: str, app: subprocess.Popen | None = None,
                   log: Path | None = None) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if app is not None and app.poll() is not None:
                raise AssertionError(f"the app exited ({app.returncode}) while waiting for {what}: "
                                     f"{log.read_text()[-2000:] if log else ''}")
            mic, speaker = self.channels()
            if condition(mic, speaker):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()


def active_frames(signal: np.ndarray, threshold_dbfs: float = ACTIVE_DBFS) -> np.ndarray:
    """One bool per 10 ms frame: is there sound?"""
    n = len(signal) // FRAME
    if n == 0:
        return np.zeros(0, bool)
    power = np.mean(signal[:n * FRAME].astype(np.float64).reshape(n, FRAME) ** 2, axis=1)
    return 10 * np.log10(power + 1e-12) > threshold_dbfs


def first_sound(signal: np.ndarray, start: int = 0, threshold_dbfs: float = ACTIVE_DBFS) -> int | None:
    """Sample where sound starts at or after ``start`` (refined inside the first active frame)."""
    frames = active_frames(signal[start:], threshold_dbfs)
    hits = np.flatnonzero(frames)
    if len(hits) == 0:
        return None
    begin = start + hits[0] * FRAME
    level = 10 ** (threshold_dbfs / 20)
    inside = np.flatnonzero(np.abs(signal[begin:begin + FRAME]) > level)
    return begin + (int(inside[0]) if len(inside) else 0)


def last_sound_before_gap(signal: np.ndarray, start: int, gap_s: float = 0.3,
                          threshold_dbfs: float = ACTIVE_DBFS) -> int | None:
    """End of the sound that is playing at ``start``: the last active sample before a gap."""
    frames = active_frames(signal[start:], threshold_dbfs)
    gap = int(gap_s * 100)
    for index in range(len(frames)):
        if not frames[index:index + gap].any() and len(frames) - index >= gap:
            level = 10 ** (threshold_dbfs / 20)
            tail = signal[max(0, start + (index - 1) * FRAME):start + index * FRAME]
            loud = np.flatnonzero(np.abs(tail) > level)
            return start + (index - 1) * FRAME + (int(loud[-1]) + 1 if len(loud) else 0)
    return None


def sounded_within(signal: np.ndarray, at: int, seconds: float = LINE_PAUSE_S) -> bool:
    """There was sound in the ``seconds`` before sample ``at``."""
    return bool(active_frames(signal[max(0, at - int(seconds * RATE)):at]).any())


def line_under_way(speaker: np.ndarray, seconds: float) -> bool:
    """On the recording: the customer's first line began at least ``seconds`` ago and is still going."""
    start = first_sound(speaker)
    return start is not None and len(speaker) - start >= seconds * RATE and sounded_within(speaker, len(speaker))


def reply_heard(mic: np.ndarray, speaker: np.ndarray, played_at: int) -> tuple[int, int] | None:
    """(onset, speech end) of the reply played into the mic at ``played_at``, once it has ended."""
    onset = first_sound(mic, played_at)
    end = None if onset is None else last_sound_before_gap(mic, onset, gap_s=LINE_PAUSE_S)
    return None if end is None else (onset, end)


def answer_heard(speaker: np.ndarray, after: int) -> bool:
    """The customer has said a whole line after sample ``after`` (sound, then a second of quiet)."""
    start = first_sound(speaker, after)
    return start is not None and last_sound_before_gap(speaker, start, 1.0) is not None


def the_record(folder: Path) -> CallRecord | None:
    """The call the app is recording into ``folder`` (its own sub-folder), as far as written."""
    calls = [p for p in folder.iterdir() if (p / "call.jsonl").is_file()] if folder.is_dir() else []
    return read_call(calls[0]) if calls else None


def customer_lines_recorded(folder: Path) -> int:
    record = the_record(folder)
    return 0 if record is None else sum(t.speaker == Speaker.CUSTOMER for t in record.turns)


def start_app(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``callsim ARGS`` on the default devices; output goes to a file (PortAudio can be chatty
    under load, and a full pipe would stall the app)."""
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "simulator", *args], env=env, cwd=REPO,
                                stdout=out, stderr=subprocess.STDOUT, text=True)


def stop_app(app: subprocess.Popen) -> None:
    if app.poll() is None:
        app.send_signal(signal.SIGTERM)
    try:
        app.wait(30)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()


def play_into_mic(path: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "-d", "probe_mic", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def barged_in_call(realtime, replies, tmp_path_factory):
    """A call where the trainee starts talking one second into the customer's opening line.

    Every step waits on the recording (one clock for mic and speaker), never on the wall clock:
    the reply is played once the line has been heard for a second, so however slow the machine
    (or ``paplay``) is, it cannot start before the line; the checks then read where it landed."""
    work = tmp_path_factory.mktemp("realtime-calls")
    calls = work / "calls"
    recorder = BusRecorder(realtime.env)
    log = work / "app.log"
    app = start_app(["play", "billing-overcharge", "--record-to", str(calls), "--analyser", "lexical",
                     "--end-silence", "0.4"], realtime.env, log)
    reply = sorted(replies["billing"].glob("*.wav"))[0]
    try:
        recorder.wait_until(lambda mic, spk: line_under_way(spk, 1.0), 60, "the customer's opening line", app, log)
        played_at = recorder.position
        play_into_mic(reply, realtime.env).wait(30)
        recorder.wait_until(lambda mic, spk: reply_heard(mic, spk, played_at) is not None, 60,
                            "the reply on the mic", app, log)
        _onset, speech_end = reply_heard(*recorder.channels(), played_at)
        recorder.wait_until(lambda mic, spk: answer_heard(spk, speech_end), 60, "the customer's answer", app, log)
        # The app writes a line to the record once it has played it.
        wait_until(lambda: customer_lines_recorded(calls) >= 2, 60, "the answer in the call record")
    finally:
        stop_app(app)
        recorder.close()
    mic, speaker = recorder.channels()
    return {"mic": mic, "speaker": speaker, "played_at": played_at, "reply": reply, "record": the_record(calls)}


def test_playback_stops_within_150_ms_of_the_trainee_starting_to_speak(barged_in_call):
    mic, speaker = barged_in_call["mic"], barged_in_call["speaker"]
    onset = first_sound(mic, barged_in_call["played_at"])
    assert onset is not None, "the reply never reached the app's microphone"
    # The customer is speaking if the line has begun and its last sound is closer than a pause
    # inside a line: the trainee may well start in the gap between two of the customer's words.
    line_start = first_sound(speaker)
    assert line_start is not None and line_start < onset and sounded_within(speaker, onset), \
        "the customer was not speaking when the trainee started"
    cut = last_sound_before_gap(speaker, onset, gap_s=LINE_PAUSE_S)
    assert cut is not None
    print(f"barge-in: playback stopped {(cut - onset) / RATE * 1000:.0f} ms after speech onset")
    assert cut - onset <= BARGE_IN_LIMIT_S * RATE, f"playback went on {(cut - onset) / RATE * 1000:.0f} ms"
    opening = next(t for t in barged_in_call["record"].turns if t.speaker == Speaker.CUSTOMER)
    assert opening.interrupted, "the opening line was not cut: it had ended before the trainee spoke"


def test_the_interruption_is_recorded_on_both_sides(barged_in_call):
    record = barged_in_call["record"]
    customer = [t for t in record.turns if t.speaker == Speaker.CUSTOMER]
    trainee = record.trainee_turns
    assert customer[0].interrupted
    assert trainee and trainee[0].analysis.interrupted_customer
    assert "interrupted_customer" in customer[1].events
    # The customer's recorded line is what was played: cut short of the full line.
    played = read_wav(record.audio(customer[0])).duration_s
    assert 0.5 < played < 4.0


def test_the_customer_answers_only_after_the_end_of_turn_silence(barged_in_call):
    mic, speaker = barged_in_call["mic"], barged_in_call["speaker"]
    onset = first_sound(mic, barged_in_call["played_at"])
    speech_end = last_sound_before_gap(mic, onset, gap_s=0.5)
    answer = first_sound(speaker, speech_end)
    assert answer is not None
    assert answer - speech_end >= 0.4 * RATE - 0.05 * RATE  # never before the configured silence
    trainee = barged_in_call["record"].trainee_turns[0]
    heard = read_wav(barged_in_call["record"].audio(trainee)).duration_s
    assert heard >= (speech_end - onset) / RATE - 0.1  # the whole reply is in the trainee's WAV
    assert "refund" not in trainee.text.lower() and "sam" in trainee.text.lower()


@pytest.fixture(scope="module")
def bumped_call(realtime, tmp_path_factory):
    """A call where the mic picks up a short knock (not speech) during the customer's opening line."""
    work = tmp_path_factory.mktemp("realtime-bump")
    knock = np.random.default_rng(5).standard_normal(int(0.04 * RATE)).astype(np.float32) * 0.3
    write_wav(work / "knock.wav", AudioClip(np.concatenate([knock, np.zeros(RATE // 2, np.float32)])))
    recorder = BusRecorder(realtime.env)
    log = work / "app.log"
    app = start_app(["play", "billing-overcharge", "--record-to", str(work / "calls"), "--analyser", "lexical",
                     "--no-speech", "3"], realtime.env, log)
    try:
        recorder.wait_until(lambda mic, spk: line_under_way(spk, 1.0), 60, "the customer's opening line", app, log)
        knocked_at = recorder.position
        play_into_mic(work / "knock.wav", realtime.env).wait(30)
        # The opening line finishes, then three seconds of silence make a silence turn and the
        # customer reacts to it: wait for that second line to be played and recorded.
        recorder.wait_until(lambda mic, spk: answer_heard(spk, knocked_at + 5 * RATE), 60,
                            "the customer's reaction to the silence", app, log)
        wait_until(lambda: customer_lines_recorded(work / "calls") >= 2, 60, "the reaction in the call record")
    finally:
        stop_app(app)
        recorder.close()
    mic, speaker = recorder.channels()
    return {"mic": mic, "speaker": speaker, "knocked_at": knocked_at, "record": the_record(work / "calls")}


def test_a_knock_on_the_mic_holds_the_line_briefly_and_it_carries_on(bumped_call):
    mic, speaker = bumped_call["mic"], bumped_call["speaker"]
    knock = first_sound(mic, bumped_call["knocked_at"])
    assert knock is not None
    gap_start = last_sound_before_gap(speaker, knock - int(0.05 * RATE), gap_s=0.15)
    assert gap_start is not None and gap_start - knock < 0.25 * RATE  # held (the timing is the barge-in test's)
    resumed = first_sound(speaker, gap_start + 1)
    customer = [t for t in bumped_call["record"].turns if t.speaker == Speaker.CUSTOMER]
    assert not customer[0].interrupted
    line = read_wav(bumped_call["record"].audio(customer[0])).samples
    # The voice's own pause where the hold began (a break between sentences) is not the hold's:
    # the same point of the recorded line tells how long the line itself was silent there.
    padded = np.concatenate([line, np.zeros(3 * RATE, np.float32)])
    in_line = gap_start - first_sound(speaker) + first_sound(padded)
    own_pause = first_sound(padded, in_line) - in_line
    assert resumed is not None and resumed - gap_start - own_pause < 0.6 * RATE  # ...and released, not cut
    assert len(line) > 3 * RATE  # the whole line was played and kept
    # On the speaker the line lasted its own length plus the hold (0.3 s nominal; the edges of the
    # sound found in the recording move it by a word's tail, so 0.18 s has been measured): a line
    # played straight through would differ by about nothing.
    # (the whole line either way: a gap of 2 s is longer than the voice's pauses, shorter than the
    # 3 s of silence before the customer reacts)
    line_span = last_sound_before_gap(padded, first_sound(padded), 2.0) - first_sound(padded)
    started = first_sound(speaker)
    heard_span = last_sound_before_gap(speaker, started, 2.0) - started
    assert heard_span - line_span >= 0.1 * RATE
    trainee = bumped_call["record"].trainee_turns
    assert trainee and trainee[0].analysis.silence and not trainee[0].analysis.interrupted_customer


def test_a_headset_that_disappears_mid_call_stops_it_with_a_message_and_keeps_the_record(realtime, tmp_path):
    """The sound server dies during the opening line, as when a USB headset is pulled."""
    env = {**realtime.env, "PROBE_STATE_DIR": str(tmp_path / "pulse")}
    started = subprocess.run([str(REALTIME / "start.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stderr
    for line in started.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    recorder = BusRecorder(env)
    log = tmp_path / "app.log"
    app = start_app(["play", "billing-overcharge", "--record-to", str(tmp_path / "calls"), "--analyser", "lexical"],
                    env, log)
    try:
        recorder.wait_until(lambda mic, spk: line_under_way(spk, 1.0), 60, "the customer's opening line", app, log)
    finally:
        subprocess.run([str(REALTIME / "stop.sh")], env=env, capture_output=True, timeout=30)
        recorder.close()
    try:
        # The message comes at once; the process may then wait for Whisper, still loading on its worker
        # thread, before it exits (seen once past 60 s in a full suite run).
        app.wait(180)
    finally:
        stop_app(app)
    err = log.read_text()
    assert app.returncode == 2  # a device that went away is a settings problem, not an unwritable record
    assert "device 'default'" in err and "callsim devices" in err and "saved" in err
    record = read_call(next(p for p in (tmp_path / "calls").iterdir() if p.is_dir()))
    assert not record.complete
    opening = record.turns[0]
    assert opening.speaker == Speaker.CUSTOMER and read_wav(record.audio(opening)).duration_s > 0.5


def test_hanging_up_while_the_customer_answers_keeps_the_turn_it_answers(realtime, replies, tmp_path):
    """The trainee's turn is recorded after the answer has played (its fillers are decoded meanwhile),
    so a hang-up during the answer must still record it, fillers counted."""
    calls = tmp_path / "calls"
    recorder = BusRecorder(realtime.env)
    log = tmp_path / "app.log"
    app = start_app(["play", "billing-overcharge", "--record-to", str(calls), "--analyser", "lexical"],
                    realtime.env, log)
    try:
        wait_until(lambda: customer_lines_recorded(calls) >= 1, 90, "the opening line played and recorded")
        played_at = recorder.position
        play_into_mic(sorted(replies["billing"].glob("*.wav"))[0], realtime.env).wait(30)
        recorder.wait_until(lambda mic, spk: reply_heard(mic, spk, played_at) is not None, 60,
                            "the reply on the mic", app, log)
        _onset, speech_end = reply_heard(*recorder.channels(), played_at)
        recorder.wait_until(lambda mic, spk: first_sound(spk, speech_end) is not None, 60,
                            "the customer's answer starting", app, log)
        assert customer_lines_recorded(calls) == 1  # the answer is still playing
        app.send_signal(signal.SIGTERM)
        app.wait(30)
    finally:
        stop_app(app)
        recorder.close()
    record = the_record(calls)
    assert record is not None
    trainee = record.trainee_turns
    assert len(trainee) == 1, log.read_text()[-2000:]
    assert "sam" in trainee[0].text.lower()
    assert trainee[0].analysis is not None and trainee[0].analysis.tone is not None
