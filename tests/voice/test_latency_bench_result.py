"""The latency benchmark reads the probe's result: the app ending the call after answering the last
reply is the call's ending, not an error; an exit before that, or a failed one, still is."""

from __future__ import annotations

from simulator.commands.latency_bench import without_the_calls_own_end


def probe_result(latencies: list[float | None], errors: list[str]) -> dict:
    return {"turns": len(latencies), "latencies_s": [x for x in latencies if x is not None], "errors": errors}


def test_the_app_ending_the_call_after_the_last_answer_is_not_an_error():
    kept = without_the_calls_own_end(probe_result([0.5, 0.4, 0.6, 0.5], ["turn 4: app exited (0)"]), replies=4)
    assert kept["errors"] == [] and kept["app_ended_the_call"] is True
    assert kept["latencies_s"] == [0.5, 0.4, 0.6, 0.5]


def test_an_exit_before_the_last_reply_or_a_failed_exit_stays_an_error():
    early = probe_result([0.5, 0.4], ["turn 2: app exited (0)"])
    assert without_the_calls_own_end(early, replies=4)["errors"] == ["turn 2: app exited (0)"]
    crashed = probe_result([0.5, 0.4, 0.6, 0.5], ["turn 4: app exited (1)"])
    assert without_the_calls_own_end(crashed, replies=4)["errors"] == ["turn 4: app exited (1)"]
    unanswered = probe_result([0.5, 0.4, 0.6, None], ["turn 4: no answer within 8s", "turn 4: app exited (0)"])
    assert without_the_calls_own_end(unanswered, replies=4)["errors"] == unanswered["errors"]
