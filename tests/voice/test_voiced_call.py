"""Whole voiced calls through PortAudio on the ALSA file device: real TTS, VAD, Whisper, analysis.

The trainee's replies are espeak-ng recordings fed as the microphone (``--mic-from``, as fast as
possible); the customer is played through PortAudio into ``playback.raw``.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.capture import ReplayPace, WavMic
from simulator.audio.clip import CALL_RATE, AudioClip, DiskFull, read_wav, to_int16, write_wav
from simulator.audio.noise import noise
from simulator.call.textcall import run_call
from simulator.call.voiced import VoiceOptions
from simulator.call.voiced_setup import open_voiced_call
from simulator.config import Settings
from simulator.contracts import Outcome, Speaker
from simulator.record import read_call
from simulator.scenario.loader import load_scenario

pytestmark = [pytest.mark.audio, pytest.mark.models]
REPO = Path(__file__).resolve().parents[2]


def callsim(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=REPO)


def the_call_folder(record_to: Path) -> Path:
    folders = [p for p in record_to.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def test_callsim_play_with_recorded_replies_reaches_an_ending_and_keeps_both_sides(file_device, replies, tmp_path):
    record_to = tmp_path / "calls"
    result = callsim("play", "billing-overcharge", "--mic-from", str(replies["billing"]), "--mic-pace", "fast",
                     "--record-to", str(record_to), "--json", env=file_device.env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["outcome"] in {o.value for o in Outcome}

    record = read_call(the_call_folder(record_to))
    assert record.complete and record.header.mode == "voice"
    trainee = record.trainee_turns
    assert len(trainee) == 4
    assert "refund" in trainee[2].text.lower() and "security" in trainee[1].text.lower()
    for turn in record.turns:
        clip = read_wav(record.audio(turn))
        assert clip.duration_s > 0.5, turn
    # Each trainee WAV holds the whole reply it heard (plus a little silence either side).
    for turn, reply in zip(trainee, sorted(replies["billing"].glob("*.wav")), strict=True):
        assert read_wav(record.audio(turn)).duration_s >= read_wav(reply).duration_s - 0.3
        assert turn.start_s < turn.end_s
    # The customer's last line went out through PortAudio sample for sample.
    last = record.turns[-1]
    assert last.speaker == Speaker.CUSTOMER and last.text == summary["turns"][-1]["text"]
    played = to_int16(file_device.played())
    expected = to_int16(read_wav(record.audio(last)).samples)
    start = int(np.flatnonzero(played)[0]) - int(np.flatnonzero(expected)[0])  # PortAudio's lead-in
    assert np.abs(played[start:start + len(expected)].astype(int) - expected).max() <= 1


def test_silence_and_noise_are_silence_turns_not_speech(file_device, replies, tmp_path):
    folder = tmp_path / "replies"
    folder.mkdir()
    first = sorted(replies["billing"].glob("*.wav"))[0]
    (folder / "1.wav").write_bytes(first.read_bytes())
    write_wav(folder / "2.wav", AudioClip(np.zeros(5 * CALL_RATE, np.float32)))
    write_wav(folder / "3.wav", AudioClip(noise("street", -30, 5 * CALL_RATE, seed=2)))
    record_to = tmp_path / "calls"
    result = callsim("play", "billing-overcharge", "--mic-from", str(folder), "--mic-pace", "fast",
                     "--no-speech", "3", "--record-to", str(record_to), "--analyser", "lexical", "--json",
                     env=file_device.env)
    assert result.returncode == 0, result.stderr
    record = read_call(the_call_folder(record_to))
    analyses = record.analyses
    assert len(analyses) == 3
    assert not analyses[0].silence and analyses[0].transcript.text
    for silent in analyses[1:]:
        assert silent.silence and silent.transcript.is_empty and silent.silence_s >= 3.0
    customer_after_silence = [t for t in record.turns if t.speaker == Speaker.CUSTOMER][2]
    assert "silence" in customer_after_silence.events


def test_unknown_output_device_names_it_and_says_what_to_do(file_device, replies, tmp_path):
    result = callsim("play", "billing-overcharge", "--mic-from", str(replies["billing"]), "--output", "Jabra",
                     "--record-to", str(tmp_path), env=file_device.env)
    assert result.returncode == 2  # bad settings
    assert "'Jabra'" in result.stderr and "callsim devices" in result.stderr and "default" in result.stderr


def test_unknown_input_device_names_it(file_device, tmp_path):
    result = callsim("play", "billing-overcharge", "--input", "99", "--record-to", str(tmp_path), env=file_device.env)
    assert result.returncode == 2  # bad settings
    assert "index 99" in result.stderr


def test_missing_speech_package_names_it_and_keeps_the_record(file_device, replies, tmp_path):
    hidden = tmp_path / "hide"
    (hidden / "faster_whisper").mkdir(parents=True)
    (hidden / "faster_whisper" / "__init__.py").write_text("raise ImportError('faster-whisper is not installed')\n")
    env = {**file_device.env, "PYTHONPATH": os.pathsep.join([str(hidden), str(REPO)])}
    record_to = tmp_path / "calls"
    result = callsim("play", "billing-overcharge", "--mic-from", str(replies["billing"]), "--mic-pace", "fast",
                     "--record-to", str(record_to), "--analyser", "lexical", env=env)
    assert result.returncode != 0
    assert "pip install faster-whisper" in result.stderr
    assert "saved" in result.stderr
    record = read_call(the_call_folder(record_to))
    assert record.turns and record.turns[0].speaker == Speaker.CUSTOMER  # the opening line was kept


def test_a_full_disk_stops_the_call_and_keeps_every_finished_turn(file_device, replies, tmp_path):
    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    settings = Settings(analyser="lexical", data_dir=tmp_path / "data")
    folder = tmp_path / "call"
    folder.mkdir()
    (folder / "04-trainee.wav").symlink_to("/dev/full")  # the second reply lands on a full disk
    options = VoiceOptions(mic_from=replies["billing"], mic_pace=ReplayPace.FAST)
    call = open_voiced_call(loaded, settings, folder, options)
    from simulator.analysis.registry import builtin_analysers

    analyser = builtin_analysers().create("lexical", loaded.scenario)
    try:
        with pytest.raises(DiskFull, match=r"04-trainee\.wav"):
            run_call(loaded, analyser, call, call, folder, mode="voice")
    finally:
        call.close()
    record = read_call(folder)
    assert not record.complete
    assert [t.speaker for t in record.turns] == [Speaker.CUSTOMER, Speaker.TRAINEE, Speaker.CUSTOMER]
    assert all(record.audio(t).is_file() for t in record.turns)
    assert not (folder / "04-trainee.wav").exists() or (folder / "04-trainee.wav").is_symlink()


def test_wav_mic_plays_each_reply_once_then_hangs_up(replies):
    mic = WavMic(replies["billing"], pace=ReplayPace.FAST, lead_s=0.25)
    mic.start()
    files = sorted(replies["billing"].glob("*.wav"))
    heard = []
    for turn, path in enumerate(files, start=1):
        assert mic.expect_reply(turn)
        wanted = int(0.25 * CALL_RATE) + len(read_wav(path).samples) + CALL_RATE // 2
        samples = []
        while sum(map(len, samples)) < wanted:
            samples.append(mic.read().samples)
        heard.append(np.concatenate(samples))
    assert not mic.expect_reply(5)
    for got, path in zip(heard, files, strict=True):
        reply = read_wav(path).samples
        start = int(0.25 * CALL_RATE)
        assert not np.any(got[:start])
        assert np.array_equal(got[start:start + len(reply)], reply)
        assert not np.any(got[start + len(reply):])


def test_callsim_devices_lists_what_portaudio_sees(file_device):
    result = callsim("devices", "--json", env=file_device.env)
    assert result.returncode == 0, result.stderr
    devices = {d["name"]: d for d in json.loads(result.stdout)}
    assert {"default", "simfile", "simnull"} <= set(devices)
    assert devices["default"]["inputs"] > 0 and devices["default"]["outputs"] > 0


def test_devices_are_chosen_by_name_part_or_index(file_device):
    from simulator.audio.devices import AudioDeviceError, list_devices, resolve_device

    by_name = {d.name: d.index for d in list_devices()}
    assert resolve_device("simfile", kind="input") == by_name["simfile"]
    assert resolve_device(str(by_name["simnull"]), kind="output") == by_name["simnull"]
    assert resolve_device(None, kind="output") == "default"
    with pytest.raises(AudioDeviceError, match="ambiguous"):
        resolve_device("sim", kind="input")


def test_callsim_say_plays_through_the_output_device(file_device):
    result = callsim("say", "young-man-fast", "Hello, is anybody there?", env=file_device.env)
    assert result.returncode == 0, result.stderr
    played = file_device.played()
    assert len(played) > CALL_RATE and np.abs(played).max() > 0.2


@pytest.mark.parametrize("kind", ["office", "street", "bad_line"])
def test_drill_noise_has_the_asked_level_and_character(kind, speech_clip):
    from simulator.audio.clip import level_dbfs
    from simulator.audio.noise import mix_noise

    made = noise(kind, -32.0, 4 * CALL_RATE, seed=1)
    assert abs(level_dbfs(made) - (-32.0)) < 0.5
    spectrum = np.abs(np.fft.rfft(made)) ** 2
    freqs = np.fft.rfftfreq(len(made), 1 / CALL_RATE)
    low = spectrum[freqs < 250].sum() / spectrum.sum()
    if kind == "bad_line":
        assert low < 0.02  # a phone band: nothing much below 300 Hz
        mixed = mix_noise(speech_clip, kind, -32.0)
        voice_spectrum = np.abs(np.fft.rfft(mixed.samples)) ** 2
        voice_freqs = np.fft.rfftfreq(len(mixed.samples), 1 / CALL_RATE)
        assert voice_spectrum[voice_freqs > 3600].sum() / voice_spectrum.sum() < 0.02
    else:
        assert low > 0.3  # office hum and street rumble sit low
    assert not np.array_equal(made, noise(kind, -32.0, 4 * CALL_RATE, seed=2))


def test_a_customer_who_talks_over_people_cuts_in_on_a_long_reply_and_nothing_is_lost(file_device, speech_clip,
                                                                                       tmp_path):
    source = (REPO / "scenarios" / "billing-overcharge.yaml").read_text()
    impatient = source.replace("talk_over: 0.2", "talk_over: 1.0").replace("turn_time_limit_s: 30",
                                                                          "turn_time_limit_s: 5")
    scenario = tmp_path / "impatient.yaml"
    scenario.write_text(impatient.replace("id: billing-overcharge", "id: impatient"))
    monologue = np.tile(speech_clip.samples, 3)  # about 12 s without a pause
    folder = tmp_path / "replies"
    folder.mkdir()
    write_wav(folder / "1.wav", AudioClip(monologue))
    record_to = tmp_path / "calls"
    result = callsim("play", str(scenario), "--mic-from", str(folder), "--mic-pace", "fast", "--analyser", "lexical",
                     "--record-to", str(record_to), "--json", env=file_device.env)
    assert result.returncode == 0, result.stderr
    record = read_call(the_call_folder(record_to))
    trainee = record.trainee_turns
    assert len(trainee) == 3  # cut at 5 s, cut again at 5 s, then the rest
    assert trainee[2].text != ""
    for before, after in itertools.pairwise(trainee):
        # The customer cut in at the drill's turn limit; the reply went on into the next turn.
        assert read_wav(record.audio(before)).duration_s == pytest.approx(5.0, abs=0.05)
        assert after.start_s == pytest.approx(before.end_s, abs=0.01)
    heard = sum(len(read_wav(record.audio(t)).samples) for t in trainee)
    assert heard >= len(monologue)  # every sample of the monologue is in a trainee WAV
    speakers = [t.speaker for t in record.turns]
    assert speakers == [Speaker.CUSTOMER, Speaker.TRAINEE] * 3 + [Speaker.CUSTOMER]
    assert all(not t.interrupted for t in record.turns if t.speaker == Speaker.CUSTOMER)  # they cut in
    assert [t.interrupted for t in trainee] == [True, True, False]  # the trainee was cut off twice


class PreparingAnalyser:
    """The lexical analyser, noting each customer line the call hands over to prepare."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.prepared: list[str] = []

    def prepare(self, customer_line: str) -> None:
        self.prepared.append(customer_line)

    def analyse(self, turn):
        return self.inner.analyse(turn)


