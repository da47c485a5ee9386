"""The installed ``callsim`` in a real terminal (tmux): sign in, take a typed call, read the scorecard."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from simulator.record import read_call

CALLSIM = Path(sys.executable).parent / "callsim"


class Tmux:
    def __init__(self, socket: str):
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", os.devnull, *args], check=True, capture_output=True,
                              text=True, timeout=20).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "app", "-l", text)

    def cursor_row(self) -> int:
        """The terminal cursor's row: Textual keeps it on the focused input even while hidden."""
        return int(self.run("display-message", "-p", "-t", "app", "#{cursor_y}").strip())

    def wait_until(self, condition, what: str, timeout_s: float = 60) -> str:
        """The screen once ``condition(screen)`` holds (the terminal redraws in pieces)."""
        deadline = time.monotonic() + timeout_s
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {timeout_s:.0f} s; the screen shows:\n{screen}")
            time.sleep(0.2)

    def wait_for(self, *texts: str, timeout_s: float = 60) -> str:
        """The screen once every one of ``texts`` is on it."""
        return self.wait_until(lambda screen: all(text in screen for text in texts),
                               f"{texts!r} all appearing", timeout_s)

    def wait_for_focus(self, text: str, timeout_s: float = 60) -> None:
        """Until the input showing ``text`` has the focus: keys typed before then go elsewhere."""
        def focused(screen: str) -> bool:
            return any(text in line and row == self.cursor_row() for row, line in enumerate(screen.splitlines()))

        self.wait_until(focused, f"focus moving to the box showing {text!r}", timeout_s)


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: apt-get install tmux")
    session = Tmux(f"callsim-test-{uuid.uuid4().hex[:8]}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True, timeout=20)


def start_callsim(tmux: Tmux, tmp_path: Path, home: Path, size: tuple[int, int]) -> Path:
    assert CALLSIM.is_file(), f"{CALLSIM} is missing: pip install -e ."
    data = tmp_path / "terminal-data"
    env = {"CALLSIM_DATA_DIR": str(data), "CALLSIM_HOME": str(home), "CALLSIM_ANALYSER": "lexical",
           "CALLSIM_CONFIG": str(tmp_path / "none.toml"), "CALLSIM_INPUT_DEVICE": "no-such-microphone",
           "TERM": "xterm-256color"}
    command = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + f" {shlex.quote(str(CALLSIM))}"
    # The app sees the machine's own sound devices, not a test device another test set up.
    tmux.run("new-session", "-d", "-s", "app", "-x", str(size[0]), "-y", str(size[1]),
             f"env -u ALSA_CONFIG_PATH -u PULSE_SERVER {command}; sleep 30")
    return data


def test_installed_callsim_takes_a_typed_call_in_a_real_terminal(tmux, tmp_path, fixed_home):
    data = start_callsim(tmux, tmp_path, fixed_home, (100, 30))

    assert tmux.run("display-message", "-p", "-t", "app", "#{window_width}x#{window_height}").strip() == "100x30"
    tmux.wait_for("Who is at the headset?")
    tmux.type("Tess Terminal")
    tmux.keys("Enter")  # Enter moves to the team box
    tmux.wait_for_focus("team (optional)")
    tmux.type("Night shift")
    tmux.keys("Enter")
    # the picker and the trainee's history load behind the sign-in: slow on a busy machine
    tmux.wait_for("Charged twice for the same month", "Tess Terminal", "Best", "★★☆☆☆", "f4 Mode", timeout_s=180)


    tmux.keys("Enter")
    tmux.wait_for("Margaret Hughes:", "no microphone: typing mode", "Hang up")
    tmux.type("Thank you for calling, my name is Tess, I'm so sorry you've been charged twice.")
    tmux.keys("Enter")
    tmux.wait_for("You: Thank you for calling", "steps: greet")  # the analysed turn, with its notes

    tmux.keys("C-e")  # hang up
    tmux.wait_for("Overall", "Pass mark", "compliance", "Tips", "fail")  # one reply cannot pass this call

    tmux.keys("C-q")
    tmux.wait_until(lambda screen: "Overall" not in screen, "the app quitting on Ctrl+Q", timeout_s=20)

    calls = list((data / "calls").glob("*/call.jsonl"))
    assert len(calls) == 1
    record = read_call(calls[0])
    assert record.header.trainee == "Tess Terminal" and len(record.trainee_turns) == 1


def test_the_device_check_over_the_scenario_list_in_a_small_terminal(tmux, tmp_path, fixed_home):
    start_callsim(tmux, tmp_path, fixed_home, (80, 24))
    tmux.wait_for("Who is at the headset?")
    tmux.type("Tess Terminal")
    tmux.keys("Enter")
    tmux.wait_for_focus("team (optional)")
    tmux.keys("Enter")
    tmux.wait_for("Customer:", "f4 Mode")  # the picker's preview, low on the screen at 80x24
    tmux.keys("F3")  # the device check: a banner appears once the devices are listed, if there are none
    tmux.wait_for("Speaker / headset", "f5 Rescan")
    # The sign-in notification lasts 2 s; once it has gone, nothing of the picker may be left.
    screen = tmux.wait_until(lambda screen: "Signed in as" not in screen, "the sign-in notification clearing",
                             timeout_s=30)
    assert "Customer:" not in screen, f"cells were left on screen:\n{screen}"
