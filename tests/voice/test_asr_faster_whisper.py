"""The default backend on real speech: packaged Whisper tiny.en through faster-whisper, int8 CPU.

Also the incremental transcriber, which runs on the same model (loaded once for this module).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.tone import count_fillers
from simulator.asr.audio_file import read_audio
from simulator.asr.base import SAMPLE_RATE, AsrModelError
from simulator.asr.faster_whisper_backend import (
    EncoderReuse,
    FasterWhisperTranscriber,
    packaged_model_path,
    resolve_model,
)
from simulator.asr.guarded import FillerMode
from simulator.asr.incremental import IncrementalTranscriber
from simulator.asr.registry import builtin_transcribers, transcriber_from_settings
from simulator.asr.wer import corpus_wer, normalise, wer
from simulator.asr.worker import AsrWorker
from simulator.config import Settings, SettingsError, load_settings
from tests.conftest import absent

pytestmark = pytest.mark.models

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"
CLIPS = {  # file -> reference text shipped with the recording
    "whisper_jfk.wav": "And so my fellow Americans, ask not what your country can do for you, "
                       "ask what you can do for your country.",
    "pocketsphinx_goforward.wav": "go forward ten meters",
    "pocketsphinx_forever_2.wav": "feels like these days go on forever",
    "speechrecognition_english.wav": "one two three",
}


@pytest.fixture(scope="module")
def transcriber() -> FasterWhisperTranscriber:
    model = builtin_transcribers().create()  # the default backend with its default model
    assert isinstance(model, FasterWhisperTranscriber)
    model.load()
    return model


@pytest.fixture(scope="module")
def clips() -> dict[str, np.ndarray]:
    return {name: read_audio(DATA / name) for name in CLIPS}


@pytest.fixture(scope="module")
def transcripts(transcriber, clips):
    return {name: transcriber.transcribe(audio) for name, audio in clips.items()}


def test_default_backend_is_faster_whisper_on_the_packaged_model():
    registry = builtin_transcribers()
    assert registry.default == "faster-whisper"
    assert set(registry.names()) == {"faster-whisper", "openai-whisper"}
    assert packaged_model_path() is not None
    assert resolve_model("tiny.en") == str(packaged_model_path())
    assert resolve_model("small.en") == "small.en"  # other names go to faster-whisper's own loader


def test_settings_choose_backend_model_and_threads(tmp_path):
    settings = Settings(asr_backend="openai-whisper", asr_model=str(tmp_path / "x.pt"), asr_threads=1)
    chosen = transcriber_from_settings(settings)
    assert chosen.name == "openai-whisper"
    assert chosen.model_name == str(tmp_path / "x.pt") and chosen.threads == 1
    with pytest.raises(LookupError, match="faster-whisper"):
        transcriber_from_settings(settings, backend="no-such-backend")


@pytest.mark.parametrize("threads", ["0", "-3", "99999"])
def test_a_thread_count_whisper_cannot_use_is_a_settings_error_naming_it(threads, monkeypatch, tmp_path):
    """-3 failed inside the model loader with advice to install models; 99999 crashed the process."""
    monkeypatch.setenv("CALLSIM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("CALLSIM_ASR_THREADS", threads)
    with pytest.raises(SettingsError, match="asr_threads"):
        load_settings()


def test_real_speech_is_transcribed_within_a_reasonable_wer(transcripts):
    pairs = [(CLIPS[name], transcripts[name].text) for name in CLIPS]
    assert corpus_wer(pairs, drop_fillers=True).wer <= 0.15
    for reference, hypothesis in pairs:
        assert wer(reference, hypothesis, drop_fillers=True) <= 0.5, (reference, hypothesis)


def test_word_timestamps_are_ordered_and_inside_the_clip(transcripts, clips):
    for name, transcript in transcripts.items():
        duration = len(clips[name]) / SAMPLE_RATE
        assert transcript.duration_s == pytest.approx(duration)
        assert transcript.words, name
        assert " ".join(w.text for w in transcript.words) == transcript.text
        previous_start = 0.0
        for word in transcript.words:
            assert 0.0 <= word.start_s <= word.end_s <= duration + 0.01, (name, word)
            assert word.start_s >= previous_start - 1e-6, (name, word)
            assert 0.0 <= word.probability <= 1.0
            previous_start = word.start_s


def test_silence_gives_an_empty_transcript(transcriber):
    rng = np.random.default_rng(0)
    for audio in (np.zeros(3 * SAMPLE_RATE, np.float32),
                  (rng.standard_normal(5 * SAMPLE_RATE) * 1e-4).astype(np.float32),  # dithered silence
                  np.zeros(0, np.float32)):
        transcript = transcriber.transcribe(audio)
        assert transcript.is_empty and transcript.words == ()


def _noises(seconds: float = 4.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    white = rng.standard_normal(n)
    pink = np.fft.irfft(np.fft.rfft(white) / np.sqrt(np.maximum(np.arange(n // 2 + 1), 1)), n)
    brown = np.cumsum(white)
    brown -= np.convolve(brown, np.ones(400) / 400, mode="same")  # remove the random-walk drift
    hum = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3, 5))
    clicks = np.zeros(n)
    clicks[:: SAMPLE_RATE // 3] = 1.0
    dial_tone = np.sin(2 * np.pi * 350 * t) + np.sin(2 * np.pi * 440 * t)

    def at(signal: np.ndarray, level: float) -> np.ndarray:
        return (signal / np.abs(signal).max() * level).astype(np.float32)

    return {"white quiet": at(white, 0.05), "white loud": at(white, 0.5), "pink": at(pink, 0.3),
            "brown": at(brown, 0.3), "mains hum": at(hum, 0.3), "clicks": at(clicks, 0.8),
            "dial tone": at(dial_tone, 0.3)}


@pytest.mark.parametrize("kind", list(_noises(0.1)))
def test_noise_gives_an_empty_transcript(transcriber, kind):
    transcript = transcriber.transcribe(_noises()[kind])
    assert transcript.is_empty, f"{kind}: {transcript.text!r}"


def test_trailing_silence_and_noise_add_no_words(transcriber, clips):
    speech = clips["pocketsphinx_forever_2.wav"]
    rng = np.random.default_rng(3)
    padded = np.concatenate([(rng.standard_normal(SAMPLE_RATE) * 0.01).astype(np.float32), speech,
                             np.zeros(4 * SAMPLE_RATE, np.float32)])
    transcript = transcriber.transcribe(padded)
    assert wer(CLIPS["pocketsphinx_forever_2.wav"], transcript.text, drop_fillers=True) <= 0.2, transcript.text
    assert transcript.words[0].start_s >= 0.5  # timings follow the audio, not the start of the clip


@pytest.mark.parametrize("name", ["pocketsphinx_forever_2.wav", "whisper_jfk.wav"])
def test_noisy_and_quiet_speech_gets_through_the_gate(transcriber, clips, name):
    """The guards must not cost real speech: 10 dB SNR white noise, and a level 30 dB down."""
    speech = clips[name]
    rng = np.random.default_rng(5)
    noise = rng.standard_normal(len(speech)).astype(np.float32)
    noise *= np.sqrt(np.mean(speech**2) / np.mean(noise**2)) / 10 ** (10 / 20)
    for audio in (speech + noise, speech * 0.03):
        transcript = transcriber.transcribe(audio)
        assert wer(CLIPS[name], transcript.text, drop_fillers=True) <= 0.3, transcript.text


def _espeak(tmp_path: Path, text: str, voice: str) -> np.ndarray:
    path = tmp_path / "say.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True)
    return read_audio(path)  # 22 050 Hz -> 16 kHz


FILLER_SENTENCES = (
    "Uh, I understand, um, that must be frustrating.",
    "Um, let me just, uh, pull up your account.",
    "I am, um, really sorry about that.",
    "Okay. Uh, so your bill went up.",
)


def test_spoken_fillers_are_counted_and_the_prompt_no_longer_bends_the_words(transcriber, tmp_path):
    """Synthetic "um"/"uh" (espeak-ng): the filler pass keeps most of them for the tone counter; without it
    Whisper drops them.  The other words are exactly those of a decode without the filler prompt (with the
    prompt in the one decode, "sorry about that" came out "sorry about the net").

    Whisper may write a filler as "um", "er" or "uh"; any filler counts.
    """
    if shutil.which("espeak-ng") is None:
        absent("espeak-ng is not installed (it is part of the install: docs/development.md, Install)")
    assert transcriber.fillers is FillerMode.SEPARATE_PASS  # the default
    plain = FasterWhisperTranscriber(fillers=FillerMode.OFF)
    spoken = counted = counted_plain = 0
    texts = []
    for sentence in FILLER_SENTENCES:
        audio = _espeak(tmp_path, sentence, "en-us")
        texts.append(transcriber.transcribe(audio).text)
        plain_text = plain.transcribe(audio).text
        spoken += count_fillers(sentence)
        counted += count_fillers(texts[-1])
        counted_plain += count_fillers(plain_text)
        assert normalise(texts[-1], drop_fillers=True) == normalise(plain_text, drop_fillers=True), texts[-1]
    assert counted >= spoken / 2, (counted, spoken, texts)
    assert counted_plain < counted
    assert normalise(texts[-1])[0] == "okay", texts[-1]  # the prompt must not swallow an opening word
    # The two passes can run apart (the filler pass off a live turn's path) with the same result.
    audio = _espeak(tmp_path, FILLER_SENTENCES[2], "en-us")
    words_only = transcriber.transcribe_words(audio)
    assert count_fillers(words_only.text) == 0, words_only.text
    assert transcriber.add_fillers(audio, words_only) == transcriber.transcribe(audio)
    # Live turns decode without word timings: the fillers then go into the text the same way.
    live = FasterWhisperTranscriber(word_timestamps=False)
    live_text = live.transcribe(audio).text
    assert count_fillers(live_text) >= 1, live_text
    assert normalise(live_text, drop_fillers=True) == normalise(FILLER_SENTENCES[2], drop_fillers=True), live_text


def test_the_filler_pass_reuses_the_encoder_output(transcriber, clips):
    reuse = transcriber._ensure_loaded().encode
    assert isinstance(reuse, EncoderReuse)
    before = reuse.reused
    transcriber.transcribe(clips["pocketsphinx_goforward.wav"])
    assert reuse.reused == before + 1  # one 30-s window, encoded once for both passes
    # A late filler pass on the same audio reuses the word pass's encoding too...
    audio = clips["pocketsphinx_goforward.wav"]
    transcriber.forget_encoding()
    words = transcriber.transcribe_words(audio)
    transcriber.add_fillers(audio, words)
    assert reuse.reused == before + 2
    # ...unless it was forgotten (benchmarks/turn_asr.py times whole decodes that way).
    transcriber.forget_encoding()
    transcriber.add_fillers(audio, words)
    assert reuse.reused == before + 2


def test_the_encoder_remembers_its_last_windows_and_forgets_the_oldest():
    encoded = []

    def encode(features):
        encoded.append(float(features[0, 0]))
        return features * 2

    reuse = EncoderReuse(encode, windows=2)
    window = [np.full((80, 3000), float(n), np.float32) for n in range(3)]
    assert np.array_equal(reuse(window[0]), window[0] * 2)
    reuse(window[1])
    reuse(np.array(window[0]))  # equal features, another array: reused, and now the most recent
    reuse(window[2])  # three windows, room for two: window 1 (used longest ago) is dropped
    reuse(window[0])
    reuse(window[1])
    assert encoded == [0.0, 1.0, 2.0, 1.0] and reuse.reused == 2


def test_a_packed_pass_of_turns_is_encoded_once_for_both_decodes(transcriber):
    # a call's turns packed into one 30-s window, as `callsim score` packs them; on this packing the word
    # decode (with word timings) re-encodes the tail after its last word, and the filler decode must
    # still find the encoding of the window it starts from (a memory of one window had lost it)
    gap = np.zeros(int(0.6 * SAMPLE_RATE), np.float32)
    order = ["whisper_jfk.wav", "pocketsphinx_forever_2.wav", "pocketsphinx_cards_004.wav",
             "speechrecognition_english.wav", "pocketsphinx_goforward.wav", "pocketsphinx_cards_002.wav",
             "pocketsphinx_cards_001.wav", "pocketsphinx_cards_003.wav", "pocketsphinx_cards_005.wav"]
    parts, length_s = [], 0.0
    for name in order:
        clip = read_audio(DATA / name)
        if length_s + clip.size / SAMPLE_RATE + 0.6 <= 29.5:
            parts += [clip, gap]
            length_s += clip.size / SAMPLE_RATE + 0.6
    reuse = transcriber._ensure_loaded().encode
    transcriber.forget_encoding()
    before = reuse.reused
    text = transcriber.transcribe(np.concatenate(parts)).text
    assert reuse.reused == before + 1
    assert {"fellow", "americans", "forever", "forward"} <= set(normalise(text)), text


def test_the_filler_decode_reads_a_packed_pass_without_encoding_anything(transcriber):
    # on this packing the filler decode, asked for segment timestamps, dropped the window's unfinished
    # last segment and encoded the tail from there again; asked for the text alone it reads the one
    # window the word decode encoded, and nothing else
    gap = np.zeros(int(0.6 * SAMPLE_RATE), np.float32)
    order = ["speechrecognition_english.wav", "pocketsphinx_forever_2.wav", "pocketsphinx_cards_003.wav",
             "pocketsphinx_cards_005.wav", "pocketsphinx_goforward.wav", "pocketsphinx_cards_001.wav",
             "pocketsphinx_cards_002.wav", "pocketsphinx_cards_004.wav"]
    audio = np.concatenate([part for name in order for part in (read_audio(DATA / name), gap)])
    reuse = transcriber._ensure_loaded().encode
    encode, encoded = reuse._encode, []
    reuse._encode = lambda features: (encoded.append(features.shape), encode(features))[1]
    try:
        transcriber.forget_encoding()
        words = transcriber.transcribe_words(audio)
        by_the_word_decode = len(encoded)
        with_fillers = transcriber.add_fillers(audio, words)
    finally:
        reuse._encode = encode
    assert by_the_word_decode >= 1 and len(encoded) == by_the_word_decode
    assert {"forever", "forward", "three"} <= set(normalise(with_fillers.text)), with_fillers.text
    assert count_fillers(with_fillers.text) == 0  # read speech has none


def test_real_speech_gives_the_reference_words_and_no_invented_fillers(transcripts):
    for name in ("pocketsphinx_goforward.wav", "pocketsphinx_forever_2.wav", "speechrecognition_english.wav"):
        assert normalise(transcripts[name].text) == normalise(CLIPS[name]), transcripts[name].text
    assert all(count_fillers(t.text) == 0 for t in transcripts.values()), transcripts  # read speech has none


def test_a_hyphenated_word_comes_out_whole(transcriber, tmp_path):
    """Whisper's word timings split "cold-hearted" into "cold" and "-hearted"; the transcript joins them.

    Synthetic speech (espeak-ng): no real recording with a hyphenated word is in tests/data.
    """
    if shutil.which("espeak-ng") is None:
        absent("espeak-ng is not installed (it is part of the install: docs/development.md, Install)")
    transcript = transcriber.transcribe(_espeak(tmp_path, "He was a cold-hearted and ill-disposed man.", "en-us"))
    words = [w.text.strip(".,") for w in transcript.words]
    assert "cold-hearted" in words and "ill-disposed" in words, transcript.text
    assert "cold-hearted and ill-disposed" in transcript.text


def test_an_unavailable_model_gives_a_clear_error():
    missing = FasterWhisperTranscriber("/no/such/whisper-model")
    with pytest.raises(AsrModelError, match="local CTranslate2 model folder"):
        missing.load()


def test_concurrent_callers_are_serialised(transcriber, clips):
    audio = clips["pocketsphinx_goforward.wav"]
    results: list[str] = []

    def run() -> None:
        results.append(transcriber.transcribe(audio).text)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert wer(CLIPS["pocketsphinx_goforward.wav"], results[0], drop_fillers=True) <= 0.25


# -- incremental transcription (same model, on its owner thread) ---------------------------------

@pytest.fixture(scope="module")
def worker(transcriber):
    with AsrWorker(transcriber) as asr:
        yield asr


def _feed(incremental: IncrementalTranscriber, audio: np.ndarray, block: int = 1600) -> None:
    for start in range(0, len(audio), block):
        incremental.feed(audio[start:start + block])


def test_incremental_final_matches_a_whole_clip_transcription(worker, clips, transcripts):
    name = "whisper_jfk.wav"
    incremental = IncrementalTranscriber(worker)
    _feed(incremental, clips[name])
    final = incremental.finish()
    assert wer(transcripts[name].text, final.text) <= 0.1
    assert final.duration_s == pytest.approx(len(clips[name]) / SAMPLE_RATE)
    assert incremental.stats.decodes >= 1


def test_incremental_reuses_the_partial_when_only_silence_followed(worker, clips):
    speech = clips["pocketsphinx_forever_2.wav"]
    incremental = IncrementalTranscriber(worker)
    _feed(incremental, np.concatenate([speech, np.zeros(SAMPLE_RATE // 2, np.float32)]))
    incremental.wait_for_pending()
    partial = incremental.partial()
    assert wer(CLIPS["pocketsphinx_forever_2.wav"], partial.text, drop_fillers=True) <= 0.2, partial.text
    decodes = incremental.stats.decodes
    _feed(incremental, np.zeros(SAMPLE_RATE, np.float32))  # the end-of-turn silence
    final = incremental.finish()
    assert incremental.stats.final_reused is True
    assert incremental.stats.decodes == decodes
    assert final.text == partial.text
    assert final.duration_s == pytest.approx(len(speech) / SAMPLE_RATE + 1.5)


def test_incremental_decodes_again_when_speech_follows_a_partial(worker, clips):
    first, second = clips["speechrecognition_english.wav"], clips["pocketsphinx_goforward.wav"]
    partials: list[str] = []
    threads: set[str] = set()

    def on_partial(transcript) -> None:
        partials.append(transcript.text)
        threads.add(threading.current_thread().name)

    incremental = IncrementalTranscriber(worker, on_partial=on_partial)
    _feed(incremental, first)
    incremental.wait_for_pending()
    _feed(incremental, second)
    final = incremental.finish()
    assert incremental.stats.final_reused is False
    reference = f"{CLIPS['speechrecognition_english.wav']} {CLIPS['pocketsphinx_goforward.wav']}"
    assert wer(reference, final.text, drop_fillers=True) <= 0.3, final.text
    assert partials  # the callback saw the partial of the first clip
    owner = worker.submit(lambda: threading.current_thread().name).result()
    assert threads == {owner} and owner.startswith("asr")  # every decode ran on the model's one thread
    with pytest.raises(RuntimeError, match="after finish"):
        incremental.feed(first)


def test_incremental_silence_is_never_decoded(worker):
    incremental = IncrementalTranscriber(worker)
    _feed(incremental, np.zeros(3 * SAMPLE_RATE, np.float32))
    final = incremental.finish()
    assert final.is_empty and incremental.stats.decodes == 0
    assert final.duration_s == pytest.approx(3.0)


def test_incremental_feed_and_partial_from_different_threads(worker, clips):
    audio = np.concatenate([clips["pocketsphinx_goforward.wav"], np.zeros(SAMPLE_RATE, np.float32)])
    incremental = IncrementalTranscriber(worker, interval_s=0.5)
    seen: list[str] = []
    feeder = threading.Thread(target=_feed, args=(incremental, audio, 800))
    feeder.start()
    while feeder.is_alive():
        seen.append(incremental.partial().text)
    feeder.join()
    final = incremental.finish()
    assert wer(CLIPS["pocketsphinx_goforward.wav"], final.text, drop_fillers=True) <= 0.25, final.text
    assert incremental.duration_s == pytest.approx(len(audio) / SAMPLE_RATE)
