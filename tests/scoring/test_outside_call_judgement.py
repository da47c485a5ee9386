"""Outside recordings judged as a QA analyst would (issue #13): timing from both channels, pace by
its usual definition, voice against the speaker's own usual voice, empathy only where called for,
the outcome from the close and compliance against the behaviour library."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from simulator.analysis.lexical import LexicalAnalyser
from simulator.analysis.tone import judge_against_own_voice, rejudge_call
from simulator.contracts import (
    EmpathyJudgement,
    EmpathyLevel,
    Evidence,
    ForbiddenHit,
    MatchKind,
    Severity,
    Speaker,
    StepHit,
    ToneLabel,
    ToneMeasures,
    Transcript,
    TurnAnalysis,
    TurnTiming,
    Word,
)
from simulator.qa.external import RecordingReaders, Span, SpeakerSplit, analyse_external, build_turns
from simulator.qa.importer import generic_scenario
from simulator.qa.timing import LineSounds, Wait, unexplained_silence
from simulator.record import CallHeader, CallMode, CallRecord, TurnRecord
from simulator.scenario.model import Rubric, ToneThresholds
from simulator.scoring.call_scorer import score_call
from simulator.scoring.report import format_scorecard
from simulator.scoring.scorecard import Dimension, JudgedOutcome, Phase
from simulator.wavfile import Audio

RATE = 16_000


class _OneWordPerSecond:
    """One word per second of sound, at its true time (timing tests need no language)."""

    name = "timed"

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> Transcript:
        words = [Word("word", s + 0.1, s + 0.9) for s in range(int(len(audio) / RATE))
                 if np.abs(audio[s * RATE:(s + 1) * RATE]).max() > 0]
        return Transcript(" ".join(w.text for w in words), tuple(words))


def _stereo_call(agent: list[tuple[float, float]], customer: list[tuple[float, float]], length_s: float,
                 unheard: tuple[tuple[int, float, float], ...] = ()):
    """A synthetic two-channel call: noise where each side speaks; the span finder reports exactly
    that, and misses the ``unheard`` sounds (channel, start, end) as a VAD misses a short word."""
    samples = np.zeros((int(length_s * RATE), 2), np.float32)
    noise = np.random.default_rng(7)
    sounded = [(0, s, e) for s, e in agent] + [(1, s, e) for s, e in customer] + list(unheard)
    for channel, start, end in sounded:
        piece = slice(int(start * RATE), int(end * RATE))
        samples[piece, channel] = 0.1 * noise.standard_normal(piece.stop - piece.start)

    def find_spans(signal: np.ndarray) -> list[Span]:
        for spans in (agent, customer):
            if all(np.abs(signal[int(s * RATE) + 10:int(s * RATE) + 200]).max() > 0 for s, _ in spans):
                return [Span(s, e) for s, e in spans]
        return []

    return Audio(samples, RATE), find_spans


def test_dead_air_is_the_silence_after_the_customer_not_the_agents_own_hold():
    """The agent answers 0.6 s after the customer, then holds 5 s and goes on: no 7 s 'wait'."""
    customer = [(0.0, 2.0), (14.0, 16.0)]
    agent = [(2.6, 5.0), (10.0, 13.4), (17.5, 19.0)]  # a 5 s hold inside the agent's floor
    audio, find_spans = _stereo_call(agent, customer, 20.0)
    call = analyse_external(audio, RecordingReaders(find_spans, _OneWordPerSecond(), LexicalAnalyser(None)),
                            thresholds=Rubric().tone, scenario_id="external-call")
    delays = [t.analysis.timing.response_delay_s for t in call.record.turns if t.analysis is not None]
    assert delays == [pytest.approx(0.6), None, pytest.approx(1.5)]
    card = score_call(call.record, generic_scenario(), Rubric(), recording_s=20.0)
    assert card.voice.longest_response_delay_s == pytest.approx(1.5)
    assert card.voice.longest_response_delay_at_s == pytest.approx(16.0)
    assert card.voice.dead_air_turns == ()


def _waits(call) -> list[tuple[float | None, float | None]]:
    return [(t.analysis.timing.response_delay_s, t.analysis.timing.waited_from_s)
            for t in call.record.turns if t.analysis is not None]


def _read(audio, find_spans):
    return analyse_external(audio, RecordingReaders(find_spans, _OneWordPerSecond(), LexicalAnalyser(None)),
                            thresholds=Rubric().tone, scenario_id="external-call")


def test_a_short_answer_the_vad_missed_ends_the_dead_air():
    """The customer stops at 2.0 s; the agent says a 0.4 s "okay" at 3.5 s that the VAD does not find,
    then talks from 6.0 s: the line was silent 1.5 s, not 4."""
    audio, find_spans = _stereo_call([(6.0, 9.0)], [(0.0, 2.0)], 10.0, unheard=((0, 3.5, 3.9),))
    call = _read(audio, find_spans)
    assert _waits(call) == [(pytest.approx(1.5), pytest.approx(2.0))]
    card = score_call(call.record, generic_scenario(), Rubric(), recording_s=10.0)
    assert card.voice.longest_response_delay_s == pytest.approx(1.5)
    assert card.voice.longest_response_delay_at_s == pytest.approx(2.0)


def test_the_customers_trailing_word_the_vad_cut_off_is_still_the_customer():
    """The VAD ends the customer at 2.0 s, but their last word sounds on to 2.8 s; the agent answers at
    6.0 s: 3.2 s of dead air, from 2.8 s (a customer sound never shortens the wait to zero)."""
    audio, find_spans = _stereo_call([(6.0, 9.0)], [(0.0, 2.0)], 10.0, unheard=((1, 2.0, 2.8),))
    assert _waits(_read(audio, find_spans)) == [(pytest.approx(3.2), pytest.approx(2.8))]


def test_a_click_in_the_silence_is_not_an_answer():
    """A 40 ms click on the agent's line (a key, a pop) is shorter than any syllable: still 4 s."""
    audio, find_spans = _stereo_call([(6.0, 9.0)], [(0.0, 2.0)], 10.0, unheard=((0, 3.5, 3.54),))
    assert _waits(_read(audio, find_spans)) == [(pytest.approx(4.0), pytest.approx(2.0))]


