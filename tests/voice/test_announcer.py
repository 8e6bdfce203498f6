from desktop_app.voice.announcer import Announcer
from desktop_app.voice.messages import PhraseUnsayable
from desktop_app.recognition.evidence import Decision
from desktop_app.voice.phrases import PhraseCatalogue
from tests.spies import SpeechSpy


def make(**kwargs):
    spy = SpeechSpy()
    announcer = Announcer(PhraseCatalogue.load(), spy, **kwargs)
    screen, reader = [], []
    announcer.screen_text.append(screen.append)
    announcer.screen_reader.append(reader.append)
    return announcer, spy, screen, reader


def test_a_result_reaches_speech_screen_reader_screen_and_log_together(caplog):
    announcer, spy, screen, reader = make()
    with caplog.at_level("INFO", logger="desktop_app.announcer"):
        message = announcer.announce(Decision("note", "500", "front"))
    assert spy.keys == ["note.500"]
    assert spy.last.text == "पाँच सय रुपैयाँ" and spy.last.clips  # Nepali plays the prerecorded clip
    assert spy.last.earcon == "success"
    assert screen == reader == [message]
    assert message.kind == "result" and message.text == "पाँच सय रुपैयाँ"
    assert "note.500" in caplog.text


def test_english_uses_tts_text():
    announcer, spy, _, _ = make(language="en")
    announcer.announce(Decision("note", "100"))
    assert spy.last.text == "100 rupees" and spy.last.clips == ()


def test_unsure_carries_its_hint_in_one_utterance():
    announcer, spy, _, reader = make(language="en")
    announcer.announce(Decision("unsure", hint="too_dark"))
    assert len(spy.spoken) == 1
    assert reader[-1].keys == ("result.unsure", "hint.too_dark")
    assert spy.last.earcon == "fail"


def test_held_too_long_is_said_in_its_own_words():
    announcer, _, _, reader = make(language="en")
    announcer.announce(Decision("unsure", hint="held_too_long"))
    assert reader[-1].keys == ("result.unsure", "scan.held_too_long")


def test_repeat_says_the_last_message_again_in_the_current_language():
    announcer, spy, _, _ = make()
    announcer.announce(Decision("note", "20"))
    announcer.language = "en"
    again = announcer.repeat()
    assert spy.keys == ["note.20", "note.20"] and again.text == "20 rupees"


def test_dead_audio_is_told_once_on_screen_and_to_the_screen_reader():
    announcer, spy, screen, reader = make()
    spy.fail = True
    announcer.announce(Decision("note", "50"))
    announcer.announce(Decision("note", "10"))
    assert [m.key for m in reader] == ["note.50", "audio.failed", "note.10"] or \
        [m.key for m in reader] == ["audio.failed", "note.50", "note.10"]
    assert all(not m.spoken for m in reader)
    spy.fail = False
    assert announcer.announce(Decision("note", "5")).spoken


def test_privacy_mode_plays_pulses_and_no_words():
    announcer, spy, _, reader = make(privacy=True)
    announcer.announce(Decision("note", "1000"))
    assert spy.last.pulses == 7
    announcer.say("welcome")
    assert spy.keys == ["note.1000"]  # the welcome was not spoken aloud
    assert reader[-1].key == "welcome"  # but the screen reader still has it


def test_numbers_are_nepali_words_and_totals_add_up():
    announcer, spy, _, _ = make()
    announcer.announce(Decision("note", "1000"))
    announcer.announce(Decision("note", "500"))
    message = announcer.say_total()
    assert "एक हजार पाँच सय" in message.text and "1500" not in message.text
    announcer.reset_total()
    assert announcer.total == 0


def test_a_broken_screen_sink_does_not_silence_speech():
    announcer, spy, _, _ = make()

    def broken(message):
        raise RuntimeError("display gone")

    announcer.screen_text.insert(0, broken)
    announcer.say("welcome")
    assert spy.keys == ["welcome"]


def test_an_error_and_its_advice_are_one_message_each_part_with_its_own_params():
    announcer, spy, _, reader = make(language="en")
    message = announcer.error("video.error", then=("video.offer",), name="clip.mp4")
    assert message.keys == ("video.error", "video.offer") and "clip.mp4" in message.text
    assert message.text.endswith(announcer.catalogue.text("video.offer", "en"))
    assert len(spy.spoken) == 1 and spy.last.text == message.text
    again = announcer.repeat()
    assert again.text == message.text and again.kind == "error"
    assert announcer.text_of(message, "ne") != message.text  # the other language, for reports


def test_a_late_speech_failure_after_a_sync_one_is_not_told_twice():
    announcer, spy, _, reader = make()
    spy.fail = True
    announcer.say("welcome")  # speak() raises at once
    spy.fail = False
    announcer.say("help")  # queued fine ...
    announcer.audio_failed(RuntimeError("TTS worker: device gone"))  # ... then the worker fails
    assert [m.key for m in reader].count("audio.failed") == 1


def test_a_note_result_is_the_value_alone():
    """Nothing names the side of the note: the value is what the user asked for."""
    announcer, spy, _, _ = make()
    message = announcer.announce(Decision("note", "500", "back"))
    assert message.keys == ("note.500",) and spy.keys == ["note.500"]


def test_messages_said_in_turn_queue_behind_the_first():
    announcer, spy, _, _ = make(language="en")
    with announcer.in_turn():
        announcer.say("welcome")
        announcer.error("camera.missing", then=("video.offer",))
        announcer.say("video.opened", name="note.mp4")
    announcer.say("help")
    assert spy.keys == ["welcome", "camera.missing", "video.opened", "help"]
    assert [u.queued for u in spy.spoken] == [False, True, True, False]
    with announcer.in_turn():  # a new turn starts by cutting off what was playing
        announcer.say("ready")
    assert spy.last.queued is False


class _NoNepaliVoice(SpeechSpy):
    def speak(self, utterance):
        if utterance.language == "ne" and not utterance.clips:
            raise PhraseUnsayable(utterance.key, "ne", "no Nepali voice", "install espeak-ng")
        super().speak(utterance)


def test_a_phrase_without_a_voice_is_told_as_that_once_not_as_sound_failing(caplog):
    spy = _NoNepaliVoice()
    announcer = Announcer(PhraseCatalogue.load(), spy, language="ne")
    reader = []
    announcer.screen_reader.append(reader.append)
    with caplog.at_level("WARNING", logger="desktop_app.announcer"):
        announcer.say("total", amount=20)
        announcer.say("volume.changed", percent=50)
    keys = [m.key for m in reader]
    assert "audio.failed" not in keys
    assert keys == ["voice.missing.ne", "total", "volume.changed"]  # told once, then the phrases
    assert spy.keys == ["voice.missing.ne"]  # the notice has a clip, so it is heard
    assert "'total'" in caplog.text and "'volume.changed'" in caplog.text and "espeak-ng" in caplog.text
    assert announcer.say("note.500").spoken  # clips still play
