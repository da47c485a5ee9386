"""Modes, timers, the command palette, themes and the banners the trainee sees instead of tracebacks."""

from __future__ import annotations

import json
import threading

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Static

from simulator.store import CallKind
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.banner import Banner
from simulator.ui.widgets.hints import HintsPanel
from simulator.ui.widgets.transcript import TranscriptView

from .conftest import REPLIES, results_shown, screen_ready, signed_in_app, wait_for


async def start_picker(pilot):
    await wait_for(pilot, lambda: screen_ready(pilot.app, SignInScreen))
    await pilot.app.push_screen(PickerScreen())
    await wait_for(pilot, lambda: screen_ready(pilot.app, PickerScreen))
    return pilot.app.screen


async def test_exam_mode_hides_the_steps_and_the_coaching_and_is_saved_as_an_exam(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        picker = await start_picker(pilot)
        preview = picker.query_one("#preview", Static)
        await wait_for(pilot, lambda: "Steps to hit" in str(preview.content))
        await pilot.press("f4", "f4")  # practice -> drill -> exam
        assert "Exam mode" in str(preview.content) and "Steps to hit" not in str(preview.content)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        call = app.screen
        assert not call.query_one("#hints", HintsPanel).display
        transcript = call.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        for number, reply in enumerate(REPLIES, start=1):
            call.query_one("#reply", Input).value = reply
            await pilot.press("enter")
            await wait_for(pilot, lambda number=number: results_shown(app) or len(transcript.lines) >= 2 * number + 1)
        await wait_for(pilot, lambda: results_shown(app))
    attempts = app.context.records.store.attempts("Ada Trainee")
    assert [a.kind for a in attempts] == [CallKind.EXAM]


async def test_a_drill_turn_that_runs_out_of_time_is_dead_air(make_app, fixed_home):
    now = [1000.0]
    app = signed_in_app(make_app, clock=lambda: now[0])
    async with app.run_test(size=(100, 32)) as pilot:
        await start_picker(pilot)
        await pilot.press("f4", "enter")  # drill
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        call = app.screen
        transcript = call.query_one("#transcript", TranscriptView)
        await wait_for(pilot, lambda: len(transcript.lines) == 1)
        assert "Turn 00:30" in str(call.query_one("#clock").render())
        now[0] += 12
        await wait_for(pilot, lambda: "Turn 00:18" in str(call.query_one("#clock").render()))
        now[0] += 19  # past the scenario's 30 s turn limit
        await wait_for(pilot, lambda: len(transcript.lines) >= 2)
        assert transcript.lines[1] == "You: (silence)"
        assert call.analyses[0].silence and call.analyses[0].silence_s == 30
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: results_shown(app))
        results = app.screen
        await pilot.press("4")  # how useful was the call
        assert results.rating == 4
        await pilot.press("r")  # retry: a new call, same scenario and mode
        await wait_for(pilot, lambda: screen_ready(app, CallScreen) and app.screen is not call)
        assert app.screen.mode is call.mode and app.screen.loaded is call.loaded
        await pilot.press("ctrl+e")  # at once: before the new call has connected
        await wait_for(pilot, lambda: results_shown(app))
    store = app.context.records.store
    assert [r.stars for r in store.ratings("Ada Trainee")] == [4]
    assert [a.kind for a in store.attempts("Ada Trainee")] == [CallKind.DRILL, CallKind.DRILL]


async def test_without_a_store_the_app_says_so_and_keeps_working(make_app, fixed_home, monkeypatch):
    monkeypatch.setenv("CALLSIM_DATABASE_URL", "postgresql+psycopg://nobody:wrong@127.0.0.1:9/none")
    app = make_app()
    assert app.context.records_problem and "training store unavailable" in str(app.context.records_problem)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        banner = app.screen.query_one("#banner", Banner)
        assert banner.message.startswith("training store unavailable")
        app.screen.query_one("#name", Input).value = "Nora Nostore"
        await pilot.click("#sign-in")
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        level = str(app.screen.query_one("#level", Static).content)
        assert "star levels need the training store" in level


