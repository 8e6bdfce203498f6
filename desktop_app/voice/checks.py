"""The start-up check of what speech needs, against the phrase catalogue.

Every fixed phrase's clip must be there and decodable, and text-to-speech needs a voice for
each language (phrases with numbers or names have no clip). Each problem carries the phrase
that tells the user, and a written message naming the file or voice and what to do; the app
says each kind once and keeps running with what works (TTS says a phrase whose clip is bad).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.voice.audio import AudioFileError, read_wav
from desktop_app.voice.fallback import LANGUAGE_NAMES, install_advice
from desktop_app.voice.phrases import LANGUAGES, PhraseCatalogue

RESTORE = "restore it with python sounds/make_sounds.py, or reinstall the app"


@dataclass(frozen=True)
class SpeechProblem:
    """Like the recognizer's start-up problems: ``key`` is the phrase that tells the user."""

    key: str
    message: str
    params: dict = field(default_factory=dict)


def check_clips(catalogue: PhraseCatalogue) -> list[SpeechProblem]:
    problems = []
    for key in catalogue.keys():
        path = catalogue.clip_path(key)
        if path is None:
            continue
        if not path.is_file():
            problems.append(SpeechProblem("sound.clip_missing", f"clip {path} of phrase {key!r} is missing; {RESTORE}"))
            continue
        try:
            samples = read_wav(path)
        except AudioFileError as exc:
            problems.append(SpeechProblem("sound.clip_broken", f"{exc} (phrase {key!r}); {RESTORE}"))
            continue
        if samples.size == 0:
            problems.append(SpeechProblem("sound.clip_broken", f"clip {path} of phrase {key!r} holds no audio; {RESTORE}"))
    return problems


def check_voices(tts_languages) -> list[SpeechProblem]:
    have = set(tts_languages)
    return [SpeechProblem(f"voice.missing.{lang}",
                          f"no {LANGUAGE_NAMES[lang]} text-to-speech voice: {install_advice(lang)}")
            for lang in LANGUAGES if lang not in have]


def check_speech(catalogue: PhraseCatalogue, speech) -> list[SpeechProblem]:
    """Everything speech lacks; an empty list when it can say every phrase in both languages."""
    languages = speech.tts_languages() if hasattr(speech, "tts_languages") else ()
    return check_clips(catalogue) + check_voices(languages)


def to_tell(problems) -> list[SpeechProblem]:
    """One problem of each kind: forty missing clips are one thing to tell, not forty."""
    seen, told = set(), []
    for problem in problems:
        if problem.key not in seen:
            seen.add(problem.key)
            told.append(problem)
    return told