def test_on_one_channel_the_wait_is_the_longest_silence_in_the_gap():
    """Both voices on one line, split by voice: a missed 0.4 s sound at 3.0 s belongs to neither for
    sure, so the wait is the longer silence around it (3.4 -> 6.0 s), not the whole 4 s."""
    agent, customer = [(6.0, 9.0)], [(0.0, 2.0)]
    samples = np.zeros((10 * RATE, 1), np.float32)
    noise = np.random.default_rng(3)
    for start, end in [*agent, *customer, (3.0, 3.4)]:
        piece = slice(int(start * RATE), int(end * RATE))
        samples[piece, 0] = 0.1 * noise.standard_normal(piece.stop - piece.start)

    def split(_samples: np.ndarray, _spans: list[Span]) -> SpeakerSplit:
        return SpeakerSplit(tuple(Span(*s) for s in agent), tuple(Span(*s) for s in customer), True, 0.9, "test")

    readers = RecordingReaders(lambda _signal: [Span(*s) for s in sorted([*agent, *customer])],
                               _OneWordPerSecond(), LexicalAnalyser(None), split)
    call = analyse_external(Audio(samples, RATE), readers, thresholds=Rubric().tone, scenario_id="external-call")
    assert _waits(call) == [(pytest.approx(2.6), pytest.approx(3.4))]


