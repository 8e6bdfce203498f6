"""Who speaks: one voice per message, and privacy mode on every channel."""
from __future__ import annotations

import pytest

from desktop_app.recognition.evidence import Decision
from desktop_app.voice.announcer import Announcer
from desktop_app.voice.output_mode import APP, BOTH, SCREEN_READER, default_mode, next_mode, parse_mode, route
from desktop_app.voice.phrases import PhraseCatalogue
from tests.spies import SpeechSpy


def make(mode, **kwargs):
    spy = SpeechSpy(privacy=kwargs.get("privacy", False))
    announcer = Announcer(PhraseCatalogue.load(), spy, language="en", output_mode=mode, **kwargs)
    reader = []
    announcer.screen_reader.append(reader.append)
    return announcer, spy, reader


def test_the_route_table():
    assert route(APP, "result") == route(APP, "status")
    assert route(APP, "result").own_words and route(APP, "result").politeness == "polite"
    assert not route(SCREEN_READER, "result").own_words
    assert route(SCREEN_READER, "result").politeness == "assertive"
    assert route(SCREEN_READER, "error").politeness == "assertive"
    assert route(SCREEN_READER, "status").politeness == "polite"
    assert route(BOTH, "result").own_words and route(BOTH, "result").politeness == "assertive"


def test_default_follows_the_screen_reader_and_the_key_cycles_all_three():
    assert default_mode(True) == SCREEN_READER and default_mode(False) == APP
    assert [next_mode(APP), next_mode(SCREEN_READER), next_mode(BOTH)] == [SCREEN_READER, BOTH, APP]
    assert parse_mode("both") == BOTH and parse_mode("loud") is None and parse_mode(None) is None


def test_screen_reader_mode_speaks_no_words_but_keeps_the_tone():
    announcer, spy, reader = make(SCREEN_READER)
    message = announcer.announce(Decision("note", "500"))
    assert spy.spoken == []
    assert spy.earcons == ["success"]
    assert reader == [message]
    assert message.reader_text == "500 rupees" and message.politeness == "assertive"
    assert not message.spoken


def test_app_mode_speaks_and_announces_only_politely():
    announcer, spy, reader = make(APP)
    message = announcer.announce(Decision("note", "500"))
    assert spy.keys == ["note.500"]
    assert reader[0].politeness == "polite" and reader[0].reader_text == "500 rupees"
    assert message.spoken


@pytest.mark.parametrize("mode", [APP, SCREEN_READER, BOTH])
def test_privacy_keeps_the_value_from_the_screen_reader_in_every_mode(mode):
    announcer, spy, reader = make(mode, privacy=True)
    announcer.announce(Decision("note", "500"))
    announcer.repeat()
    announcer.announce(Decision("note", "1000"))
    announcer.say_total()
    assert [m.reader_text for m in reader] == ["Result ready."] * 4
    assert all("500" not in m.reader_text and "rupees" not in m.reader_text for m in reader)
    # The screen still shows it, and the pulses tell it without words (Rs 500 = 6 pulses).
    assert reader[0].text == "500 rupees"
    assert spy.spoken[0].pulses == 6


def test_privacy_leaves_messages_without_a_value_alone():
    announcer, _, reader = make(SCREEN_READER, privacy=True)
    announcer.announce(Decision("unsure", hint="too_dark"))
    assert reader[0].reader_text == reader[0].text
    assert reader[0].text.lower().startswith("not sure")


def test_a_message_with_advice_is_one_message():
    announcer, spy, reader = make(BOTH)
    announcer.say("welcome", then=("output.app", "output.how"))
    assert len(spy.spoken) == 1 and len(reader) == 1
    assert reader[0].text.endswith("This app speaks. Press V to change who speaks.")
