"""``nepali-cash-reader teach``: photos in, a taught note out; list, forget, export, import, lock."""
import cv2
import pytest

from desktop_app.cli import main
from tests.teaching.conftest import frame_of


@pytest.fixture
def files(tmp_path, gallery):
    path = tmp_path / "gallery.npz"
    gallery.save(path)
    photos = []
    for p in range(3):
        photos.append(tmp_path / f"fifty_{p}.png")
        cv2.imwrite(str(photos[-1]), frame_of("50", p))
    known = tmp_path / "five_hundred.png"
    cv2.imwrite(str(known), frame_of("500", 1))
    return path, photos, known


def run(capsys, *argv):
    code = main(["teach", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_teach_list_export_import_forget(capsys, tmp_path, files):
    gallery, photos, _ = files
    bank, kiosk = tmp_path / "bank", tmp_path / "kiosk"
    code, out, err = run(capsys, *photos[:2], "--value", "50", "--gallery", gallery, "--data-dir", bank)
    assert code == 0, err
    assert "Saved. From now on this note is named 50 rupees." in out
    note_id = out.strip().splitlines()[-1].split(":")[0]
    code, out, _ = run(capsys, "--list", "--data-dir", bank)
    assert code == 0 and note_id in out and "1 taught note(s)" in out
    row = next(line for line in out.splitlines() if line.startswith(note_id)).split()
    assert row[1:3] == ["50", "front"] and row[-2:] == ["2", "files"]
    code, out, _ = run(capsys, "--export", tmp_path / "all.ncr-notes", "--data-dir", bank)
    assert code == 0 and "exported 1" in out
    code, out, err = run(capsys, "--import", tmp_path / "all.ncr-notes", "--gallery", gallery,
                         "--data-dir", kiosk)
    assert code == 0, err
    assert note_id in run(capsys, "--list", "--data-dir", kiosk)[1]
    code, out, _ = run(capsys, "--forget", note_id, "--data-dir", kiosk, "--gallery", gallery)
    assert code == 0 and "Forgot the taught 50 rupee note." in out
    assert "no taught notes" in run(capsys, "--list", "--data-dir", kiosk)[1]


def test_a_known_note_as_another_value_is_refused_in_words(capsys, tmp_path, files):
    gallery, _, known = files
    code, out, err = run(capsys, known, "--value", "100", "--gallery", gallery, "--data-dir", tmp_path / "d")
    assert code == 1
    assert "This looks like a 500 rupee note; not saved." in err
    code, _, err = run(capsys, known, "--value", "100", "--gallery", gallery, "--data-dir", tmp_path / "d",
                       "--language", "ne")
    assert "पाँच सय रुपैयाँको नोट जस्तो देखिन्छ" in err


def test_unreadable_photos_are_named_and_nothing_usable_is_bad_usage(capsys, tmp_path, files):
    gallery, photos, _ = files
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not a picture")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), frame_of("50", 0)[:, :, :] * 0)
    code, _, err = run(capsys, junk, tmp_path / "absent.jpg", blank, "--value", "50", "--gallery", gallery,
                       "--data-dir", tmp_path / "d")
    assert code == 2
    assert f"{junk}: skipped" in err and "absent.jpg: skipped" in err
    assert f"{blank}: skipped: I cannot find the edges of the note." in err
    assert "No usable picture of the note; not saved." in err
    assert run(capsys, "--value", "50", "--data-dir", tmp_path / "d")[0] == 2  # no photos at all


def test_a_locked_machine_refuses_until_unlocked(capsys, tmp_path, files):
    gallery, photos, _ = files
    d = tmp_path / "kiosk"
    assert run(capsys, "--lock", "--data-dir", d)[0] == 0
    code, _, err = run(capsys, *photos[:2], "--value", "50", "--gallery", gallery, "--data-dir", d)
    assert code == 1 and "Teaching is locked on this machine." in err
    assert "[locked]" not in run(capsys, "--list", "--data-dir", d)[1]  # nothing taught to list
    assert run(capsys, "--unlock", "--data-dir", d)[0] == 0
    assert run(capsys, *photos[:2], "--value", "50", "--gallery", gallery, "--data-dir", d)[0] == 0
    assert "[locked]" not in run(capsys, "--list", "--data-dir", d)[1]


def test_a_missing_gallery_is_named(capsys, tmp_path, files):
    _, photos, _ = files
    code, _, err = run(capsys, photos[0], "--value", "50", "--gallery", tmp_path / "none.npz",
                       "--data-dir", tmp_path / "d")
    assert code == 2 and "Reference notes missing" in err and "none.npz" in err


def test_classify_includes_taught_notes_only_when_asked(capsys, tmp_path, files):
    gallery, photos, _ = files
    d = tmp_path / "d"
    assert run(capsys, *photos[:2], "--value", "50", "--gallery", gallery, "--data-dir", d)[0] == 0
    plain = main(["classify", str(photos[2]), "--gallery", str(gallery), "--jsonl", "-q"])
    out = capsys.readouterr().out
    assert plain == 0 and '"decision": "unsure"' in out
    taught = main(["classify", str(photos[2]), "--gallery", str(gallery), "--jsonl", "-q", "--data-dir", str(d)])
    out = capsys.readouterr().out
    assert taught == 0 and '"decision": "50"' in out