def test_a_long_silence_after_the_agents_own_words_is_dead_air_unless_a_hold_was_announced():
    """The customer asks (0-2 s), the agent answers at once (2.5-4 s), then the line is silent until the
    agent speaks again at 19 s: 15 s no one explained.  Not an answer's delay, so it is its own finding."""
    audio, find_spans = _stereo_call([(2.5, 4.0), (19.0, 21.0)], [(0.0, 2.0)], 22.0)
    call = _read(audio, find_spans)
    silences = [t.analysis.timing.unexplained_silence_s for t in call.record.turns if t.analysis is not None]
    assert silences == [None, pytest.approx(15.0)]
    card = score_call(call.record, generic_scenario(), Rubric(), recording_s=22.0)
    assert card.voice.longest_unexplained_silence_s == pytest.approx(15.0)
    assert card.voice.longest_response_delay_s == pytest.approx(0.5)  # the answer itself came quickly
    assert 2 in card.voice.dead_air_turns
    finding = next(e for e in card.dimension(Dimension.TONE).evidence if e.rule == "tone.dead_air")
    assert "15.0 s of silence after your own words" in finding.detail and finding.turn_index == 2
    assert "longest silence after your own words 15.0 s" in format_scorecard(card)
    # a pause after "one moment, let me check that" is a hold the agent announced
    turns = build_turns([Span(2.5, 4.0), Span(19.0, 21.0)], [Span(0.0, 2.0)])
    line = LineSounds([Span(2.5, 4.0), Span(19.0, 21.0)], [Span(0.0, 2.0)])
    assert unexplained_silence(turns[2], turns[1], "One moment, let me check that.", line) is None
    assert unexplained_silence(turns[2], turns[1], "Okay.", line) == Wait(4.0, 15.0)
    assert unexplained_silence(turns[1], turns[0], "", line) is None  # an answer, not the agent's floor


def test_the_silence_after_an_okay_the_vad_made_no_turn_of_is_the_agents_too():
    """The customer stops at 2.0 s, the agent says "okay" at 2.5 s (a sound the VAD missed), then the
    line is silent until the agent speaks at 16.0 s: a quick answer, then 13.1 s no one explained."""
    audio, find_spans = _stereo_call([(16.0, 18.0)], [(0.0, 2.0)], 19.0, unheard=((0, 2.5, 2.9),))
    call = _read(audio, find_spans)
    timing = next(t.analysis.timing for t in call.record.turns if t.analysis is not None)
    assert timing.response_delay_s == pytest.approx(0.5)
    assert timing.unexplained_silence_s == pytest.approx(13.1)
    # with no customer on the recording, a gap in the agent's speech may be the customer talking
    two_turns, _ = _stereo_call([(2.5, 4.0), (19.0, 21.0)], [], 22.0)
    alone = analyse_external(Audio(two_turns.samples[:, :1], RATE),
                             RecordingReaders(lambda _s: [Span(2.5, 4.0), Span(19.0, 21.0)], _OneWordPerSecond(),
                                              LexicalAnalyser(None)),
                             thresholds=Rubric().tone, scenario_id="external-call")
    silences = [t.analysis.timing.unexplained_silence_s for t in alone.record.turns if t.analysis is not None]
    assert silences == [None, None]


def _tone(wpm: float | None = None, level: float = -20.0, pitch: float = 150.0, tilt: float = -10.0,
          speech_s: float = 3.0) -> ToneMeasures:
    return ToneMeasures(ToneLabel.NEUTRAL, words_per_minute=wpm, loudness_db=level, pitch_hz=pitch, tilt_db=tilt,
                        speech_s=speech_s, pitch_range_semitones=6.0)


def _analysis(index: int, text: str, *, tone: ToneMeasures | None = None, steps: tuple[str, ...] = (),
              forbidden: tuple[tuple[str, float], ...] = (), empathy: EmpathyLevel = EmpathyLevel.NONE,
              distress: float | None = None, timing: TurnTiming = TurnTiming()) -> TurnAnalysis:
    return TurnAnalysis(
        turn_index=index, transcript=Transcript(text), empathy=EmpathyJudgement(empathy, empathy / 2),
        steps_hit=tuple(StepHit(s, text, MatchKind.MODEL, 0.9) for s in steps),
        forbidden=tuple(ForbiddenHit(f, text, Severity.MAJOR, MatchKind.MODEL, c) for f, c in forbidden),
        timing=timing, tone=tone, analyser="semantic", customer_distress=distress,
        customer_distressed=None if distress is None else distress >= 0.5)


def _record(turns: list[tuple[Speaker, str, float, float, int | None, TurnAnalysis | None]]) -> CallRecord:
    records = tuple(TurnRecord(i, speaker, text, start, end, mood=mood, analysis=analysis)
                    for i, (speaker, text, start, end, mood, analysis) in enumerate(turns))
    header = CallHeader("external-call", "", 0, CallMode.IMPORTED, "semantic", "2026-01-01T00:00:00")
    return CallRecord(header, records, None, None, True)


