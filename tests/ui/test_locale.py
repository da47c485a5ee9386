"""The app in Chinese (``--lang zh``): every catalogue has exactly the English ids the code uses, and
every screen, run with Textual's Pilot at 80x24, shows no English label of its own and looks up no
id the catalogue lacks.  Wide characters must lay out: every row is 80 cells, and every column
heading of every table is on the screen whole.

The scorer's evidence details, tips and fail reasons are not the app's words: they are written in the
scenario's language (``simulator/scoring/wording``), so a Mandarin call's results show them in Chinese
whatever the app's language.  What stays English is named in docs/app.md."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from importlib import resources

import pytest
from rich.cells import cell_len
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets._footer import FooterKey

from simulator.store.coaching import TargetKind
from simulator.ui.commands import ENTRIES
from simulator.ui.i18n import ENGLISH, Catalogue, available_languages, load_catalogue
from simulator.ui.screens.assigned import AssignedScreen
from simulator.ui.screens.call import CallScreen
from simulator.ui.screens.devices import DevicesScreen
from simulator.ui.screens.history import HistoryScreen
from simulator.ui.screens.honours import HonoursScreen
from simulator.ui.screens.mentor import MentorScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.review import ReviewScreen
from simulator.ui.screens.signin import SignInScreen

from .conftest import CHINESE_SCENARIO, results_shown, screen_ready, signed_in_app, wait_for
from .locale_keys import english_message_ids

SIZE = (80, 24)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」")  # what was said, a step as the scenario writes it

# The app's own English words that must not be left on a screen in Chinese: headings, column
# titles, footer keys, states and verdicts (whole words, case-sensitive, so that a scenario id such as
# "zh-parcel-lost" cannot match by accident; the lower-case dimension names were once in the scorer's
# English fail reasons, so the results table is checked cell by cell).
ENGLISH_LABELS = (
    "Scenarios", "Scenario", "Level", "Tags", "Best", "Tries", "Mode", "History", "Devices", "Reload",
    "Switch trainee", "Quit", "Hang up", "Mute", "Type instead", "Cards", "Transcript", "Coaching", "Mood",
    "Mic", "Results", "Dimension", "Score", "Pass mark", "Result", "Evidence", "Turns", "Tips", "Retry",
    "Play turn", "Rate", "PASSED", "NOT PASSED", "Overall", "outcome", "Weakest steps", "Star level",
    "Scores over time", "Honours", "Back", "Device check", "Microphone", "Speaker", "Play test line", "Save",
    "Rescan", "Assignments", "Cases to study", "Mentor feedback", "Status", "Practise", "Target", "Due",
    "Note", "Mentor view", "Apprentice", "Verdict", "Feedback", "Review", "Sign off", "Machine", "Customer",
    "Trainee", "palette", "Knowledge cards", "You hung up",
)


@dataclass(frozen=True)
class RecordingCatalogue(Catalogue):
    """The Chinese catalogue, noting every id asked for that it does not have."""

    missed: set[str] = field(default_factory=set)

    def __call__(self, message: str, /, **values) -> str:
        if message not in self.messages:
            self.missed.add(message)
        return super().__call__(message, **values)


def catalogue_file(language: str) -> dict[str, str]:
    return json.loads(resources.files("simulator.ui.locale").joinpath(f"{language}.json").read_text("utf-8"))


@pytest.mark.parametrize("language", [lang for lang in available_languages() if lang != ENGLISH])
def test_each_catalogue_has_exactly_the_english_ids_with_their_placeholders(language):
    english = english_message_ids()
    translated = catalogue_file(language)
    assert sorted(english - set(translated)) == [], "ids the code uses that the catalogue lacks"
    assert sorted(set(translated) - english) == [], "ids in the catalogue that the code no longer uses"
    for message, translation in translated.items():
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(message)), message
        assert translation.strip() or not message.strip(), message
        if language == "zh":
            assert CHINESE.search(translation), f"{message!r} is not translated: {translation!r}"


def test_the_key_check_sees_ids_chosen_at_run_time():
    """The ids only looked up later (a mood word, a dimension, a footer key) are found too."""
    english = english_message_ids()
    for message in ("furious", "compliance", "Hang up", "Results", "typing mode", "Rate 1-5", "angrier",
                    "training store unavailable: {error}", "palette"):
        assert message in english


def scenario_words(scenario) -> set[str]:
    """The Latin words of a scenario's step and phrase ids, which the scorecard names steps by."""
    ids = [s.id for s in scenario.script] + [f.id for f in scenario.forbidden]
    return {word for name in ids for word in re.findall(r"[A-Za-z]+", name)}


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    assert all(strip.cell_length == SIZE[0] for strip in strips), [strip.cell_length for strip in strips]
    return "\n".join(strip.text for strip in strips)


