"""Pure parts of transcription: WER normalisation, the hallucination guards, the audio reader."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.asr.audio_file import read_audio
from simulator.asr.guards import (
    FILLER_PROMPT,
    DecodedSegment,
    SegmentChecks,
    SpeechSpan,
    assemble_transcript,
    combined_prompt,
    merge_fillers,
    merge_fillers_into_text,
    model_input,
    part_of,
)
from simulator.asr.wer import corpus_wer, normalise, number_words, wer, word_errors
from simulator.contracts import Word
from simulator.wavfile import AudioFileError, resample

DATA = Path(__file__).resolve().parents[1] / "data" / "asr"


# -- WER ------------------------------------------------------------------------------------------

def test_normalise_lowercases_strips_punctuation_and_spells_numbers():
    assert normalise("Go forward, 10 meters!") == ["go", "forward", "ten", "meters"]
    assert normalise("It's 2,500 dollars & 3.5% - the 21st time") == [
        "it's", "two", "thousand", "five", "hundred", "dollars", "and", "three", "point", "five", "percent",
        "the", "twenty", "first", "time"]
    assert normalise("forty-five") == ["forty", "five"]
    assert normalise("Um, uh, hello", drop_fillers=True) == ["hello"]


@pytest.mark.parametrize(("value", "words"), [
    (0, "zero"), (13, "thirteen"), (40, "forty"), (99, "ninety nine"), (100, "one hundred"),
    (1999, "one thousand nine hundred ninety nine"), (1_000_001, "one million one"),
])
def test_number_words(value, words):
    assert number_words(value) == words


def test_word_errors_counts_each_kind():
    errors = word_errors("the cat sat on the mat", "the cat sat on a mat today")
    assert (errors.substitutions, errors.deletions, errors.insertions) == (1, 0, 1)
    assert errors.wer == pytest.approx(2 / 6)
    assert word_errors("one two three", "one three").deletions == 1
    assert wer("Go forward ten meters.", "go forward 10 meters") == 0.0
    assert wer("", "") == 0.0 and wer("", "hello there") == 2.0


TEXTS = st.text(alphabet=st.sampled_from(list("abc xyz019,.-'%&!?\n")), max_size=40)


@given(TEXTS)
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(" ".join(once)) == once


@given(TEXTS, TEXTS)
def test_wer_is_zero_only_for_equal_normalised_texts_and_bounded(reference, hypothesis):
    errors = word_errors(reference, hypothesis)
    assert (errors.errors == 0) == (normalise(reference) == normalise(hypothesis))
    assert errors.errors <= max(len(normalise(reference)), len(normalise(hypothesis)))
    assert word_errors(reference, reference).errors == 0


def test_corpus_wer_weights_by_reference_length():
    total = corpus_wer([("a b c d", "a b c d"), ("e f", "e x")])
    assert total.errors == 1 and total.reference_words == 6
    assert total.wer == pytest.approx(1 / 6)


# -- guards ---------------------------------------------------------------------------------------

def _segment(text, words, *, no_speech=0.01, logprob=-0.2, ratio=1.2):
    word_values = tuple(Word(w, s, e, p) for w, s, e, p in words)
    start = word_values[0].start_s if word_values else 0.0
    end = word_values[-1].end_s if word_values else 1.0
    return DecodedSegment(text, start, end, word_values, no_speech, logprob, ratio)


SPEECH = [SpeechSpan(0.0, 2.0)]


def test_guard_keeps_a_confident_segment_with_its_words():
    seg = _segment(" Hello there.", [("Hello", 0.1, 0.5, 0.9), ("there.", 0.5, 0.9, 0.8)])
    transcript = assemble_transcript([seg], SPEECH, 2.0)
    assert transcript.text == "Hello there."
    assert [w.text for w in transcript.words] == ["Hello", "there."]
    assert transcript.duration_s == 2.0


def test_guard_drops_a_no_speech_segment_and_a_repetition_loop():
    silent = _segment(" Thank you.", [("Thank", 0.1, 0.3, 0.5), ("you.", 0.3, 0.5, 0.5)], no_speech=0.9, logprob=-1.3)
    loop = _segment(" no no no no no no no no", [("no", 0.1 * i, 0.1 * i + 0.1, 0.9) for i in range(8)], ratio=3.1)
    assert assemble_transcript([silent], SPEECH, 2.0).is_empty
    assert assemble_transcript([loop], SPEECH, 2.0).is_empty
    # Confident text with a high no-speech probability is speech (Whisper's own rule needs both).
    confident = _segment(" Yes.", [("Yes.", 0.1, 0.4, 0.9)], no_speech=0.9, logprob=-0.3)
    assert assemble_transcript([confident], SPEECH, 2.0).text == "Yes."


def _said(text, start_s, *, ratio):
    """A segment of one phrase starting at ``start_s``, a word every 0.3 s, carrying its window's ratio."""
    words = [(word, start_s + 0.3 * i, start_s + 0.3 * i + 0.25, 0.9) for i, word in enumerate(text.split())]
    return _segment(" " + text, words, ratio=ratio)