def test_pace_is_all_words_over_all_talk_time_so_short_turns_do_not_inflate_it():
    long_reply = " ".join(["word"] * 40)  # 40 words at 150 wpm: 16 s of talk
    record = _record([
        (Speaker.TRAINEE, long_reply, 0.0, 16.0, None, _analysis(1, long_reply, tone=_tone(150.0))),
        (Speaker.TRAINEE, "bye bye now", 17.0, 17.45, None, _analysis(2, "bye bye now", tone=_tone(400.0))),
    ])
    card = score_call(record, generic_scenario(), Rubric())
    # (40 + 3) words over (16 + 0.45) s; the mean of the two turns' rates would say 275
    assert card.voice.mean_words_per_minute == pytest.approx(60 * 43 / 16.45, abs=0.2)


def test_pace_is_judged_on_sustained_speech_so_a_quick_short_turn_is_not_called_too_fast():
    """12 words in 2.4 s (300 a minute) is a formulaic aside; 50 words in 12 s (250 a minute) is a fast pace.
    On a recorded call only the second is called too fast; a practice reply of either length still is."""
    quick = " ".join(["word"] * 12)
    sustained = " ".join(["word"] * 50)
    turns = [(Speaker.TRAINEE, quick, 0.0, 2.4, None, _analysis(1, quick, tone=_tone(300.0, speech_s=2.2))),
             (Speaker.TRAINEE, sustained, 3.0, 15.0, None, _analysis(2, sustained, tone=_tone(250.0, speech_s=11.0)))]
    recorded = _record(turns)
    card = score_call(recorded, generic_scenario(), Rubric())
    assert [e.turn_index for e in card.dimension(Dimension.TONE).evidence if e.rule == "tone.pace"] == [2]
    assert card.voice.mean_words_per_minute == pytest.approx(60 * 62 / 14.4, abs=0.2)  # every turn still counts
    practice = replace(recorded, header=replace(recorded.header, mode=CallMode.TEXT))
    practice_card = score_call(practice, generic_scenario(), Rubric())
    assert [e.turn_index for e in practice_card.dimension(Dimension.TONE).evidence if e.rule == "tone.pace"] == [1, 2]


def test_voice_is_judged_against_the_speakers_own_usual_swing():
    """A speaker whose turns swing by 6-8 dB and 4 semitones is not 'heated' at +7 dB; a turn far
    beyond their swing is.  The fixed-step baseline calls the ordinary one heated."""
    levels = [-20, -26, -19, -25, -21, -27, -20]
    pitches = [150, 120, 155, 125, 150, 118, 152]
    tones = [_tone(level=lv, pitch=p) for lv, p in zip(levels, pitches, strict=True)]
    ordinary = _tone(level=-19, pitch=158, tilt=-6)
    heated = _tone(level=-4, pitch=260, tilt=-2)
    turns = [(Transcript("fine thanks"), t) for t in (*tones, ordinary, heated)]
    own = judge_against_own_voice(turns, ToneThresholds())
    fixed = rejudge_call(turns, ToneThresholds())
    assert fixed[-2] is not None and fixed[-2].label == ToneLabel.ANGRY  # the old call: heated
    assert own[-2] is not None and own[-2].label != ToneLabel.ANGRY and not own[-2].raised_voice
    assert own[-1] is not None and own[-1].label == ToneLabel.ANGRY and own[-1].raised_voice


def test_a_rise_in_voice_tension_alone_is_not_heat():
    tones = [_tone(level=-20 + (i % 2), pitch=150 + 3 * (i % 2)) for i in range(6)]
    tense = _tone(level=-20, pitch=150, tilt=+5)  # 15 dB more 1-4 kHz energy, nothing louder or higher
    own = judge_against_own_voice([(Transcript("yes"), t) for t in (*tones, tense)], ToneThresholds())
    assert own[-1] is not None and own[-1].label != ToneLabel.ANGRY


def test_too_few_turns_give_no_baseline_and_no_heat_call():
    own = judge_against_own_voice([(Transcript("hi"), _tone(level=-30)), (Transcript("hi"), _tone(level=-5))],
                                  ToneThresholds())
    assert all(t is not None and t.label != ToneLabel.ANGRY and not t.raised_voice for t in own)


GREETING = "Hello, thanks for calling ACME Bank, my name is Babu, how can I help you?"


