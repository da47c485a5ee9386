"""Building a voiced call from settings: the persona's voice, the TTS engine, the devices, Whisper.

Nothing slow happens here: the TTS engine starts on its own thread, Whisper and the analyser's
model load while the customer's first line plays.
"""

from __future__ import annotations

import importlib.util
from functools import partial
from pathlib import Path

from simulator.analysis.base import TurnAnalyser, TurnInput
from simulator.audio.capture import DeviceMic, MicSource, WavMic
from simulator.audio.playback import Speaker
from simulator.call.voiced import CallAudio, VoicedCall, VoiceFeedback, VoiceOptions
from simulator.config import Settings
from simulator.contracts import Transcript
from simulator.lazy import require
from simulator.scenario.diagnostics import START, FileProblems
from simulator.scenario.loader import LoadedScenario
from simulator.scenario.model import Scenario
from simulator.scenario.voices import VoiceProfile, load_voice, voice_for_language, voice_path
from simulator.tts.cache import LineCache
from simulator.tts.registry import builtin_engines
from simulator.tts.worker import TtsWorker


def load_persona_voice(scenario: Scenario, voices_dir: Path) -> VoiceProfile:
    """The persona's voice profile, or the closest one that speaks the scenario's language."""
    path = voice_path(voices_dir, scenario.persona.voice)
    if not path.is_file():
        raise FileProblems.single(path, START, "voice.missing",
                                  f"voice profile {scenario.persona.voice!r} not found in {voices_dir}")
    return voice_for_language(load_voice(path), scenario.language, voices_dir)


def open_voiced_call(loaded: LoadedScenario, settings: Settings, folder: Path, options: VoiceOptions = VoiceOptions(),
                     *, feedback: VoiceFeedback = VoiceFeedback(), analyser: TurnAnalyser | None = None,
                     mic: MicSource | None = None, speaker: Speaker | None = None) -> VoicedCall:
    """Everything a voiced call needs, from settings; nothing slow happens here (the TTS engine
    starts on its thread; Whisper and the ``analyser``'s model load while the first line plays).
    ``mic`` and ``speaker`` replace the devices the settings name (tests, recorded replies).
    Raises ``AudioDeviceError``, ``TtsError``, ``MissingPackage`` or ``FileProblems`` (voice file)."""
    from simulator.asr.registry import transcriber_from_settings
    from simulator.audio.playback import Player  # PortAudio: only when a device is opened

    scenario = loaded.scenario
    for module, package in (("faster_whisper", "faster-whisper"), ("onnxruntime", "onnxruntime")):
        if importlib.util.find_spec(module) is None:  # cheap: nothing is imported yet
            require(module, package, feature="listening to the trainee (voice activity detection)")
    profile = load_persona_voice(scenario, settings.voices_dir)
    registry = builtin_engines()
    cache = LineCache(folder=settings.voice_cache_dir)
    tts = TtsWorker(lambda: registry.create(settings.tts_engine or profile.engine), cache)
    if mic is None and options.mic_from is not None:
        from simulator.asr.channels import decoded_mono  # replies in any format a recording may be in

        mic = WavMic(options.mic_from, pace=options.mic_pace, read=decoded_mono)
    elif mic is None:
        mic = DeviceMic(options.input_device or settings.input_device)
    player = speaker or Player(options.output_device or settings.output_device)
    try:
        player.open()
        if isinstance(mic, DeviceMic):
            mic.open()
        tts.wait_ready(30)
    except BaseException:
        tts.close()
        raise
    transcriber = transcriber_from_settings(settings, word_timestamps=options.word_timings,
                                           language=str(scenario.language))
    audio = CallAudio(mic, player, tts, transcriber)
    call = VoicedCall(scenario, profile, folder, audio, options=options, feedback=feedback,
                      warm_up=None if analyser is None else partial(warm_up_analyser, analyser, scenario),
                      prepare=getattr(analyser, "prepare", None))
    return call  # the call queues the whole scenario while its opening line plays


def warm_up_analyser(analyser: TurnAnalyser, scenario: Scenario) -> None:
    """One throw-away analysis, so a model the analyser loads lazily is loaded before it matters."""
    opening = scenario.nodes[scenario.start].lines[0]
    analyser.analyse(TurnInput(turn_index=1, transcript=Transcript("I'm sorry to hear that, let me check."),
                               customer_line=opening))