PACKED = [SpeechSpan(0.0, 30.0)]


def test_packed_turns_saying_the_same_are_not_taken_for_a_loop():
    # three turns of one short answer: the window's text compresses past 2.4, no turn's own does
    segments = [_said("Four queen of clubs.", start, ratio=2.8) for start in (0.2, 3.2, 6.2)]
    assert assemble_transcript(segments, PACKED, 9.0).is_empty  # judged as one recording
    heard = assemble_transcript(segments, PACKED, 9.0, parts_s=[(0.0, 2.4), (3.0, 5.4), (6.0, 8.4)])
    assert heard.text == "Four queen of clubs. Four queen of clubs. Four queen of clubs."


def test_a_loop_in_one_packed_turn_costs_only_that_turn_its_words():
    # Whisper's loop comes as one-phrase segments (each compresses like speech); every segment carries
    # the window's ratio
    loop = [_said("What do we have?", 3.0 + 0.5 * i, ratio=16.4) for i in range(18)]
    before = _said("I can help with that.", 0.2, ratio=16.4)
    after = _said("Thanks for waiting.", 13.5, ratio=16.4)
    heard = assemble_transcript([before, *loop, after], PACKED, 16.0, parts_s=[(0.0, 2.2), (2.8, 12.7), (13.3, 15.5)])
    assert heard.text == "I can help with that. Thanks for waiting."


def test_a_packed_word_belongs_to_the_turn_whose_audio_it_overlaps_most():
    parts = [(0.0, 3.5), (4.1, 7.6)]  # 0.6 s of silence packed between the two turns
    assert part_of(3.5, 4.56, parts) == 1  # the first word after the silence, timed from the word before
    assert part_of(2.9, 4.0, parts) == 0  # a last word running on into the silence
    assert part_of(3.6, 3.7, parts) == 0 and part_of(3.95, 4.05, parts) == 1  # wholly in it: the nearest turn


def test_a_packed_segment_without_word_times_is_still_judged_by_its_window():
    text_only = _segment(" Four queen of clubs. Four queen of clubs. Four queen of clubs.", [], ratio=2.8)
    assert assemble_transcript([text_only], PACKED, 9.0, parts_s=[(0.0, 2.4), (3.0, 5.4), (6.0, 8.4)]).is_empty


def test_guard_drops_words_placed_where_the_vad_heard_nothing():
    seg = _segment(" Okay. Bye bye.", [("Okay.", 0.2, 0.6, 0.9), ("Bye", 3.1, 3.3, 0.6), ("bye.", 3.3, 3.6, 0.6)])
    transcript = assemble_transcript([seg], [SpeechSpan(0.0, 1.0)], 4.0)
    assert transcript.text == "Okay."
    assert assemble_transcript([seg], [], 4.0).is_empty