async def test_a_bad_scenario_file_is_a_banner_with_its_line(make_app, fixed_home):
    (fixed_home / "scenarios" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        picker = await start_picker(pilot)
        await wait_for(pilot, lambda: picker.query_one("#banner", Banner).message != "")
        assert picker.query_one("#banner", Banner).message.startswith("Bad scenario file: scenarios/broken.yaml:3:")
        await pilot.press(*"broken", "enter")  # picking it explains instead of starting a call
        await wait_for(pilot, lambda: any("broken.yaml:3" in n.message for n in app._notifications))
        assert app.screen is picker


async def test_a_copy_of_a_scenario_with_the_same_id_is_flagged_not_a_crash(make_app, fixed_home):
    """A trainer's copy made to edit (same id) and a broken file named like a good id each gave the picker's
    table a duplicate row key, and the app closed."""
    scenarios = fixed_home / "scenarios"
    (scenarios / "billing-overcharge-copy.yaml").write_text(
        (scenarios / "billing-overcharge.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (scenarios / "billing-overcharge.yml").write_text("id: [oops\n", encoding="utf-8")
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        picker = await start_picker(pilot)
        await wait_for(pilot, lambda: picker.query_one("#banner", Banner).message != "")
        assert app.is_running and len(picker._shown) == 3
        flagged = [e for e in picker._shown if e.loaded is None]
        assert {e.path.name for e in flagged} == {"billing-overcharge-copy.yaml", "billing-overcharge.yml"}
        assert "already used by billing-overcharge.yaml" in next(
            e.first_problem for e in flagged if e.path.name == "billing-overcharge-copy.yaml")


async def test_reloading_scenarios_reads_them_off_the_ui_thread_and_shows_the_new_file(make_app, fixed_home):
    """F5 parsed and linted every file on the UI thread (about a second for 150), freezing the app."""
    scenarios = fixed_home / "scenarios"
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        picker = await start_picker(pilot)
        shown_before = len(picker._shown)
        copy = (scenarios / "billing-overcharge.yaml").read_text(encoding="utf-8")
        (scenarios / "billing-overcharge-2.yaml").write_text(
            copy.replace("id: billing-overcharge\n", "id: billing-overcharge-2\n", 1), encoding="utf-8")
        reading, release = threading.Event(), threading.Event()
        read_catalog = app.context.read_catalog

        def slow_read():
            reading.set()
            release.wait(10)
            return read_catalog()

        app.context.read_catalog = slow_read
        await pilot.press("f5")
        await wait_for(pilot, reading.is_set)
        await pilot.press(*"zzz")  # the app answers keys while the files are read
        await wait_for(pilot, lambda: picker.query_one("#filter", Input).value == "zzz")
        await pilot.press("backspace", "backspace", "backspace")
        release.set()
        await wait_for(pilot, lambda: len(picker._shown) == shown_before + 1)
        assert "billing-overcharge-2" in {e.scenario_id for e in picker._shown}
        assert any(f"{shown_before + 1} scenarios loaded" in n.message for n in app._notifications)


async def test_a_scenarios_folder_that_cannot_be_read_on_reload_is_said_and_the_list_kept(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        picker = await start_picker(pilot)
        shown_before = len(picker._shown)

        def unreadable():
            raise PermissionError(13, "Permission denied")

        app.context.read_catalog = unreadable
        await pilot.press("f5")
        await wait_for(pilot, lambda: any("Cannot read the scenarios folder" in n.message for n in app._notifications))
        assert app.is_running and len(picker._shown) == shown_before


@pytest.mark.parametrize("action", ["open_picker", "open_sign_in", "open_history", "open_devices"])
async def test_no_screen_opens_over_a_call_in_progress(make_app, fixed_home, action):
    """A screen opened from the palette during a call was replaced by the call's results when it ended,
    leaving the trainee on the dead call screen (or showing one trainee another's results)."""
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        picker = await start_picker(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, CallScreen))
        stack = list(app.screen_stack)
        await app.run_action(action)
        await pilot.pause(0.1)
        assert list(app.screen_stack) == stack and picker in stack
        assert any("Finish the call first" in n.message for n in app._notifications)


async def test_theme_toggle_and_command_palette(make_app, fixed_home):
    app = signed_in_app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_picker(pilot)
        dark = app.current_theme.dark
        await pilot.press("f9")
        assert app.current_theme.dark is not dark
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen_ready(app, CommandPalette))
        await pilot.press(*"history")
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.highlighted is not None
                       and "History" in str(commands.get_option_at_index(commands.highlighted).prompt))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))


