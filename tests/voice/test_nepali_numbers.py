import re

import pytest

from desktop_app.voice.nepali_numbers import number_to_words


@pytest.mark.parametrize("n, words", [
    (0, "शून्य"),
    (5, "पाँच"),
    (10, "दश"),
    (19, "उन्नाइस"),
    (20, "बीस"),
    (50, "पचास"),
    (99, "उनान्सय"),
    (100, "एक सय"),
    (500, "पाँच सय"),
    (1000, "एक हजार"),
    (1500, "एक हजार पाँच सय"),
    (1635, "एक हजार छ सय पैँतीस"),
    (2005, "दुई हजार पाँच"),
    (100000, "एक लाख"),
    (250000, "दुई लाख पचास हजार"),
    (12345678, "एक करोड तेइस लाख पैँतालीस हजार छ सय अठहत्तर"),
    (1_000_000_000, "एक सय करोड"),
])
def test_words(n, words):
    assert number_to_words(n) == words


def test_every_word_below_hundred_is_distinct_devanagari():
    words = [number_to_words(n) for n in range(100)]
    assert len(set(words)) == 100
    for w in words:
        assert re.fullmatch(r"[\u0900-\u097F]+", w), w


def test_large_numbers_never_contain_ascii():
    for n in (101, 999, 1001, 45_678, 9_99_99_999):
        assert not re.search(r"[0-9A-Za-z]", number_to_words(n))


@pytest.mark.parametrize("bad", [-1, -500])
def test_negative_rejected(bad):
    with pytest.raises(ValueError):
        number_to_words(bad)


@pytest.mark.parametrize("bad", [1.5, "5", True, None])
def test_non_int_rejected(bad):
    with pytest.raises(TypeError):
        number_to_words(bad)

