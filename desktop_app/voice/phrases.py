"""The phrase catalogue: every message the app can give, in Nepali and English.

The words live in ``desktop_app/data/phrases.json``; code refers to them only by key. Each entry:

    {"en": "Total {amount} rupees", "ne": "जम्मा {amount} रुपैयाँ",
     "clip": "ne/<key>.wav" | null,       # prerecorded Nepali audio under sounds/ (null: use TTS)
     "params": {"amount": "number"},     # optional; "number" params become Nepali words in "ne"
     "earcon": "start" | "fail" | "success",  # optional tone before the words
     "pulses": 1..7}                     # optional; privacy mode plays this many pulses instead

A phrase with params has no clip: its Nepali form is spoken by the Nepali TTS voice, with the
numbers already written as Nepali words, so nothing reads English digits aloud.
"""
from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.voice.messages import Utterance
from desktop_app.voice.nepali_numbers import number_to_words
from desktop_app.paths import PHRASES_FILE, SOUNDS_DIR

LANGUAGES: tuple[str, ...] = ("ne", "en")
EARCONS: tuple[str, ...] = ("start", "fail", "success")
PARAM_KINDS: tuple[str, ...] = ("number", "text")
_ENTRY_FIELDS = {"en", "ne", "clip", "params", "earcon", "pulses"}
_RESERVED_PARAMS = {"key", "language", "privacy"}


class PhraseError(ValueError):
    """The catalogue file is malformed, or a phrase was asked for wrongly."""


@dataclass(frozen=True)
class Phrase:
    key: str
    text: dict[str, str]  # language -> template
    clip: str | None  # relative to the sounds directory
    params: dict[str, str] = field(default_factory=dict)  # name -> "number" | "text"
    earcon: str | None = None
    pulses: int = 0


def _template_fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _parse_entry(key: str, raw: object, source: Path) -> Phrase:
    where = f"{source}: phrase {key!r}"
    if not isinstance(raw, dict):
        raise PhraseError(f"{where} must be an object")
    unknown = set(raw) - _ENTRY_FIELDS
    if unknown:
        raise PhraseError(f"{where} has unknown fields {sorted(unknown)}")
    texts = {}
    for lang in LANGUAGES:
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise PhraseError(f"{where} has no {lang!r} text")
        texts[lang] = text
    params = raw.get("params") or {}
    if not isinstance(params, dict) or any(kind not in PARAM_KINDS for kind in params.values()):
        raise PhraseError(f"{where}: params must map names to one of {PARAM_KINDS}")
    if set(params) & _RESERVED_PARAMS:
        raise PhraseError(f"{where}: param names {sorted(set(params) & _RESERVED_PARAMS)} are reserved")
    for lang, text in texts.items():
        if _template_fields(text) != set(params):
            raise PhraseError(f"{where}: {lang!r} text uses {sorted(_template_fields(text))}, "
                              f"but params declares {sorted(params)}")
    clip = raw.get("clip")
    if clip is not None and (not isinstance(clip, str) or params):
        raise PhraseError(f"{where}: clip must be a path string, and only phrases without params have one")
    earcon = raw.get("earcon")
    if earcon is not None and earcon not in EARCONS:
        raise PhraseError(f"{where}: earcon must be one of {EARCONS}")
    pulses = raw.get("pulses", 0)
    if not isinstance(pulses, int) or pulses < 0:
        raise PhraseError(f"{where}: pulses must be a non-negative integer")
    return Phrase(key=key, text=texts, clip=clip, params=dict(params), earcon=earcon, pulses=pulses)


class PhraseCatalogue:
    def __init__(self, phrases: dict[str, Phrase], sounds_dir: Path = SOUNDS_DIR):
        self._phrases = phrases
        self.sounds_dir = Path(sounds_dir)

    @classmethod
    def load(cls, path: Path | str = PHRASES_FILE, sounds_dir: Path | str = SOUNDS_DIR) -> "PhraseCatalogue":
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PhraseError(f"cannot read phrase catalogue {path}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise PhraseError(f"phrase catalogue {path} is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise PhraseError(f"phrase catalogue {path} must be a JSON object of phrases")
        phrases = {key: _parse_entry(key, entry, path) for key, entry in raw.items()}
        return cls(phrases, Path(sounds_dir))

    def keys(self) -> tuple[str, ...]:
        return tuple(self._phrases)

    def __contains__(self, key: str) -> bool:
        return key in self._phrases

    def phrase(self, key: str) -> Phrase:
        try:
            return self._phrases[key]
        except KeyError:
            raise PhraseError(f"no phrase {key!r} in the catalogue") from None

    def _format_params(self, phrase: Phrase, language: str, params: dict) -> dict[str, str]:
        missing = set(phrase.params) - set(params)
        extra = set(params) - set(phrase.params)
        if missing or extra:
            raise PhraseError(f"phrase {phrase.key!r} takes params {sorted(phrase.params)}, "
                              f"got {sorted(params)}")
        out = {}
        for name, kind in phrase.params.items():
            value = params[name]
            if kind == "number":
                number = _as_int(value, phrase.key, name)
                out[name] = number_to_words(number) if language == "ne" else str(number)
            else:
                out[name] = str(value)
        return out

    def text(self, key: str, language: str, **params) -> str:
        """The words of a phrase in ``language``; numbers become Nepali words in Nepali."""
        _check_language(language)
        phrase = self.phrase(key)
        return phrase.text[language].format(**self._format_params(phrase, language, params))

    def clip_path(self, key: str) -> Path | None:
        """Where the phrase's Nepali clip should be, whether or not it exists."""
        clip = self.phrase(key).clip
        return self.sounds_dir / clip if clip else None

    def clips(self, key: str, language: str, **params) -> tuple[Path, ...]:
        """Prerecorded audio for the phrase; empty when TTS must speak it.

        Only Nepali has clips. A clip that is missing on disk yields () so the speech backend
        falls back to TTS rather than failing.
        """
        _check_language(language)
        phrase = self.phrase(key)
        self._format_params(phrase, language, params)  # same errors as text()
        path = self.clip_path(key)
        if language != "ne" or path is None or not path.is_file():
            return ()
        return (path,)

    def pulses(self, key: str) -> int:
        return self.phrase(key).pulses

    def utterance(self, key: str, language: str, *, privacy: bool = False, **params) -> Utterance:
        """Everything a speech backend needs. With ``privacy`` a note phrase carries its pulse count."""
        phrase = self.phrase(key)
        return Utterance(
            key=key,
            language=language,
            text=self.text(key, language, **params),
            params=dict(params),
            clips=self.clips(key, language, **params),
            earcon=phrase.earcon,
            pulses=phrase.pulses if privacy else 0,
        )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise PhraseError(f"language must be one of {LANGUAGES}, got {language!r}")


def _as_int(value, key: str, name: str) -> int:
    if isinstance(value, bool):
        raise PhraseError(f"phrase {key!r}: param {name!r} must be a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return int(round(value))  # a percentage like 49.99999 from a slider
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise PhraseError(f"phrase {key!r}: param {name!r} must be a whole number, got {value!r}")