def billing_call_through(wrap, replies, tmp_path):
    """The billing call in voice with the recorded replies and a lexical analyser wrapped by ``wrap``
    (a spy); returns the analyser, the finished call and the voice side (for its stats)."""
    from simulator.analysis.registry import builtin_analysers

    loaded = load_scenario(REPO / "scenarios" / "billing-overcharge.yaml")
    settings = Settings(analyser="lexical", data_dir=tmp_path / "data")
    analyser = wrap(builtin_analysers().create("lexical", loaded.scenario))
    call = open_voiced_call(loaded, settings, tmp_path / "call",
                            VoiceOptions(mic_from=replies["billing"], mic_pace=ReplayPace.FAST), analyser=analyser)
    try:
        finished = run_call(loaded, analyser, call, call, tmp_path / "call", mode="voice")
    finally:
        call.close()
    return analyser, finished, call


def test_each_customer_line_is_handed_to_the_analyser_while_it_plays(file_device, replies, tmp_path):
    analyser, finished, _ = billing_call_through(PreparingAnalyser, replies, tmp_path)
    turns = finished.record.turns
    customer_lines = [t.text for t in turns if t.speaker == Speaker.CUSTOMER]
    answered = customer_lines[:-1] if turns[-1].speaker == Speaker.CUSTOMER else customer_lines
    assert analyser.prepared == answered


