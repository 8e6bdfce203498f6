"""Detecting a running screen reader and choosing the path the words take to it."""
from __future__ import annotations

import subprocess
from types import SimpleNamespace

from desktop_app.voice import screen_reader as sr
from desktop_app.voice.reader_speech import NvdaSink, SpeechDispatcherSink


def test_bus_replies_of_both_tools_are_read():
    assert sr.parse_bus_reply("(<true>,)\n") is True
    assert sr.parse_bus_reply("method return ...\n   variant       boolean false\n") is False
    assert sr.parse_bus_reply("Error org.freedesktop.DBus.Error.ServiceUnknown") is None


def test_a_bus_that_cannot_answer_means_no_screen_reader():
    def failing(*_a, **_k):
        raise subprocess.TimeoutExpired("gdbus", 2)

    assert sr.linux_screen_reader_enabled(run=failing) is None
    answered = sr.linux_screen_reader_enabled(run=lambda *a, **k: SimpleNamespace(returncode=0, stdout="(<true>,)"))
    assert answered is True or sr._gdbus_query() is None


def test_an_orca_older_than_45_2_gets_speech_dispatcher():
    assert sr.reader_path(platform="linux", orca=lambda: (43, 1)) == sr.SPEECHD
    assert sr.reader_path(platform="linux", orca=lambda: (46, 0)) == sr.ANNOUNCEMENT
    assert sr.reader_path(platform="linux", orca=lambda: None) == sr.ANNOUNCEMENT
    assert sr.reader_path(platform="win32", orca=lambda: (43, 1)) == sr.NVDA  # used when NVDA runs
    assert sr.reader_path(platform="darwin", orca=lambda: (43, 1)) == sr.ANNOUNCEMENT
    assert sr.reader_path("speechd", platform="win32") == sr.SPEECHD
    assert sr.reader_path("announcement", platform="linux", orca=lambda: (43, 1)) == sr.ANNOUNCEMENT


def test_the_watcher_reports_only_changes():
    states = iter([True, True, False])
    seen = []
    watcher = sr.ScreenReaderWatcher(seen.append, probe=lambda: next(states), initial=False)
    watcher.check(), watcher.check(), watcher.check()
    assert seen == [True, False]


class FakeClient:
    def __init__(self):
        self.calls = []

    def set_priority(self, p):
        self.calls.append(("priority", p))

    def set_language(self, lang):
        self.calls.append(("language", lang))

    def speak(self, text):
        self.calls.append(("speak", text))

    def cancel(self):
        self.calls.append(("cancel",))


def test_speech_dispatcher_gets_the_reader_text_at_a_priority():
    client = FakeClient()
    sink = SpeechDispatcherSink(client)
    sink(SimpleNamespace(text="500 rupees", reader_text="Result ready.", politeness="assertive", language="en"))
    sink(SimpleNamespace(text="Ready.", reader_text="Ready.", politeness="polite", language="en"))
    sink(SimpleNamespace(text="x", reader_text="x", politeness="", language="en"))  # not for the reader
    assert sink.said == [("Result ready.", "cancel+message"), ("Ready.", "message")]
    assert ("speak", "Result ready.") in client.calls and ("speak", "500 rupees") not in client.calls
    assert client.calls.index(("cancel",)) < client.calls.index(("speak", "Result ready."))
    assert client.calls.count(("cancel",)) == 1  # status waits its turn, cancels nothing


def test_an_orca_process_counts_as_a_running_screen_reader(tmp_path):
    (tmp_path / "self").mkdir()
    (tmp_path / "12").mkdir()
    (tmp_path / "12" / "comm").write_text("python3\n")
    assert not sr.orca_process_running(tmp_path)
    (tmp_path / "345").mkdir()
    (tmp_path / "345" / "comm").write_text("orca\n")
    assert sr.orca_process_running(tmp_path)
    assert not sr.orca_process_running(tmp_path / "missing")


def test_nvda_gets_the_reader_text_and_results_interrupt():
    calls = []
    sink = NvdaSink(lambda text, interrupt: calls.append((text, interrupt)))
    sink(SimpleNamespace(text="500 rupees", reader_text="500 rupees", politeness="assertive", language="en"))
    sink(SimpleNamespace(text="Ready.", reader_text="Ready.", politeness="polite", language="en"))
    assert calls == [("500 rupees", True), ("Ready.", False)]
