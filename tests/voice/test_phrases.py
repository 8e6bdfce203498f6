import json
import re

import pytest

from desktop_app.voice.phrases import PhraseCatalogue, PhraseError
from desktop_app.paths import PHRASES_FILE

REQUIRED_KEYS = (
    "note.5 note.10 note.20 note.50 note.100 note.500 note.1000 welcome help scan.started result.none "
    "result.unsure hint.too_dark hint.blurred hint.move_closer hint.partial scan.held_too_long camera.missing "
    "camera.lost camera.back camera.opened video.opened video.ended video.error model.missing model.corrupt "
    "gallery.missing audio.failed language.switched volume.changed rate.changed quit.confirm quit.cancelled "
    "total total.reset kiosk.prompt kiosk.next_customer kiosk.scanning voice.missing.ne voice.missing.en "
    "sound.clip_missing sound.clip_broken"
).split()

SAMPLE_PARAMS = {"number": 1500, "text": "cam0"}


@pytest.fixture(scope="module")
def catalogue():
    return PhraseCatalogue.load()


def _params(catalogue, key):
    return {name: SAMPLE_PARAMS[kind] for name, kind in catalogue.phrase(key).params.items()}


def test_required_keys_present(catalogue):
    missing = [k for k in REQUIRED_KEYS if k not in catalogue]
    assert not missing


def test_every_key_has_both_languages(catalogue):
    for key in catalogue.keys():
        for lang in ("en", "ne"):
            assert catalogue.text(key, lang, **_params(catalogue, key)).strip(), (key, lang)


def test_nepali_is_devanagari_without_latin_letters_or_digits(catalogue):
    for key in catalogue.keys():
        template = catalogue.phrase(key).text["ne"]
        words = re.sub(r"\{[a-z_]+\}", "", template)
        assert re.search(r"[\u0900-\u097F]", words), key
        assert not re.search(r"[A-Za-z0-9]", words), (key, template)


def test_numbers_are_nepali_words_in_nepali(catalogue):
    assert catalogue.text("total", "ne", amount=1500) == "जम्मा एक हजार पाँच सय रुपैयाँ"
    assert catalogue.text("total", "en", amount=1500) == "Total 1500 rupees"
    assert catalogue.text("volume.changed", "ne", percent=80) == "आवाज असी प्रतिशत"
    assert catalogue.text("volume.changed", "ne", percent=49.6) == "आवाज पचास प्रतिशत"
    for key in catalogue.keys():
        phrase = catalogue.phrase(key)
        if "number" in phrase.params.values():
            assert not re.search(r"[0-9]", catalogue.text(key, "ne", **_params(catalogue, key))), key


def test_text_params_pass_through(catalogue):
    assert catalogue.text("camera.opened", "en", name="USB Cam") == "Camera USB Cam opened."
    assert "USB Cam" in catalogue.text("camera.opened", "ne", name="USB Cam")
    assert catalogue.text("camera.opened", "ne", name=0).count("0") == 1  # a camera index is not a number word


def test_fixed_phrases_name_a_clip_and_param_phrases_do_not(catalogue):
    for key in catalogue.keys():
        phrase = catalogue.phrase(key)
        if phrase.params:
            assert phrase.clip is None, key
        else:
            assert phrase.clip == f"ne/{key}.wav", key


def test_clips_only_for_nepali(catalogue):
    clips = catalogue.clips("note.500", "ne")
    assert len(clips) == 1 and clips[0].is_file()
    assert catalogue.clips("note.500", "en") == ()
    assert catalogue.clips("total", "ne", amount=20) == ()


def test_missing_clip_file_means_tts(tmp_path):
    catalogue = PhraseCatalogue.load(sounds_dir=tmp_path)
    assert catalogue.clips("note.500", "ne") == ()
    assert catalogue.utterance("note.500", "ne").clips == ()


def test_utterance(catalogue):
    u = catalogue.utterance("note.1000", "ne")
    assert (u.key, u.language, u.text, u.earcon, u.pulses) == ("note.1000", "ne", "एक हजार रुपैयाँ", "success", 0)
    assert u.clips and u.clips[0].name == "note.1000.wav"
    t = catalogue.utterance("total", "en", amount=70)
    assert t.text == "Total 70 rupees" and t.params == {"amount": 70} and t.clips == ()
    assert catalogue.utterance("scan.started", "ne").earcon == "start"
    assert catalogue.utterance("result.unsure", "en").earcon == "fail"


def test_privacy_pulses_distinct_per_denomination(catalogue):
    counts = [catalogue.utterance(f"note.{d}", "ne", privacy=True).pulses
              for d in ("5", "10", "20", "50", "100", "500", "1000")]
    assert counts == sorted(set(counts)) and counts[0] >= 1
    assert catalogue.utterance("result.none", "ne", privacy=True).pulses == 0


@pytest.mark.parametrize("call", [
    lambda c: c.text("no.such.key", "ne"),
    lambda c: c.text("note.5", "fr"),
    lambda c: c.text("total", "ne"),
    lambda c: c.text("total", "ne", amount=5, extra=1),
    lambda c: c.text("total", "ne", amount="lots"),
    lambda c: c.text("note.5", "en", amount=5),
])
def test_bad_requests_raise(catalogue, call):
    with pytest.raises(PhraseError):
        call(catalogue)


def _write(tmp_path, data):
    path = tmp_path / "phrases.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("entry", [
    {"en": "Hi", "clip": None},  # no Nepali
    {"en": "Total {amount}", "ne": "जम्मा", "clip": None, "params": {"amount": "number"}},  # ne lacks param
    {"en": "Hi", "ne": "नमस्ते", "clip": None, "earcon": "boing"},
    {"en": "Hi", "ne": "नमस्ते", "clip": None, "colour": "red"},
    {"en": "T {amount}", "ne": "ज {amount}", "clip": "ne/x.wav", "params": {"amount": "number"}},
])
def test_malformed_catalogue_names_the_file(tmp_path, entry):
    path = _write(tmp_path, {"x": entry})
    with pytest.raises(PhraseError, match="phrases.json"):
        PhraseCatalogue.load(path)


def test_unreadable_catalogue_names_the_file(tmp_path):
    path = tmp_path / "phrases.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(PhraseError, match=str(path)):
        PhraseCatalogue.load(path)
    with pytest.raises(PhraseError, match="nope.json"):
        PhraseCatalogue.load(tmp_path / "nope.json")


def test_shipped_file_is_the_default():
    assert PhraseCatalogue.load(PHRASES_FILE).keys() == PhraseCatalogue.load().keys()