def test_each_answered_turn_logs_where_its_latency_went(file_device, replies, tmp_path, caplog):
    """The breakdown the latency benchmark prints: one per answered turn, stream stages from the
    endpointer's windows, wall stages from the real Whisper pass, read back from the log line."""
    from simulator.call.turn_breakdown import parse_breakdowns
    from simulator.commands.latency_bench import breakdown_medians

    caplog.set_level("DEBUG", logger="callsim.voice")
    _, finished, call = billing_call_through(lambda analyser: analyser, replies, tmp_path)
    answered = [t for t in finished.record.trainee_turns if t.text]
    breakdowns = call.stats.breakdowns
    assert len(breakdowns) == len(answered) == 4
    for turn in breakdowns:
        # Two 32 ms VAD windows of silence make a pause, thirteen the 0.4 s end of the turn.
        assert turn.pause_heard_s == pytest.approx(0.064, abs=1e-3)
        assert turn.turn_end_heard_s == pytest.approx(0.416, abs=1e-3)
        assert turn.early  # the pass queued at the pause was the turn's transcript
        assert 0.01 < turn.decode_s < 30  # Whisper really ran
        assert turn.decode_queued_s >= 0 and turn.analysis_and_engine_s >= 0 and turn.line_ready_s >= 0
        assert turn.turn_end_to_playing_s >= turn.turn_end_to_transcript_s >= 0
    logged = parse_breakdowns(caplog.text)
    assert [b["decode_s"] for b in logged] == [b.decode_s for b in breakdowns]
    assert all(b["early"] == 1.0 for b in logged)
    summary = breakdown_medians([*logged, {**logged[0], "early": 0.0}])  # as callsim bench latency prints it
    assert summary["early"] == pytest.approx(0.8)  # a share of the turns, not a median
    assert summary["decode_s"] == pytest.approx(float(np.median([b["decode_s"] for b in [*logged, logged[0]]])),
                                                abs=1e-3)