def test_an_agent_only_greeting_is_the_opening_and_empathy_is_not_judged_by_default():
    record = _record([
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet", "identify_self"))),
        (Speaker.TRAINEE, "Your balance is 75 dollars.", 9.0, 11.0, None,
         _analysis(2, "Your balance is 75 dollars.")),
    ])
    card = score_call(record, generic_scenario(), Rubric())
    empathy = card.dimension(Dimension.EMPATHY)
    assert empathy.score is None and empathy.judged_turns == ()
    assert card.turns[0].phase == Phase.OPENING and card.turns[0].empathy is None
    assert "not judged" in " ".join(e.detail for e in empathy.evidence)


def test_an_agent_only_reply_that_answers_a_feeling_is_judged():
    soothing = "I can hear how worrying this is, I'm so sorry."
    record = _record([
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet",))),
        (Speaker.TRAINEE, soothing, 9.0, 11.0, None,
         _analysis(2, soothing, steps=("acknowledge_emotion",), empathy=EmpathyLevel.STRONG)),
    ])
    card = score_call(record, generic_scenario(), Rubric())
    assert card.dimension(Dimension.EMPATHY).judged_turns == (2,)


def _stereo_exchange(customer_mood: int | None, distress: float, follow_up: bool = True) -> CallRecord:
    line = "I'm worried, the oil light is still on"
    reply = "Okay, what's the model year?"
    turns: list[tuple[Speaker, str, float, float, int | None, TurnAnalysis | None]] = [
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet",))),
        (Speaker.CUSTOMER, line, 4.5, 8.0, customer_mood, None),
        (Speaker.TRAINEE, reply, 8.5, 10.0, None, _analysis(2, reply, distress=distress)),
    ]
    if follow_up:  # the agent goes on after a pause: not a reply to that customer turn
        turns.append((Speaker.TRAINEE, "Let me check that.", 13.0, 14.0, None,
                      _analysis(3, "Let me check that.", distress=distress)))
    return _record(turns)


def test_distressed_words_with_a_calm_voice_do_not_call_for_empathy():
    card = score_call(_stereo_exchange(customer_mood=20, distress=0.8), generic_scenario(), Rubric())
    assert card.dimension(Dimension.EMPATHY).judged_turns == ()
    assert card.dimension(Dimension.EMPATHY).score == 100.0  # the customer was heard: not needed


def test_words_and_voice_agreeing_call_for_empathy_in_the_reply_right_after_only():
    card = score_call(_stereo_exchange(customer_mood=75, distress=0.8), generic_scenario(), Rubric())
    assert card.dimension(Dimension.EMPATHY).judged_turns == (2,)
    assert card.turns[2].empathy is None  # the agent's next turn is not a reply to that reading


def test_a_sharp_voice_rise_calls_for_empathy_even_with_calm_words():
    card = score_call(_stereo_exchange(customer_mood=95, distress=0.1), generic_scenario(), Rubric())
    assert card.dimension(Dimension.EMPATHY).judged_turns == (2,)
    steps = {s.step_id: s.required for s in card.steps}
    assert steps["acknowledge_emotion"] and steps["apologise"]  # distress makes them expected


