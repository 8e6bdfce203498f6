import shutil

from desktop_app.paths import SOUNDS_DIR
from desktop_app.voice.checks import check_clips, check_speech, check_voices, to_tell
from desktop_app.voice.fallback import FallbackSpeech
from desktop_app.voice.phrases import PhraseCatalogue


class _Tts:
    def __init__(self, *languages):
        self._languages = languages

    def languages(self):
        return self._languages


def _sounds_copy(tmp_path):
    folder = tmp_path / "sounds"
    shutil.copytree(SOUNDS_DIR, folder)
    return folder


def test_the_shipped_clips_pass():
    assert check_clips(PhraseCatalogue.load()) == []


def test_every_missing_or_broken_clip_is_named_with_its_own_phrase(tmp_path):
    folder = _sounds_copy(tmp_path)
    (folder / "ne" / "welcome.wav").unlink()
    (folder / "ne" / "help.wav").write_bytes(b"RIFF not really")
    (folder / "ne" / "ready.wav").write_bytes(open(folder / "ne" / "ready.wav", "rb").read()[:44])  # header only
    problems = check_clips(PhraseCatalogue.load(sounds_dir=folder))
    assert len(problems) == 3
    assert [p.key for p in problems if "welcome.wav" in p.message] == ["sound.clip_missing"]
    assert [p.key for p in problems if "help.wav" in p.message] == ["sound.clip_broken"]
    assert [p.key for p in problems if "ready.wav" in p.message] == ["sound.clip_broken"]
    assert all("make_sounds.py" in p.message for p in problems)
    catalogue = PhraseCatalogue.load()
    assert all(p.key in catalogue and not catalogue.phrase(p.key).params for p in problems)  # said by clip


def test_a_missing_voice_is_one_problem_per_language():
    assert check_voices(("ne", "en")) == []
    (problem,) = check_voices(("en",))
    assert problem.key == "voice.missing.ne" and "Nepali" in problem.message and "espeak-ng" in problem.message
    assert [p.key for p in check_voices(())] == ["voice.missing.ne", "voice.missing.en"]


def test_check_speech_asks_the_chain_for_its_voices():
    catalogue = PhraseCatalogue.load()
    assert check_speech(catalogue, FallbackSpeech([_Tts("ne", "en")])) == []
    assert [p.key for p in check_speech(catalogue, FallbackSpeech([_Tts("ne")]))] == ["voice.missing.en"]


def test_each_kind_is_told_once():
    problems = check_voices(()) + check_voices(("en",))
    assert [p.key for p in to_tell(problems)] == ["voice.missing.ne", "voice.missing.en"]
