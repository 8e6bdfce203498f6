"""Nepali numbers as words in Devanagari, so Nepali speech never reads English digits aloud.

Nepali counts in the South-Asian way (सय, हजार, लाख, करोड), and every number from 1 to 99 has its
own word, so the words below are a table, not a rule.
"""
from __future__ import annotations

_ONES_TO_99: tuple[str, ...] = (
    "शून्य", "एक", "दुई", "तीन", "चार", "पाँच", "छ", "सात", "आठ", "नौ",
    "दश", "एघार", "बाह्र", "तेह्र", "चौध", "पन्ध्र", "सोह्र", "सत्र", "अठार", "उन्नाइस",
    "बीस", "एक्काइस", "बाइस", "तेइस", "चौबीस", "पच्चीस", "छब्बीस", "सत्ताइस", "अट्ठाइस", "उनन्तीस",
    "तीस", "एकतीस", "बत्तीस", "तेत्तीस", "चौँतीस", "पैँतीस", "छत्तीस", "सैँतीस", "अठतीस", "उनन्चालीस",
    "चालीस", "एकचालीस", "बयालीस", "त्रिचालीस", "चवालीस", "पैँतालीस", "छयालीस", "सतचालीस", "अठचालीस", "उनन्चास",
    "पचास", "एकाउन्न", "बाउन्न", "त्रिपन्न", "चउन्न", "पचपन्न", "छपन्न", "सन्ताउन्न", "अन्ठाउन्न", "उनन्साठी",
    "साठी", "एकसट्ठी", "बयसट्ठी", "त्रिसट्ठी", "चौसट्ठी", "पैँसट्ठी", "छयसट्ठी", "सतसट्ठी", "अठसट्ठी", "उनन्सत्तरी",
    "सत्तरी", "एकहत्तर", "बहत्तर", "त्रिहत्तर", "चौहत्तर", "पचहत्तर", "छयहत्तर", "सतहत्तर", "अठहत्तर", "उनासी",
    "असी", "एकासी", "बयासी", "त्रियासी", "चौरासी", "पचासी", "छयासी", "सतासी", "अठासी", "उनान्नब्बे",
    "नब्बे", "एकानब्बे", "बयानब्बे", "त्रियानब्बे", "चौरानब्बे", "पन्चानब्बे", "छयानब्बे", "सन्तानब्बे", "अन्ठानब्बे", "उनान्सय",
)
assert len(_ONES_TO_99) == 100

# (value, word), largest first. Above करोड the count of crores is itself spelled out recursively.
_SCALES: tuple[tuple[int, str], ...] = ((10_000_000, "करोड"), (100_000, "लाख"), (1000, "हजार"), (100, "सय"))


def number_to_words(n: int) -> str:
    """Spell a non-negative integer in Nepali words, e.g. 1500 -> "एक हजार पाँच सय"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number_to_words needs an int, got {type(n).__name__}: {n!r}")
    if n < 0:
        raise ValueError(f"number_to_words needs a non-negative number, got {n}")
    if n < 100:
        return _ONES_TO_99[n]
    words: list[str] = []
    rest = n
    for value, name in _SCALES:
        count, rest = divmod(rest, value)
        if count:
            words.append(f"{number_to_words(count)} {name}")
    if rest:
        words.append(_ONES_TO_99[rest])
    return " ".join(words)
