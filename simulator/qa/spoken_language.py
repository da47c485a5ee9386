"""Is a recording spoken in the language it is scored in?

A call in another language than the scoring one is transcribed by a model that knows only the
scoring language (tiny.en writes Mandarin speech as English words: "When we pop, we do the other
two-shoes."), then scored as a very poor call, with nothing to say it was never understood.  So
when the recogniser was unsure of the agent's words (their mean probability under
``CHECK_BELOW_WORD_PROBABILITY``; clear English in our clips reads 0.65-0.98, Mandarin through
tiny.en 0.21-0.32), or wrote them in the other language's script, the multilingual Whisper is asked
which language the speech is in, from up to 30 s of the agent's turns; a sure answer naming another
language stops the scoring with a message saying how to score the call.  A call the recogniser was
sure of costs no second model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from simulator.asr.base import LanguageGuess, LanguageIdentifier
from simulator.contracts import Speaker, Word
from simulator.record import TurnRecord
from simulator.text import is_mostly_chinese
from simulator.wavfile import Audio, AudioFileError

CHECK_BELOW_WORD_PROBABILITY = 0.5
SURE_OTHER_LANGUAGE = 0.8  # the identifier's probability for the other language
SAMPLE_S = 30.0  # Whisper decides a language from one 30-s window
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "es": "Spanish", "fr": "French", "de": "German",
                  "hi": "Hindi", "ar": "Arabic", "pt": "Portuguese", "ru": "Russian", "ja": "Japanese",
                  "ko": "Korean", "it": "Italian", "nl": "Dutch", "tr": "Turkish", "vi": "Vietnamese",
                  "yue": "Cantonese", "tl": "Tagalog", "pl": "Polish", "uk": "Ukrainian", "ms": "Malay"}


def language_name(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


class OtherLanguage(AudioFileError):
    """The recording is spoken in another language than the one it would be scored in: not scored."""

    def __init__(self, path: object, guess: LanguageGuess, scoring_language: str, how: str | None = None):
        """``how``: what to do instead (default: ``callsim score``'s options)."""
        self.guess = guess
        how = how or (("score it with --language zh (the behaviour library in Mandarin) or a Mandarin scenario "
                       "(--scenario ID)") if guess.language == "zh" else (
            "score it with --language en or an English scenario" if guess.language == "en" else
            "callsim scores English and Mandarin calls only"))
        super().__init__(f"{path}: the speech is in {language_name(guess.language)}, {guess.probability:.0%} sure, "
                         f"not in {language_name(scoring_language)}, the language it would be scored in, so it was "
                         f"not scored (its words were not understood); {how}.")


def mean_probability(words: Sequence[Word]) -> float:
    """How sure the recogniser was of the words it wrote."""
    return float(np.mean([word.probability for word in words]))


def speech_sample(audio: Audio, turns: Sequence[TurnRecord]) -> np.ndarray:
    """Up to ``SAMPLE_S`` of the turns' audio, mixed to mono turn by turn (never the whole call at once)."""
    pieces: list[np.ndarray] = []
    kept = 0
    limit = int(SAMPLE_S * audio.sample_rate)
    for turn in turns:
        if turn.start_s is None or turn.end_s is None or not turn.text.strip() or kept >= limit:
            continue
        first = int(turn.start_s * audio.sample_rate)
        last = min(int(turn.end_s * audio.sample_rate), first + limit - kept)
        piece = audio.samples[first:last].mean(axis=1, dtype=np.float32)
        pieces.append(piece)
        kept += len(piece)
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


def other_language(audio: Audio, turns: Sequence[TurnRecord], scoring_language: str,
                   identifier: LanguageIdentifier | None) -> LanguageGuess | None:
    """The language a recorded call's agent surely speaks when it is not the scoring language (the
    agent's words are what is scored); None when it is, when the recogniser was sure of the words in
    the right script, or when no identifier is at hand."""
    agent = [turn for turn in turns if turn.speaker == Speaker.TRAINEE]
    words = [word for turn in agent for word in turn.words]
    return spoken_in_other_language(lambda: speech_sample(audio, agent), words, scoring_language, identifier)


def spoken_in_other_language(speech: Callable[[], np.ndarray], words: Sequence[Word], scoring_language: str,
                             identifier: LanguageIdentifier | None) -> LanguageGuess | None:
    """The same for any speech and the words recognised in it (``speech`` is cut only when in doubt).

    In doubt: the recogniser was unsure of its words, or wrote them in another script than the
    language's (the multilingual model held to Mandarin writes clear English as English words, sure
    of them)."""
    if identifier is None or not words:
        return None
    text = " ".join(word.text for word in words)
    wrong_script = is_mostly_chinese(text) != (scoring_language == "zh")
    if not wrong_script and mean_probability(words) >= CHECK_BELOW_WORD_PROBABILITY:
        return None
    sample = speech()
    if sample.size == 0:
        return None
    guess = identifier.identify(sample)
    return guess if guess.language != scoring_language and guess.probability >= SURE_OTHER_LANGUAGE else None
