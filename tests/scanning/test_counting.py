"""Counting is explicit: once per hold, a rescan of the same value is held back, U takes back,
0 asks once."""
from __future__ import annotations

from desktop_app.recognition.evidence import Decision
from desktop_app.scanning.counting import COUNTED, HELD_BACK, Tally
from desktop_app.voice.announcer import Announcer
from desktop_app.voice.phrases import PhraseCatalogue
from tests.spies import SpeechSpy


def test_a_rescan_of_the_same_value_within_the_window_is_held_back():
    tally = Tally(rescan_window=5.0)
    assert tally.scanned(500, 0.0) == COUNTED
    assert tally.scanned(500, 3.0) == HELD_BACK
    assert tally.total == 500 and tally.held_back == 500
    assert tally.add_held_back() == 500 and tally.total == 1000
    assert tally.add_held_back() is None  # only once


def test_another_value_or_a_later_scan_counts():
    tally = Tally(rescan_window=5.0)
    tally.scanned(500, 0.0)
    assert tally.scanned(100, 1.0) == COUNTED
    assert tally.scanned(100, 6.5) == COUNTED  # 5.5 s later: a new note
    assert tally.notes == [500, 100, 100]


def test_a_held_back_rescan_keeps_holding_back_while_the_note_stays():
    tally = Tally(rescan_window=5.0)
    tally.scanned(50, 0.0)
    assert tally.scanned(50, 4.0) == HELD_BACK
    assert tally.scanned(50, 8.0) == HELD_BACK  # 4 s after the last scan of it
    assert tally.total == 50


def test_undo_takes_back_the_last_note_and_clear_asks_once():
    tally = Tally(clear_confirm=5.0)
    tally.scanned(1000, 0.0)
    tally.scanned(20, 1.0)
    assert tally.undo() == 20 and tally.total == 1000
    assert tally.clear(10.0) is False and tally.total == 1000  # asked
    assert tally.clear(20.0) is False  # too late: asks again
    assert tally.clear(21.0) is True and tally.total == 0
    assert tally.undo() is None


def test_the_announcer_says_each_step():
    t = [0.0]
    announcer = Announcer(PhraseCatalogue.load(), SpeechSpy(), language="en", clock=lambda: t[0])
    announcer.announce(Decision("note", "500"))
    t[0] = 2.0
    again = announcer.announce(Decision("note", "500"))
    assert again.text == "500 rupees Same value again, not added. Press A to add it."
    assert announcer.add_held_back().text == "Added. Total 1000 rupees."
    assert announcer.undo_count().text == "Took back 500 rupees. Total 500 rupees."
    assert announcer.clear_total().text == "Press zero again to clear the total of 500 rupees."
    t[0] = 3.0
    assert announcer.clear_total().text == "Total cleared." and announcer.total == 0
    assert announcer.undo_count().text == "Nothing to take back."
    assert announcer.add_held_back().text == "Nothing to add."