def _short_turn_after(earlier_mood: int | None, distress: float = 0.97) -> CallRecord:
    """A measured customer turn (or none), then a turn too short to measure read as distressed in words."""
    turns: list[tuple[Speaker, str, float, float, int | None, TurnAnalysis | None]] = [
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet",)))]
    if earlier_mood is not None:
        turns += [(Speaker.CUSTOMER, "Hi, I had the car serviced this morning and the light is still on.", 4.5, 9.0,
                   earlier_mood, None),
                  (Speaker.TRAINEE, "Mm-hmm.", 9.2, 9.5, None, _analysis(2, "Mm-hmm.", distress=0.2))]
    turns += [(Speaker.CUSTOMER, "And I don't know.", 10.0, 11.0, None, None),
              (Speaker.TRAINEE, "Got it, what's the model year?", 11.5, 13.0, None,
               _analysis(3, "Got it, what's the model year?", distress=distress))]
    return _record(turns)


@pytest.mark.parametrize("earlier_mood, called_for", [(5, False), (75, True), (None, True)])
def test_a_turn_too_short_to_measure_takes_the_customers_voice_in_their_last_measured_turn(earlier_mood, called_for):
    # "And I don't know." after a calm turn is not distress because the words alone say so; after a
    # heated turn it is; before any measured turn the words still decide
    card = score_call(_short_turn_after(earlier_mood), generic_scenario(), Rubric())
    empathy = card.dimension(Dimension.EMPATHY)
    assert (empathy.judged_turns == (3,)) is called_for
    if earlier_mood == 75:
        owed = next(e for e in empathy.evidence if e.rule == "empathy.needed")
        assert "75/100 over their usual in their last measured turn" in owed.detail


def _closing_call(last_agent: str, steps: tuple[str, ...], *, forbidden: tuple[tuple[str, float], ...] = (),
                  end_s: float = 30.0) -> CallRecord:
    middle = "I've booked you in for Thursday at nine, does that work for you?"
    return _record([
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet", "identify_self"))),
        (Speaker.CUSTOMER, "My car needs a service.", 4.5, 7.0, 10, None),
        (Speaker.TRAINEE, middle, 7.5, 12.0, None,
         _analysis(2, middle, steps=("explain_next_steps", "confirm_resolution"), forbidden=forbidden)),
        (Speaker.CUSTOMER, "Yes, great.", 12.5, 13.5, 10, None),
        (Speaker.TRAINEE, last_agent, 14.0, end_s, None, _analysis(3, last_agent, steps=steps)),
    ])


def test_the_outcome_is_read_from_the_close():
    done = "Is there anything else? Thanks for calling, bye."
    card = score_call(_closing_call(done, ("anything_else", "close")), generic_scenario(), Rubric(),
                      recording_s=40.0)
    assert card.judged_outcome is not None and card.judged_outcome.outcome == JudgedOutcome.RESOLVED
    assert card.judged_outcome.turn_index == 2
    assert card.turns[-1].phase == Phase.CLOSE


def _request_met_call(customer_mood: int, customer_distress: float | None) -> CallRecord:
    """A balance read out (no fix to explain, confirm, offer, time or own), then "anything else?"."""
    answer, close = "Your checking balance is eighty-nine dollars.", "Is there anything else I can help with? Bye."
    return _record([
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet", "identify_self"))),
        (Speaker.CUSTOMER, "What's my balance?", 4.5, 6.0, 10, None),
        (Speaker.TRAINEE, answer, 6.5, 9.0, None, _analysis(2, answer)),
        (Speaker.CUSTOMER, "Okay.", 9.5, 10.0, customer_mood, None),
        (Speaker.TRAINEE, close, 10.5, 14.0, None,
         _analysis(3, close, steps=("anything_else", "close"), distress=customer_distress)),
    ])


def test_a_request_met_on_the_spot_is_resolved_by_a_calm_anything_else():
    card = score_call(_request_met_call(10, None), generic_scenario(), Rubric(), recording_s=20.0)
    assert card.judged_outcome is not None and card.judged_outcome.outcome == JudgedOutcome.RESOLVED
    assert card.judged_outcome.turn_index == 3 and "anything else" in card.judged_outcome.reason
    # the same close answering a customer upset in words and voice owes them something first
    upset = score_call(_request_met_call(80, 0.95), generic_scenario(), Rubric(), recording_s=20.0)
    assert upset.judged_outcome is not None and upset.judged_outcome.outcome == JudgedOutcome.UNRESOLVED


def test_a_handover_at_the_close_is_an_escalation():
    handover = "I'll transfer you to a specialist now, thanks for calling."
    card = score_call(_closing_call(handover, ("close",)), generic_scenario(), Rubric(), recording_s=40.0)
    assert card.judged_outcome is not None and card.judged_outcome.outcome == JudgedOutcome.ESCALATED


def test_sending_the_customer_elsewhere_is_unresolved_when_the_model_is_sure():
    done = "Thanks for calling, bye."
    sure = score_call(_closing_call(done, ("close",), forbidden=(("not_my_job", 0.95),)), generic_scenario(),
                      Rubric(), recording_s=40.0)
    assert sure.judged_outcome is not None and sure.judged_outcome.outcome == JudgedOutcome.UNRESOLVED
    assert [v.phrase_id for v in sure.violations] == ["not_my_job"]
    unsure = score_call(_closing_call(done, ("close",), forbidden=(("not_my_job", 0.7),)), generic_scenario(),
                        Rubric(), recording_s=40.0)
    assert unsure.judged_outcome is not None and unsure.judged_outcome.outcome == JudgedOutcome.RESOLVED
    assert unsure.violations == ()


def test_a_recording_cut_before_the_close_has_an_unknown_outcome_and_the_close_steps_are_excused():
    cut = score_call(_closing_call("So the other thing about the warranty is", ()), generic_scenario(), Rubric(),
                     recording_s=30.4)
    assert cut.judged_outcome is not None and cut.judged_outcome.outcome == JudgedOutcome.UNKNOWN
    required = {s.step_id for s in cut.steps if s.required}
    assert not required & {"anything_else", "close", "confirm_resolution"}
    assert {"greet", "identify_self", "explain_next_steps"} <= required


def test_without_a_scenario_compliance_is_judged_against_the_behaviour_library():
    done = "Is there anything else? Thanks for calling, bye."
    card = score_call(_closing_call(done, ("anything_else", "close")), generic_scenario(), Rubric(),
                      recording_s=40.0)
    compliance = card.dimension(Dimension.COMPLIANCE)
    assert compliance.score == 100.0  # the six steps every service call has, all done
    assert {s.step_id for s in card.steps if s.required} == {
        "greet", "identify_self", "explain_next_steps", "confirm_resolution", "anything_else", "close"}
    missing = score_call(_closing_call("Bye.", ()), generic_scenario(), Rubric(), recording_s=40.0)
    assert missing.dimension(Dimension.COMPLIANCE).score == pytest.approx(100 * 4 / 6, abs=0.1)


UPSET = "I'm at my wits' end, the heating is off again and I've got two little ones at home."
SORRY = "I'm so sorry, that sounds really stressful with the little ones."


def _owed_empathy_call(agent_after: list[tuple[str, tuple[str, ...], EmpathyLevel]]) -> CallRecord:
    """The greeting, a distressed customer turn (words and voice agree), then the agent's replies in
    order, a calm customer line between each: which of them acknowledges the feeling, and when."""
    turns: list[tuple[Speaker, str, float, float, int | None, TurnAnalysis | None]] = [
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet",))),
        (Speaker.CUSTOMER, UPSET, 4.5, 9.0, 80, None),
    ]
    clock = 9.5
    for number, (text, steps, empathy) in enumerate(agent_after, start=2):
        distress = 0.9 if number == 2 else 0.1
        turns.append((Speaker.TRAINEE, text, clock, clock + 3.0, None,
                      _analysis(number, text, steps=steps, empathy=empathy, distress=distress)))
        turns.append((Speaker.CUSTOMER, "Okay.", clock + 3.5, clock + 4.0, 20, None))
        clock += 5.0
    return _record(turns[:-1])


DETAILS = ("Can I take the account number?", ("verify_identity",), EmpathyLevel.NONE)


@pytest.mark.parametrize("late, credit", [(0, 1.0), (1, 0.75), (2, 0.5), (3, 0.25)])
def test_empathy_owed_is_credited_less_the_later_it_comes(late, credit):
    record = _owed_empathy_call([DETAILS] * late + [(SORRY, ("apologise",), EmpathyLevel.STRONG)])
    card = score_call(record, generic_scenario(), Rubric())
    empathy = card.dimension(Dimension.EMPATHY)
    assert empathy.judged_turns == (2,)  # judged once, on the reply right after the customer turn
    assert empathy.score == pytest.approx(100 * EmpathyLevel.STRONG / 2 * credit, abs=0.1)
    owed = next(e for e in empathy.evidence if e.rule == "empathy.needed")
    answered = [e for e in empathy.evidence if e.rule == "empathy.late"]
    if late == 0:
        assert "acknowledged" not in owed.detail and answered == []
    else:
        replies = "reply" if late == 1 else "replies"
        assert f"acknowledged {late} {replies} later, in turn {2 + late} (strong), credited at {100 * credit:.0f}%" \
            in owed.detail
        assert [(e.turn_index, e.weight) for e in answered] == [(2 + late, 0.0)]
        assert f"turn 2 left unanswered, {late} {replies} late" in answered[0].detail
        assert card.turns[1 + late].empathy is None  # the late reply is not a judged turn of its own


def test_empathy_four_replies_late_is_not_credited():
    record = _owed_empathy_call([DETAILS] * 4 + [(SORRY, ("apologise",), EmpathyLevel.STRONG)])
    empathy = score_call(record, generic_scenario(), Rubric()).dimension(Dimension.EMPATHY)
    assert empathy.score == 0.0
    owed = next(e for e in empathy.evidence if e.rule == "empathy.needed")
    assert "not acknowledged in the 3 replies after it either" in owed.detail
    assert not any(e.rule == "empathy.late" for e in empathy.evidence)


def test_sympathy_after_the_agent_moved_on_to_the_fix_does_not_pay_the_debt():
    fix = ("I've booked an engineer for tomorrow.", ("explain_next_steps",), EmpathyLevel.NONE)
    record = _owed_empathy_call([DETAILS, fix, (SORRY, ("apologise",), EmpathyLevel.STRONG)])
    empathy = score_call(record, generic_scenario(), Rubric()).dimension(Dimension.EMPATHY)
    assert empathy.score == 0.0
    owed = next(e for e in empathy.evidence if e.rule == "empathy.needed")
    assert "turn 3 moved on to the resolution" in owed.detail


def test_sympathy_in_the_reply_that_moves_on_still_counts():
    fix_with_sorry = ("I'm so sorry about that. I've booked an engineer for tomorrow.",
                      ("apologise", "explain_next_steps"), EmpathyLevel.STRONG)
    record = _owed_empathy_call([DETAILS, fix_with_sorry])
    empathy = score_call(record, generic_scenario(), Rubric()).dimension(Dimension.EMPATHY)
    assert empathy.score == pytest.approx(100 * EmpathyLevel.STRONG / 2 * 0.75, abs=0.1)


def test_a_call_that_ends_before_the_feeling_is_acknowledged_says_so():
    record = _owed_empathy_call([DETAILS, DETAILS])
    empathy = score_call(record, generic_scenario(), Rubric()).dimension(Dimension.EMPATHY)
    assert empathy.score == 0.0
    owed = next(e for e in empathy.evidence if e.rule == "empathy.needed")
    assert "not acknowledged later either, before the call ended" in owed.detail


def test_practice_calls_still_want_empathy_in_the_reply_right_after():
    """A simulated customer reacts turn by turn, and the tips teach "in your first reply": a late
    apology on a practice call is not credited to the reply that owed it."""
    late = _owed_empathy_call([DETAILS, (SORRY, ("apologise",), EmpathyLevel.STRONG)])
    practice = replace(late, header=replace(late.header, mode=CallMode.TEXT))
    card = score_call(practice, generic_scenario(), Rubric())
    assert card.turns[1].empathy == 0.0
    assert not any(e.rule == "empathy.late" for e in card.dimension(Dimension.EMPATHY).evidence)


@pytest.mark.parametrize("confidence, penalised", [(0.6, False), (0.95, True)])
def test_a_cold_reading_too_unsure_to_be_a_forbidden_move_costs_no_empathy_either(confidence, penalised):
    """Library scoring drops forbidden findings under SURE_FORBIDDEN; the same reading must not still
    cost the business turn its empathy points."""
    business = "Oil light."
    cold = _analysis(2, business)
    cold = replace(cold, empathy=EmpathyJudgement(EmpathyLevel.NONE, 0.0, (
        Evidence("empathy.dismissive", business, "rude or sarcastic", weight=-confidence),)))
    record = _record([
        (Speaker.TRAINEE, GREETING, 0.0, 4.0, None, _analysis(1, GREETING, steps=("greet", "identify_self"))),
        (Speaker.CUSTOMER, "The light on my dash came on.", 4.5, 7.0, 10, None),
        (Speaker.TRAINEE, business, 7.5, 8.5, None, cold),
    ])
    empathy = score_call(record, generic_scenario(), Rubric()).dimension(Dimension.EMPATHY)
    costs = [e for e in empathy.evidence if e.rule == "empathy.dismissive" and e.weight < 0]
    assert bool(costs) == penalised