async def test_a_damaged_roster_file_is_kept_aside_not_fatal(make_app, fixed_home, data_dir):
    (data_dir / "ui").mkdir(parents=True)
    (data_dir / "ui" / "roster.json").write_text('{"trainees": [{"nam', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        assert "roster.json was damaged" in app.screen.query_one("#banner", Banner).message
        app.screen.query_one("#name", Input).value = "Dana Damaged"
        await pilot.click("#sign-in")
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
    assert (data_dir / "ui" / "roster.json.damaged").read_text(encoding="utf-8") == '{"trainees": [{"nam'
    assert '"last": "Dana Damaged"' in (data_dir / "ui" / "roster.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("roster", [{"trainees": [{"name": "Ada", "team": "Blue"}], "last": 5},
                                    {"trainees": [{"name": "Ada", "team": 7}], "last": "Ada"}])
async def test_a_roster_of_the_wrong_types_is_kept_aside_like_a_damaged_one(make_app, fixed_home, data_dir, roster):
    """Valid JSON with a number where a name goes crashed sign-in, on every start (the file stayed)."""
    (data_dir / "ui").mkdir(parents=True)
    (data_dir / "ui" / "roster.json").write_text(json.dumps(roster), encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        assert "roster.json was damaged" in app.screen.query_one("#banner", Banner).message
    assert (data_dir / "ui" / "roster.json.damaged").is_file()


async def test_a_call_left_open_by_a_crash_is_kept_and_announced_at_start(make_app, fixed_home, data_dir, tmp_path):
    import subprocess
    import sys

    import sqlalchemy as sa

    from simulator.config import load_settings
    from simulator.contracts import Speaker
    from simulator.record import CallHeader, CallRecorder, TurnRecord, now_iso
    from simulator.store import CallStatus, models, open_store
    from simulator.store.sql import HOST

    recorder = CallRecorder(tmp_path / "crashed", CallHeader("billing-overcharge", "0" * 64, 0, "text", "lexical",
                                                             now_iso(), trainee="Ada Trainee"))
    with open_store(settings=load_settings()) as store:
        call_id = store.begin_call(recorder.header, recorder.folder, trainee="Ada Trainee")
        store.add_turn(call_id, recorder.add(TurnRecord(0, Speaker.CUSTOMER, "Hello?")))
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        with store.engine.begin() as conn:  # written by a process that has since died
            conn.execute(sa.update(models.calls).values(pid=int(dead.stdout), host=HOST))
    recorder.close()
    app = make_app()
    assert app.context.recovery_notice and "kept 1 call" in str(app.context.recovery_notice)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        assert app.screen.query_one("#banner", Banner).message.startswith("kept 1 call")
    with open_store(settings=load_settings()) as store:
        assert store.get_call(call_id).attempt.status == CallStatus.UNFINISHED


@pytest.mark.parametrize("size", [(8, 4), (1, 1)])
async def test_history_survives_a_terminal_a_few_columns_wide(make_app, fixed_home, size):
    """At 8 columns or fewer the reviewed-calls list had no content width and closed the app."""
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        await pilot.resize_terminal(*size)
        await pilot.pause(0.3)
        assert app.is_running and isinstance(app.screen, HistoryScreen)


async def test_history_best_is_the_best_passed_call(make_app, fixed_home):
    """A failed call is never a best: the trend labels name the highest passed score, or none yet."""
    from simulator.call.text_io import ScriptedReplies, SilentVoice, parse_reply
    from simulator.call.textcall import new_call_folder, run_call

    app = signed_in_app(make_app)
    loaded = app.context.catalog.find("billing-overcharge").loaded
    folder = new_call_folder(app.context.recordings_dir, loaded.scenario.id)
    keeper = app.context.records.keeper(folder, app.context.trainee, "training")
    finished = run_call(loaded, app.context.analyser(loaded.scenario), SilentVoice(),
                        ScriptedReplies(parse_reply(r) for r in REPLIES[:2]), folder,
                        trainee_name="Ada Trainee", on_event=keeper.on_event)
    keeper.finish(finished)
    assert not finished.scorecard.passed and finished.scorecard.overall > 0
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await app.push_screen(HistoryScreen())
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        label = str(app.screen.query_one("#label-overall", Static).content)
        assert f"last {finished.scorecard.overall:3.0f}" in label
        assert "best passed   -" in label and f"best {finished.scorecard.overall:3.0f}" not in label


async def open_device_check(pilot):
    """The device check opened from the sign-in screen, as the palette opens it."""
    from simulator.ui.screens.devices import DevicesScreen

    await wait_for(pilot, lambda: screen_ready(pilot.app, SignInScreen))
    await pilot.app.run_action("open_devices")
    await wait_for(pilot, lambda: screen_ready(pilot.app, DevicesScreen))
    return pilot.app.screen


async def test_saving_devices_with_none_found_keeps_the_saved_choice(make_app, fixed_home, data_dir):
    """With the headset unplugged, Save erased the saved devices and said "Devices saved"."""
    from simulator.ui.roster import Roster

    roster = Roster(data_dir / "ui")
    roster.sign_in("Ada Trainee", "Blue")
    roster.remember_devices("USB Headset", "USB Headset")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_device_check(pilot)
        # the saved headset is not among the devices found (none on a machine without a sound card)
        assert screen._selected("#input-device") is None and screen._selected("#output-device") is None
        await pilot.click("#save")
        await wait_for(pilot, lambda: any("saved devices are kept" in n.message for n in app._notifications))
    assert Roster(data_dir / "ui").devices == {"input": "USB Headset", "output": "USB Headset"}


async def test_a_data_folder_that_cannot_hold_the_trainee_list_says_what_to_do(make_app, fixed_home, data_dir):
    """"Cannot sign in: [Errno 21] Is a directory: ..." named the error, not the remedy."""
    (data_dir / "ui" / "roster.json").mkdir(parents=True)  # something in the way of the trainee list
    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        app.screen.query_one("#name", Input).value = "Ada Trainee"
        await pilot.click("#sign-in")
        await pilot.pause(0.2)
        shown = str(app.screen.query_one("#signin-error").render())
        assert isinstance(app.screen, SignInScreen) and "data_dir (CALLSIM_DATA_DIR)" in shown, shown


async def test_enters_typed_ahead_are_not_sent_as_silences(make_app, fixed_home):
    """Five quick Enters on the picker started the call and sent four empty replies as dead air."""
    app = signed_in_app(make_app)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_picker(pilot)
        await pilot.press(*["enter"] * 5)
        await pilot.pause(1)
        assert isinstance(app.screen, CallScreen) and app.screen.analyses == []
        assert any("Type a reply first" in n.message for n in app._notifications)


async def test_the_test_sound_tries_the_configured_speaker_when_none_is_picked(make_app, fixed_home, monkeypatch):
    """It tried the default device and said "there is no default output device", not the one configured."""
    monkeypatch.setenv("CALLSIM_OUTPUT_DEVICE", "no-such-speaker")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_device_check(pilot)
        assert screen._selected("#output-device") is None  # no device of that name is found
        await pilot.click("#test-sound")
        banner = app.screen.query_one("#banner", Banner)
        await wait_for(pilot, lambda: "no-such-speaker" in banner.message, 30)
