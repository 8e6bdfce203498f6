import threading
import time

import numpy as np
import pytest

from desktop_app.voice import output as output_module
from desktop_app.voice.audio import to_int16
from desktop_app.voice.output import AudioOutput, DeviceFailed, distro_alsa_plugin_dir


class _Played:
    """What the audio library hands back: plays for a set time unless stopped."""

    def __init__(self, data, seconds):
        self.data, self.until, self.stopped = data, time.monotonic() + seconds, False

    def is_playing(self):
        return not self.stopped and time.monotonic() < self.until

    def stop(self):
        self.stopped = True


class _Player:
    def __init__(self, seconds=0.15):
        self.seconds, self.opened, self.fail_from = seconds, [], None

    def play_buffer(self, data, channels, width, rate):
        if self.fail_from is not None and len(self.opened) >= self.fail_from:
            raise RuntimeError("Error opening PCM device. -- CODE: -2")
        self.opened.append(_Played(data, self.seconds))
        return self.opened[-1]


@pytest.fixture
def player(monkeypatch):
    fake = _Player()
    monkeypatch.setattr(output_module, "player", fake)
    return fake


def _tone(level):
    return np.full(100, level)


def out_bytes(level):
    return to_int16(_tone(level)).tobytes()


def test_a_new_sound_cuts_off_the_old_one(player):
    out = AudioOutput()
    out.play(_tone(0.1))
    out.play(_tone(0.2))
    assert len(player.opened) == 2 and player.opened[0].stopped and not player.opened[1].stopped


def test_queued_sounds_play_in_order_after_the_current_one(player):
    out = AudioOutput()
    started = []
    out.on_play_started = started.append
    out.play(_tone(0.1))
    out.play(_tone(0.2), queued=True)
    out.play(_tone(0.3), queued=True)
    assert len(player.opened) == 1 and out.is_playing()
    out.wait_done(5)
    assert len(player.opened) == 3 and not any(p.stopped for p in player.opened)
    assert [p.data for p in player.opened] == [out_bytes(0.1), out_bytes(0.2), out_bytes(0.3)]
    assert len(started) == 3 and started == sorted(started)


def test_a_queued_sound_with_nothing_playing_plays_at_once(player):
    AudioOutput().play(_tone(0.1), queued=True)
    assert len(player.opened) == 1


def test_stop_drops_the_queue_too(player):
    out = AudioOutput()
    out.play(_tone(0.1))
    out.play(_tone(0.2), queued=True)
    out.stop()
    time.sleep(0.3)
    assert len(player.opened) == 1 and not out.is_playing()


def test_a_dead_device_raises_now_or_reports_later(player):
    out = AudioOutput()
    player.fail_from = 0
    with pytest.raises(DeviceFailed, match="PCM"):
        out.play(_tone(0.1))
    assert out.failed
    player.fail_from = 1
    reported = threading.Event()
    errors = []
    out.on_error = lambda exc: (errors.append(exc), reported.set())
    out.play(_tone(0.1))
    out.play(_tone(0.2), queued=True)  # the device dies before the queued sound's turn
    assert reported.wait(5) and isinstance(errors[0], DeviceFailed)


def test_the_distro_plugin_folder_is_found(tmp_path):
    empty, debian = tmp_path / "lib64" / "alsa-lib", tmp_path / "x86_64-linux-gnu" / "alsa-lib"
    empty.mkdir(parents=True)
    debian.mkdir(parents=True)
    (debian / "libasound_module_pcm_pulse.so").write_bytes(b"")
    assert distro_alsa_plugin_dir([str(empty), str(debian)]) == str(debian)
    assert distro_alsa_plugin_dir([str(empty)]) is None