def english_left(text: str) -> list[str]:
    return [label for label in ENGLISH_LABELS if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text)]


async def check_screen(pilot, app, screen_type: type) -> str:
    """The screen in Chinese at 80x24: rows 80 cells, no English label, every table heading whole.

    Checked once the footer shows the screen's keys: Textual's Footer lays them out a moment after
    the screen is mounted, which a slow machine can see as an empty footer."""
    palette = app.context.text("palette")
    await wait_for(pilot, lambda: screen_ready(app, screen_type)
                   and palette in [key.description for key in app.screen.query(FooterKey)])
    text = screen_text(app)
    assert english_left(text) == [], f"{screen_type.__name__} shows English:\n{text}"
    assert not re.search(r"(^|[│▊ ])•\s*([│▎]|$)", text, re.M), f"a bullet left alone on its row:\n{text}"
    # The screen's own keys and the palette key must be whole in the footer; the app-wide keys after
    # them (quit, light/dark) may run off an 80-column footer, in English as in Chinese.
    footer = text.splitlines()[-1]
    shown = [key.description for key in app.screen.query(FooterKey)]
    own = [binding.description for _, binding in app.screen._bindings if binding.show]
    for description in [*(d for d in own if d in shown), palette]:  # (a key off for now is not shown)
        assert description in footer, f"footer key {description!r} cut off:\n{text}"
    for table in app.screen.query(DataTable):
        for column in table.columns.values():
            label = column.label.plain
            assert CHINESE.search(label), label
            assert column.get_render_width(table) >= cell_len(label) + 2 * table.cell_padding
            assert label in text, f"{screen_type.__name__}: column {label!r} cut off:\n{text}"
    return text


@pytest.fixture
def chinese_only_home(chinese_home, data_dir):
    """Only the Mandarin scenario, so that any English left on a screen is the app's."""
    (chinese_home / "scenarios" / "billing-overcharge.yaml").unlink()
    return chinese_home


def mentor_and_apprentice(store, results: ResultsScreen) -> None:
    """陈静 has a mentor (an assignment, feedback on her call) and an apprentice (an overdue assignment,
    a call), so the Coaching and Mentor tables have rows to lay out."""
    apprentice_call = replace(results.finished.record, folder=None)  # a call of his own, not hers re-filed
    store.save_call(apprentice_call, results.finished.scorecard, trainee="李强", team="一组")
    store.pair("陈静", "李强")
    store.assign("陈静", "李强", TargetKind.SCENARIO, CHINESE_SCENARIO, target_score=80,
                 due_at="2020-01-31T23:59:59.999+00:00")
    store.pair("王老师", "陈静")
    store.assign("王老师", "陈静", TargetKind.SCENARIO, CHINESE_SCENARIO, target_score=80,
                 due_at="2099-06-30T23:59:59.999+00:00", note="先核对订单号")
    store.leave_feedback("王老师", "开场很好，记得先安抚客户情绪。", call_id=results.call_id)