def test_guard_trims_an_improbable_trailing_sentence_but_keeps_a_real_one():
    invented = _segment(" Ten of clubs. Thanks.", [("Ten", 0.0, 0.3, 0.8), ("of", 0.3, 0.5, 0.9),
                                                   ("clubs.", 0.5, 0.8, 0.7), ("Thanks.", 0.8, 0.9, 0.01)])
    assert assemble_transcript([invented], SPEECH, 2.0).text == "Ten of clubs."
    real = _segment(" Ten of clubs. Thanks.", [("Ten", 0.0, 0.3, 0.8), ("of", 0.3, 0.5, 0.9),
                                               ("clubs.", 0.5, 0.8, 0.7), ("Thanks.", 0.9, 1.3, 0.85)])
    assert assemble_transcript([real], SPEECH, 2.0).text == "Ten of clubs. Thanks."
    filler_start = _segment(" Sure. Um, let me check.", [("Sure.", 0.0, 0.3, 0.9), ("Um,", 0.4, 0.6, 0.05),
                                                         ("let", 0.7, 0.8, 0.97), ("me", 0.8, 0.9, 0.99),
                                                         ("check.", 0.9, 1.2, 0.9)])
    assert assemble_transcript([filler_start], SPEECH, 2.0).text == "Sure. Um, let me check."
    # A real sentence whose first word was misheard: the rest of it is confident, so it stays.
    misheard = _segment(" Sure. Wright away I'll fix it.", [
        ("Sure.", 0.0, 0.3, 0.9), ("Wright", 0.4, 0.6, 0.08), ("away", 0.6, 0.9, 0.95), ("I'll", 0.9, 1.0, 0.9),
        ("fix", 1.0, 1.2, 0.9), ("it.", 1.2, 1.4, 0.95)])
    assert assemble_transcript([misheard], SPEECH, 2.0).text == "Sure. Wright away I'll fix it."


def test_guard_drops_the_prompt_echoed_back():
    echo = _segment(" Um, uh, er, hmm.", [("Um,", 0.1, 0.2, 0.5), ("uh,", 0.2, 0.3, 0.5),
                                          ("er,", 0.4, 0.5, 0.5), ("hmm.", 0.5, 0.6, 0.5)])
    assert assemble_transcript([echo], SPEECH, 2.0, prompt=FILLER_PROMPT).is_empty


def test_a_word_split_at_its_hyphen_is_joined_again():
    # Whisper's word timings give "cold" and "-hearted" as two words; the text read "cold -hearted".
    seg = _segment(" a cold -hearted man - really", [("a", 0.0, 0.1, 0.9), ("cold", 0.1, 0.4, 0.9),
                                                     ("-hearted", 0.4, 0.8, 0.7), ("man", 0.8, 1.0, 0.9),
                                                     ("-", 1.0, 1.1, 0.5), ("really", 1.1, 1.4, 0.9)])
    transcript = assemble_transcript([seg], SPEECH, 2.0)
    assert transcript.text == "a cold-hearted man - really"  # a lone dash between words stays a dash
    joined = transcript.words[1]
    assert (joined.text, joined.start_s, joined.end_s, joined.probability) == ("cold-hearted", 0.1, 0.8, 0.7)
    no_timings = _segment(" She is ill -disposed, truly.", [])
    assert assemble_transcript([no_timings], SPEECH, 2.0).text == "She is ill-disposed, truly."


def test_only_the_fillers_of_the_filler_pass_join_the_words():
    timed = [("Can", 0.0, 0.6), ("I", 0.6, 0.7), ("have", 0.7, 1.0), ("your", 1.0, 1.8), ("postcode", 1.9, 2.3),
             ("please?", 2.3, 2.5)]
    words = tuple(Word(w, s, e, 0.9) for w, s, e in timed)
    # The prompted pass bends "postcode" into "post code"; only its fillers are taken, each where it was heard.
    merged = merge_fillers(words, "Uh, can I have your, um, post code please?")
    assert [w.text for w in merged] == ["Uh,", "Can", "I", "have", "your", "um,", "postcode", "please?"]
    um = merged[5]
    assert (um.start_s, um.end_s) == (1.8, 1.9)  # the gap between its neighbours
    assert merged[0].start_s == merged[0].end_s == 0.0  # "Can" absorbed the "Uh" without the prompt
    assert merge_fillers(words, "Can I have your post code please?") == words
    # A filler the word pass wrote itself is not counted twice; one after the last word goes last.
    own = (*words[:4], Word("um", 1.8, 1.9, 0.5), *words[4:])
    assert [w.text for w in merge_fillers(own, "Can I have your um postcode please? Uh.")] == [
        "Can", "I", "have", "your", "um", "postcode", "please?", "Uh."]