class RecordingAnalyser:
    """The lexical analyser (with tone), keeping every turn it was given."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.turns = []

    def analyse(self, turn):
        self.turns.append(turn)
        return self.inner.analyse(turn)


def test_a_spoken_turns_pitch_is_worked_out_while_it_is_spoken_and_matches_its_recording(file_device, replies,
                                                                                          tmp_path):
    """The tone's pitch track reaches the analyser with the turn, so it is not computed after the turn ends,
    and it is exactly the pitch of the WAV the turn is recorded in (the tone is unchanged by it)."""
    from simulator.analysis.acoustics import voice_features, yin_pitch
    from simulator.analysis.tone import features_of_file
    from simulator.wavfile import read_wav as read_pcm

    analyser, _, _ = billing_call_through(RecordingAnalyser, replies, tmp_path)
    spoken = [turn for turn in analyser.turns if turn.audio_path is not None and not turn.silence]
    assert len(spoken) == 4
    for turn in spoken:
        assert turn.pitch is not None, turn.turn_index
        recorded = read_pcm(turn.audio_path).mono()
        hz, aperiodicity = yin_pitch(recorded, 16000)
        np.testing.assert_array_equal(turn.pitch.hz, hz)
        np.testing.assert_array_equal(turn.pitch.aperiodicity, aperiodicity)
        assert features_of_file(turn.audio_path, turn.pitch) == voice_features(recorded, 16000)
