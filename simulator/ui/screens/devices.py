"""Device check: pick the microphone and speaker, watch the input level, hear a test sound."""

from __future__ import annotations

import threading

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Select

from simulator.lazy import MissingPackage
from simulator.ui.device_probe import DeviceChoice, DeviceProblem, list_choices, play_test_sound, watch_input_level
from simulator.ui.host import CallsimHost
from simulator.ui.i18n import localise_screen
from simulator.ui.widgets.banner import Banner
from simulator.ui.widgets.level_meter import LevelMeter


class DevicesScreen(Screen):
    app = getters.app(CallsimHost)
    CSS_PATH = "devices.tcss"
    TITLE = "Device check"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "rescan", "Rescan"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._stop_level = threading.Event()
        self.text = self.app.context.text
        localise_screen(self, self.text)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="banner")
        with Vertical(id="devices-box"):
            yield Label(self.text("Microphone"), classes="heading")
            yield Select([], id="input-device", prompt=self.text("default input"))
            yield LevelMeter(id="input-level", say=self.text)
            yield Label(self.text("Speaker / headset"), classes="heading")
            yield Select([], id="output-device", prompt=self.text("default output"))
            with Horizontal(id="device-buttons"):
                yield Button(self.text("Play test line"), id="test-sound")
                yield Button(self.text("Save"), variant="primary", id="save")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#input-level", LevelMeter).state = "off"
        self.action_rescan()

    def action_rescan(self) -> None:
        self._scan()

    @work(thread=True, exclusive=True, group="devices", exit_on_error=False)
    def _scan(self) -> None:
        try:
            inputs, outputs = list_choices()
        except (DeviceProblem, MissingPackage) as err:
            self.app.call_from_thread(self._problem, self.text("No sound devices: {error}", error=err))
            return
        self.app.call_from_thread(self._fill, inputs, outputs)

    def _problem(self, message: str) -> None:
        self.query_one("#banner", Banner).show(message, "error")

    def _fill(self, inputs: list[DeviceChoice], outputs: list[DeviceChoice]) -> None:
        context = self.app.context
        for selector, choices, current in (("#input-device", inputs, context.input_device),
                                           ("#output-device", outputs, context.output_device)):
            select = self.query_one(selector, Select)
            select.set_options((c.label, c.value) for c in choices)
            if current in {c.value for c in choices}:
                select.value = current
        if not inputs:
            self.query_one("#banner", Banner).show(self.text("no microphone found: calls use typing mode"), "warning")
        else:
            self.query_one("#banner", Banner).clear()
            self._watch_level()

    @on(Select.Changed, "#input-device")
    def _input_changed(self) -> None:
        self._watch_level()

    def _selected(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL else str(value)

    def _watch_level(self) -> None:
        self._stop_level.set()
        self._stop_level = threading.Event()
        self.query_one("#input-level", LevelMeter).state = "live"
        self._level_worker(self._selected("#input-device"), self._stop_level)

    @work(thread=True, group="level", exit_on_error=False)
    def _level_worker(self, device: str | None, stop: threading.Event) -> None:
        meter = self.query_one("#input-level", LevelMeter)
        try:
            watch_input_level(device, lambda db: self.app.call_from_thread(setattr, meter, "level_db", db), stop)
        except (DeviceProblem, MissingPackage) as err:
            if not stop.is_set():
                self.app.call_from_thread(self._problem, str(err))

    @on(Button.Pressed, "#test-sound")
    def _test_sound(self) -> None:
        # nothing picked in the list (the configured device is not among those found): try the configured
        # one, so the message names it instead of "no default output device"
        self._play(self._selected("#output-device") or self.app.context.output_device)

    @work(thread=True, exclusive=True, group="test-sound", exit_on_error=False)
    def _play(self, device: str | None) -> None:
        try:
            settings = self.app.context.settings
            what = play_test_sound(device, settings.voices_dir, settings.tts_engine)
        except (DeviceProblem, MissingPackage) as err:
            self.app.call_from_thread(self._problem, str(err))
            return
        self.app.call_from_thread(self.notify, self.text("Played the {what}.", what=self.text.message(what)), timeout=3)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        chosen_input, chosen_output = self._selected("#input-device"), self._selected("#output-device")
        if chosen_input is None and chosen_output is None:  # a headset unplugged just now: keep the saved choice
            self.notify(self.text("No device is chosen, so the saved devices are kept."), severity="warning",
                        timeout=4)
            return
        self.app.context.roster.remember_devices(chosen_input, chosen_output)
        self.notify(self.text("Devices saved for your next calls."), timeout=3)

    def on_unmount(self) -> None:
        self._stop_level.set()