def test_fillers_join_a_text_without_word_timings():
    # live turns decode without word timings: the fillers go into the text at the same places
    assert merge_fillers_into_text("Can I have your postcode please?", "Uh, can I have your, um, post code please?"
                                   ) == "Uh, Can I have your um, postcode please?"
    assert merge_fillers_into_text("", "Um.") == "Um."  # a lone filler the plain decode dropped
    assert merge_fillers_into_text("I am sorry.", "I am sorry.") == "I am sorry."


def test_combined_prompt_puts_the_filler_style_last():
    assert combined_prompt("Your bill is wrong.", True) == f"Your bill is wrong. {FILLER_PROMPT}"
    assert combined_prompt(None, True) == FILLER_PROMPT
    assert combined_prompt("  ", False) is None


def test_model_input_is_mono_finite_float32_in_range():
    stereo = np.array([[0.5, -0.5], [2.0, 2.0], [np.nan, 0.0], [np.inf, -np.inf]] * 10, dtype=np.float64)
    for layout in (stereo, stereo.T):
        mono = model_input(layout)
        assert mono.dtype == np.float32 and mono.shape == (40,) and mono.flags["C_CONTIGUOUS"]
        assert np.isfinite(mono).all() and np.abs(mono).max() <= 1.0
        np.testing.assert_allclose(mono[:2], [0.0, 1.0])


def test_segment_checks_name_the_reason():
    checks = SegmentChecks()
    assert checks.rejection(_segment(" x", [], no_speech=0.95, logprob=-1.5)) == "no speech"
    assert checks.rejection(_segment(" x", [], ratio=2.9)) == "repetition loop"


# -- audio files ----------------------------------------------------------------------------------

def _write_wav(path: Path, frames: np.ndarray, rate: int, width: int = 2) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1 if frames.ndim == 1 else frames.shape[1])
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(frames.tobytes())


def test_reader_downmixes_and_resamples_any_pcm_wav(tmp_path):
    tone = np.sin(2 * np.pi * 440 * np.arange(44_100) / 44_100)
    stereo = np.stack([tone, tone], axis=1)
    _write_wav(tmp_path / "s16.wav", (stereo * 16_000).astype("<i2"), 44_100)
    _write_wav(tmp_path / "u8.wav", (tone * 100 + 128).astype(np.uint8), 8_000, width=1)
    _write_wav(tmp_path / "s32.wav", (tone * 2**30).astype("<i4"), 48_000, width=4)
    for name, seconds, peak in (("s16.wav", 1.0, 16_000 / 32_768), ("u8.wav", 44_100 / 8_000, 100 / 128),
                                ("s32.wav", 44_100 / 48_000, 0.5)):
        audio = read_audio(tmp_path / name)
        assert audio.dtype == np.float32
        assert len(audio) == pytest.approx(seconds * 16_000, abs=2)
        assert np.abs(audio[100:-100]).max() == pytest.approx(peak, rel=0.05)


def test_reader_reads_24_bit_wav(tmp_path):
    values = (np.sin(np.linspace(0, 20, 16_000)) * 2**22).astype(np.int32)
    packed = np.stack([values & 0xFF, (values >> 8) & 0xFF, (values >> 16) & 0xFF], axis=1).astype(np.uint8)
    _write_wav(tmp_path / "s24.wav", packed.reshape(-1), 16_000, width=3)
    audio = read_audio(tmp_path / "s24.wav")
    np.testing.assert_allclose(audio, values / 2**23, atol=1e-6)


def test_reader_keeps_16k_speech_unchanged():
    audio = read_audio(DATA / "pocketsphinx_goforward.wav")
    with wave.open(str(DATA / "pocketsphinx_goforward.wav")) as wav:
        raw = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
    np.testing.assert_array_equal(audio, raw.astype(np.float32) / 32768)


def test_resample_keeps_a_tone_at_its_frequency():
    tone = np.sin(2 * np.pi * 300 * np.arange(22_050) / 22_050).astype(np.float32)
    out = resample(tone, 22_050, 16_000)
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * 16_000 / len(out) == pytest.approx(300, abs=2)


def test_reader_errors_name_the_file(tmp_path):
    with pytest.raises(AudioFileError, match="no such file"):
        read_audio(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("this is not audio")
    with pytest.raises(AudioFileError, match=r"text\.wav"):
        read_audio(tmp_path / "text.wav")
    with pytest.raises(AudioFileError, match="not a file"):
        read_audio(tmp_path)
