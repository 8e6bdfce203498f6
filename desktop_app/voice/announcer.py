"""The one door out: everything the user is told goes through ``Announcer.say``.

Each message reaches, together: speech (clips or TTS, or privacy pulses), the screen reader,
the on-screen text and the log. Like NVDA's ``ui.message``, nothing else in the app talks to
the user, so tests can swap the speech engine for a spy and see everything.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable

from desktop_app.recognition.evidence import Decision
from desktop_app.scanning.counting import HELD_BACK, Tally
from desktop_app.voice.messages import PhraseUnsayable, Speech, SpeechUnavailable, Utterance
from desktop_app.voice.output_mode import BOTH, PRIVATE_KEY, route
from desktop_app.voice.phrases import LANGUAGES

log = logging.getLogger("desktop_app.announcer")

# Decision hints -> phrase keys. "held_too_long" is its own sentence, not a hint about the note.
_HINT_KEYS = {
    "too_dark": "hint.too_dark",
    "blurred": "hint.blurred",
    "move_closer": "hint.move_closer",
    "partial": "hint.partial",
    "hold_flat": "hint.hold_flat",
    "other_side": "hint.other_side",
    "held_too_long": "scan.held_too_long",
}


@dataclass(frozen=True)
class Message:
    key: str
    text: str  # in the current language; several phrases are joined into one sentence
    language: str
    kind: str = "status"  # "result" | "status" | "error"
    parts: tuple[tuple[str, dict], ...] = ()  # (phrase key, its params), in the order said
    t: float = 0.0  # monotonic time it was issued
    spoken: bool = False
    decision: Decision | None = None
    # What the screen reader is handed and how (set on delivery by the output mode; privacy
    # replaces a value's words here, never in ``text``, which the screen shows).
    reader_text: str = ""
    politeness: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.parts)

    @property
    def params(self) -> dict:
        return {name: value for _, params in self.parts for name, value in params.items()}


class Announcer:
    def __init__(
        self,
        catalogue,
        speech: Speech | None,
        *,
        language: str = "ne",
        earcons: bool = True,
        privacy: bool = False,
        clock: Callable[[], float] = time.monotonic,
        output_mode: str = BOTH,
    ):
        self.catalogue = catalogue
        self.speech = speech
        self.language = language if language in LANGUAGES else "ne"
        self.earcons = earcons
        self.privacy = privacy
        self._clock = clock
        self.output_mode = output_mode  # who speaks: see desktop_app.voice.output_mode
        self.screen_reader: list[Callable[[Message], None]] = []
        self.screen_text: list[Callable[[Message], None]] = []
        self.history: deque[Message] = deque(maxlen=200)
        self.last: Message | None = None
        self._audio_failed = False
        self._unsayable_told: set[str] = set()  # languages whose missing voice was told
        self._queue_depth = 0  # inside ``in_turn()``: messages wait for each other
        self._said_in_turn = 0
        self.tally = Tally()  # the running total of notes named since the last reset

    # --- the door ---------------------------------------------------------------------
    def say(self, key: str, *, kind: str = "status", earcon: str | None = None, then: tuple[str, ...] = (),
            **params) -> Message:
        """One message; ``then`` phrases follow in the same message, so none cuts another off."""
        return self._emit([(key, params)] + [(k, {}) for k in then], kind=kind, earcon=earcon)

    def announce(self, decision: Decision) -> Message:
        """Says a scan's decision: the value, or "no note" / "not sure" with its hint."""
        parts: list[tuple[str, dict]] = [(decision.phrase_key, {})]
        if decision.kind == "note":
            if self.tally.scanned(int(decision.denomination), self._clock()) == HELD_BACK:
                parts += [("count.held_back", {}), ("count.add_hint", {})]
        elif decision.hint in _HINT_KEYS:
            parts.append((_HINT_KEYS[decision.hint], {}))
        return self._emit(parts, kind="result", decision=decision)

    def error(self, key: str, *, then: tuple[str, ...] = (), **params) -> Message:
        """An error, optionally followed by what to do about it, spoken as one message so the
        advice cannot cut off the error (each message interrupts the one before)."""
        return self._emit([(key, params)] + [(k, {}) for k in then], kind="error")

    def scan_started(self) -> None:
        """Only a tone: words here would delay the answer the user is waiting for."""
        self.tone("start")

    def tone(self, name: str) -> None:
        """Only a tone, for steps that words would crowd (teach mode keeping a picture)."""
        if self.earcons and self.speech is not None:
            self._safely(lambda: self.speech.play_earcon(name))

    def repeat(self) -> Message | None:
        if self.last is None:
            return None
        again = self._render(self.last.parts, self.last.kind, self.last.decision)
        return self._deliver(again, None)

    def say_total(self) -> Message:
        return self.say("total", amount=self.total)

    @property
    def total(self) -> int:
        return self.tally.total

    def reset_total(self) -> Message:
        self.tally.reset()
        return self.say("total.reset")

    def clear_total(self) -> Message:
        """0: the first press asks (saying what would be lost), a second one clears."""
        amount = self.tally.total
        if self.tally.clear(self._clock()):
            return self.say("total.reset")
        return self.say("total.clear_ask", amount=amount)

    def undo_count(self) -> Message:
        taken = self.tally.undo()
        if taken is None:
            return self.say("count.nothing")
        return self.say("count.undone", amount=taken, total=self.tally.total)

    def add_held_back(self) -> Message:
        if self.tally.add_held_back() is None:
            return self.say("count.nothing_to_add")
        return self.say("count.added", amount=self.tally.total)

    def set_language(self, language: str) -> Message:
        """Switches language and confirms it in the new language."""
        self.language = language if language in LANGUAGES else "ne"
        return self.say("language.switched")

    def stop(self) -> None:
        if self.speech is not None:
            self._safely(self.speech.stop)

    def say_after(self, key: str, **params) -> Message:
        """A notice that must not cut off what is being said (news from a background job,
        such as taught notes ready): it waits its turn."""
        with self.in_turn():
            self._said_in_turn = max(1, self._said_in_turn)
            return self.say(key, **params)

    @contextmanager
    def in_turn(self):
        """Messages said inside are heard one after another instead of each cutting off the one
        before: the welcome, then start-up problems, then "video opened". The first still cuts
        off whatever was playing; anything said afterwards outside interrupts as usual."""
        if self._queue_depth == 0:
            self._said_in_turn = 0
        self._queue_depth += 1
        try:
            yield self
        finally:
            self._queue_depth -= 1

    # --- plumbing ---------------------------------------------------------------------
    def _emit(self, parts, *, kind, earcon=None, decision=None) -> Message:
        message = self._render(parts, kind, decision)
        # The catalogue says which tone goes with a phrase (success, fail, start).
        earcon = earcon or self.catalogue.phrase(parts[0][0]).earcon
        return self._deliver(message, earcon if self.earcons else None)

    def text_of(self, message: Message, language: str) -> str:
        """A message's words in any language (reports show both)."""
        return " ".join(self.catalogue.text(key, language, **params) for key, params in message.parts)

    def _render(self, parts, kind, decision) -> Message:
        parts = tuple((key, dict(params)) for key, params in parts)
        message = Message(parts[0][0], "", self.language, kind, parts, self._clock(), False, decision)
        return replace(message, text=self.text_of(message, self.language))

    def carries_value(self, message: Message) -> bool:
        """A note's value or a total: what privacy mode keeps from every listener."""
        return any(self.catalogue.pulses(key) for key in message.keys) or "amount" in message.params

    def _deliver(self, message: Message, earcon: str | None) -> Message:
        way = route(self.output_mode, message.kind)
        reader_text = message.text
        if self.privacy and self.carries_value(message):
            reader_text = self.catalogue.text(PRIVATE_KEY, message.language)
        spoken = self._speak(message, earcon) if way.own_words else self._tone_only(message, earcon)
        message = replace(message, spoken=spoken, reader_text=reader_text, politeness=way.politeness)
        self.last = message
        self.history.append(message)
        log.info("[%s] %s: %s", message.kind, message.key, message.text)
        for sink in self.screen_text + self.screen_reader:
            try:
                sink(message)
            except Exception:  # a broken display must not silence speech or the log
                log.exception("output sink failed for %s", message.key)
        return message

    def _speak(self, message: Message, earcon: str | None) -> bool:
        if self.speech is None:
            return False
        # Privacy mode: a note is told by its count of pulses (Rs 5 = 1 ... Rs 1000 = 7).
        pulses = self.catalogue.pulses(message.key) if self.privacy else 0
        if self.privacy and not pulses:
            # Privacy mode says no words aloud; a tone still tells the user something happened.
            return self._safely(lambda: self.speech.play_earcon(earcon)) if earcon else False
        utterances = [self.catalogue.utterance(key, self.language, **params) for key, params in message.parts]
        if not utterances:
            return False
        first = utterances[0]
        # One utterance per message so a new result interrupts a stale one in a single step.
        queued = self._queue_depth > 0 and self._said_in_turn > 0
        if self._queue_depth > 0:
            self._said_in_turn += 1
        combined = Utterance(
            first.key, self.language, message.text, message.params,
            tuple(c for u in utterances for c in u.clips) if all(u.clips for u in utterances) else (),
            earcon, pulses, queued,
        )
        return self._safely(lambda: self.speech.speak(combined))

    def _tone_only(self, message: Message, earcon: str | None) -> bool:
        """The screen reader says the words: the app plays only the tone, or the privacy pulses
        (which are tones too, and tell the value without words)."""
        if self.speech is None:
            return False
        if self.privacy and self.catalogue.pulses(message.key):
            return self._speak(message, earcon)
        if earcon:
            self._safely(lambda: self.speech.play_earcon(earcon))
        return False

    def audio_failed(self, exc: Exception) -> None:
        """Speech is gone: tell the user once per run, through the screen reader and the screen.

        Called directly when ``speak`` raises, and by the UI (on its own thread) when a TTS
        worker fails after ``speak`` has returned.
        """
        if self._audio_failed:
            return
        self._audio_failed = True
        log.warning("audio failed: %s", exc)
        self._deliver(self._render([("audio.failed", {})], "error", None), None)

    def cannot_say(self, exc: PhraseUnsayable) -> None:
        """A phrase has no voice in this language: say which one and what to install, once per
        language, and never as "sound is not working" (other phrases still sound)."""
        log.warning("%s", exc)
        if exc.language in self._unsayable_told:
            return
        self._unsayable_told.add(exc.language)
        notice = self._render([(f"voice.missing.{exc.language}", {})], "error", None)
        self._deliver(notice, None)

    def _safely(self, action) -> bool:
        try:
            action()
        except PhraseUnsayable as exc:
            self.cannot_say(exc)
            return False
        except SpeechUnavailable as exc:
            self.audio_failed(exc)
            return False
        # Not reset on success: a queued TTS job can still fail after speak() returned, and the
        # user must not hear "sound is not working" after every message.
        return True

