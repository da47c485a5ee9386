"""The device check on the ALSA file device: real PortAudio devices, input level, a spoken test line."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Select

from simulator.audio.clip import CALL_RATE
from simulator.ui.roster import Roster
from simulator.ui.screens.devices import DevicesScreen
from simulator.ui.screens.signin import SignInScreen
from simulator.ui.widgets.level_meter import LevelMeter

from .conftest import screen_ready, wait_for

pytestmark = pytest.mark.audio


async def open_devices(pilot):
    await wait_for(pilot, lambda: screen_ready(pilot.app, SignInScreen))
    await pilot.press("f3")
    await wait_for(pilot, lambda: screen_ready(pilot.app, DevicesScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: len(screen.query_one("#output-device", Select)._options) > 1)
    return screen


async def test_device_check_lists_devices_shows_the_level_and_speaks_a_test_line(make_app, file_device, data_dir):
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(30 * CALL_RATE) / CALL_RATE)  # read unclocked: keep it long
    file_device.set_capture(tone)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_devices(pilot)
        inputs = screen.query_one("#input-device", Select)
        assert "simfile" in {value for _label, value in inputs._options}
        inputs.value = "default"
        meter = screen.query_one("#input-level", LevelMeter)
        # A 0.5-amplitude sine is -9 dBFS RMS; the meter shows what the device delivers.
        await wait_for(pilot, lambda: -10 < meter.level_db < -8)

        screen.query_one("#output-device", Select).value = "default"
        file_device.playback.unlink(missing_ok=True)
        await pilot.click("#test-sound")
        await wait_for(pilot, lambda: any("Played the test line" in n.message for n in app._notifications), 60)
        played = file_device.played()
        assert len(played) > CALL_RATE and np.sqrt(np.mean(played ** 2)) > 0.01  # a second or more of speech

        await pilot.click("#save")
        await wait_for(pilot, lambda: Roster(data_dir / "ui").devices == {"input": "default", "output": "default"})
    file_device.set_capture(np.zeros(CALL_RATE, np.float32))


def test_device_check_snapshot(snap_compare, make_app, file_device, fixed_home):
    file_device.set_capture(np.zeros(CALL_RATE, np.float32))

    async def ready(pilot):
        screen = await open_devices(pilot)
        meter = screen.query_one("#input-level", LevelMeter)
        await wait_for(pilot, lambda: meter.level_db <= -60)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)