async def test_every_screen_in_chinese_at_80x24(make_app, chinese_only_home):
    app = signed_in_app(make_app, "陈静", "一组")
    said = RecordingCatalogue("zh", load_catalogue("zh").messages)
    app.context.text = said
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_ready(app, SignInScreen))
        await check_screen(pilot, app, SignInScreen)
        await app.push_screen(PickerScreen())
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))
        await check_screen(pilot, app, PickerScreen)
        await pilot.press("ctrl+p")  # the palette: our entries and Textual's own commands
        await wait_for(pilot, lambda: screen_ready(app, CommandPalette))
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count >= len(ENTRIES) + 4)  # ours and Textual's
        listed = "\n".join(str(commands.get_option_at_index(n).prompt) for n in range(commands.option_count))
        palette = screen_text(app)
        assert "主题" in listed and "选择一个场景开始通话" in listed and "搜索命令" in palette, listed
        for text in (listed, palette):
            assert english_left(text) == [] and not re.search(r"Theme|Keys|Screenshot|Search for", text), text
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_ready(app, PickerScreen))

        await pilot.press("enter")  # the filter box: the only scenario
        await wait_for(pilot, lambda: screen_ready(app, CallScreen) and app.screen.io is not None)
        reply = app.screen.query_one("#reply", Input)
        for line in ("您好，很高兴为您服务，请问有什么可以帮您？", "给老人买的东西没收到，您一定很着急，非常理解"):
            turns = len(app.screen.analyses)
            reply.value = line
            await pilot.press("enter")
            await wait_for(pilot, lambda n=turns: len(app.screen.analyses) > n)
        await pilot.press("f8")  # the knowledge cards beside the transcript
        await pilot.pause()
        await check_screen(pilot, app, CallScreen)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: results_shown(app))
        results = app.screen
        text = await check_screen(pilot, app, ResultsScreen)
        assert "评分卡" in text
        dimensions = results.query_one("#dimensions", DataTable)
        assert [str(dimensions.get_row_at(n)[0]) for n in range(dimensions.row_count)] == ["同理心", "话术合规", "语气"]
        scorer_words = [str(results.query_one("#summary", Static).content),
                        str(results.query_one("#tips", Static).content),
                        *(str(option.prompt) for option in results.query_one("#evidence", OptionList).options)]
        card = results.finished.scorecard
        assert card.tips and card.fail_reasons  # two replies and no close: tips, and why it did not pass
        assert any("总分" in text and "低于合格线" in text for text in scorer_words)  # a fail reason
        assert all(any(tip in text for text in scorer_words) for tip in card.tips)
        for text in scorer_words:  # the scorer's words are Chinese too; only quotes and ids in Latin letters
            assert not [word for word in re.findall(r"[A-Za-z]{3,}", QUOTED.sub("", text))
                        if word not in scenario_words(results.loaded.scenario)], text

        await pilot.press("f2")
        await wait_for(pilot, lambda: screen_ready(app, HistoryScreen))
        await check_screen(pilot, app, HistoryScreen)
        await pilot.press("h")
        await wait_for(pilot, lambda: screen_ready(app, HonoursScreen))
        await check_screen(pilot, app, HonoursScreen)

        await app.push_screen(DevicesScreen())
        await wait_for(pilot, lambda: screen_ready(app, DevicesScreen))
        # the listing, not every worker: with a microphone present the level meter's worker runs until the screen goes
        await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "devices" and not w.is_finished])
        await pilot.pause()
        await check_screen(pilot, app, DevicesScreen)

        mentor_and_apprentice(app.context.store, results)
        await app.push_screen(AssignedScreen())
        await wait_for(pilot, lambda: screen_ready(app, AssignedScreen) and app.screen.work is not None)
        assert app.screen.query_one("#assignments", DataTable).row_count == 1
        await check_screen(pilot, app, AssignedScreen)
        await app.push_screen(MentorScreen())
        await wait_for(pilot, lambda: screen_ready(app, MentorScreen) and app.screen.view is not None)
        assert app.screen.query_one("#work", DataTable).row_count == 1
        await check_screen(pilot, app, MentorScreen)
        app.open_review(results.call_id, "王老师")
        await wait_for(pilot, lambda: screen_ready(app, ReviewScreen) and app.screen.view is not None)
        await check_screen(pilot, app, ReviewScreen)
    assert said.missed == set(), "ids looked up that zh.json lacks"
