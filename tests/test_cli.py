"""The command line as other tools and testers use it: a real subprocess each time."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from desktop_app.cli import build_parser, main

REPO = Path(__file__).resolve().parents[1]
CORNERS = [[110, 120], [530, 135], [515, 335], [120, 320]]


def run_cli(*args, cwd=REPO, timeout=120):
    env = dict(os.environ, NCR_NO_TTS="1", PYTHONPATH=str(REPO))
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):  # a machine with no screen
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "desktop_app", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    from tests.builders.model import write_tiny_model
    from tests.builders.notes import synthetic_gallery

    folder = tmp_path_factory.mktemp("cli_models")
    synthetic_gallery().save(folder / "gallery.npz")
    write_tiny_model(folder / "model.onnx")
    return ["--model", folder / "model.onnx", "--gallery", folder / "gallery.npz"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    from tests.builders.notes import place_note, synthetic_note, synthetic_scene

    root = tmp_path_factory.mktemp("cli_photos")
    for denomination in ("100", "500"):
        (root / denomination).mkdir()
        cv2.imwrite(str(root / denomination / "a.jpg"), place_note(synthetic_note(denomination), synthetic_scene(5), CORNERS))
    (root / "500" / "corrupt.jpg").write_bytes(b"not a picture")
    return root


def test_classify_jsonl_is_machine_readable(photos, models):
    done = run_cli("classify", photos, "--jsonl", *models)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(Path(r["path"]).parent.name, r["decision"], r["side"]) for r in rows] == [
        ("100", "100", "front"), ("500", "500", "front")]
    assert all(isinstance(r["score"], float) and r["score"] > 0 for r in rows)
    # The unreadable file is named, the run went on, and the count of skips is given.
    assert str(photos / "500" / "corrupt.jpg") in done.stderr
    assert "1 skipped" in done.stderr


def test_classify_report_files(photos, models, tmp_path):
    done = run_cli("classify", photos, "--report", tmp_path / "out", "--quiet", *models)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out" / "classify.json").read_text(encoding="utf-8"))
    assert data["summary"]["accuracy"] == 1.0 and data["summary"]["skipped"] == 1
    for png in ("confusion.png", "thresholds.png"):
        assert cv2.imread(str(tmp_path / "out" / png)) is not None


def test_classify_errors_name_the_file_and_use_exit_code_2(tmp_path, models):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"")
    done = run_cli("classify", bad, tmp_path / "missing.jpg", *models)
    assert done.returncode == 2
    assert str(bad) in done.stderr and str(tmp_path / "missing.jpg") in done.stderr
    done = run_cli("classify", tmp_path / "missing.jpg", *models)
    assert done.returncode == 2 and "no images" in done.stderr


def test_replay_with_holds_and_labels_twice_gives_the_same_report(tmp_path, models):
    from tests.builders.notes import place_note, synthetic_note, synthetic_scene
    from tests.builders.video import write_video

    background = synthetic_scene(8)
    with_note = place_note(synthetic_note("500"), background, CORNERS)
    video = write_video(tmp_path / "clip.avi", (with_note if 5 <= i < 20 else background for i in range(30)), 10)
    (tmp_path / "holds.csv").write_text("start,end\n0.4,1.5\n")
    (tmp_path / "labels.csv").write_text("start,end,label\n0.5,2.0,Rs 500\n")
    outputs = []
    for name in ("a", "b"):
        done = run_cli("replay", video, "--holds", tmp_path / "holds.csv", "--labels", tmp_path / "labels.csv",
                       "--report", tmp_path / name, "--language", "en", *models)
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / name / "replay.json").read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    (said,) = data["announcements"]
    # Pressed at 0.4; the 0.4 frame is empty, the 0.6 frame shows the note plainly and decides.
    assert (said["t"], said["decision"], said["text_en"]) == (0.6, "500", "500 rupees")
    assert data["summary"]["accuracy"] == 1.0
    assert "500 rupees" in done.stdout and "accuracy 100.0%" in done.stdout
    assert (tmp_path / "a" / "timeline.csv").read_text().splitlines()[1].startswith("0.6,500,500 rupees")


def test_replay_bad_inputs(tmp_path, models):
    (tmp_path / "holds.csv").write_text("1,oops\n")
    video = tmp_path / "none.avi"
    done = run_cli("replay", video, "--holds", tmp_path / "holds.csv", *models)
    assert done.returncode == 2 and "holds.csv, line 1" in done.stderr
    (tmp_path / "holds.csv").write_text("1,2\n")
    done = run_cli("replay", video, "--holds", tmp_path / "holds.csv", *models)
    assert done.returncode == 2 and str(video) in done.stderr
    assert main(["replay", str(video)]) == 2  # neither --holds nor --auto: usage error


def test_options_before_or_after_the_command():
    parser = build_parser()
    args = parser.parse_args(["--language", "en", "classify", "x.jpg"])
    assert args.language == "en" and args.command == "classify"
    args = parser.parse_args(["classify", "x.jpg", "--language", "en", "-v"])
    assert args.language == "en" and args.verbose == 1
    args = parser.parse_args(["--source", "clip.mp4", "--kiosk"])
    assert args.command is None and args.source == "clip.mp4" and args.kiosk


def test_no_display_falls_back_to_the_terminal(tmp_path, models):
    done = run_cli("--source", tmp_path / "missing.mp4", "--language", "en", *models)
    # No display and no keyboard (stdin is not a terminal): it says why and exits cleanly.
    assert done.returncode == 2
    from desktop_app.voice.phrases import PhraseCatalogue

    said = PhraseCatalogue.load().text("display.missing", "en")
    assert said in done.stdout  # said, and printed: the terminal is the screen
    assert "missing.mp4" in done.stdout


def _refuse_listing(monkeypatch, folder: Path) -> None:
    """Root reads any folder, so 'Permission denied' is simulated where folders are listed."""
    real_scandir, real_iterdir = os.scandir, Path.iterdir

    def scandir(path="."):
        if os.fspath(path) == os.fspath(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def iterdir(self):
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "iterdir", iterdir)


def test_classify_names_an_unreadable_sub_folder_and_counts_it(photos, models, monkeypatch, capsys):
    _refuse_listing(monkeypatch, photos / "500")
    assert main(["classify", str(photos), *map(str, models)]) == 0  # the 100 was still classified
    out, err = capsys.readouterr()
    assert f"error: {photos / '500'}: cannot read folder (Permission denied); skipped" in err
    assert "Classified 1 image(s); 1 skipped." in out and f"skipped {photos / '500'}: cannot read folder" in out


def test_classify_with_nothing_readable_fails_with_the_cause(photos, models, monkeypatch, capsys):
    _refuse_listing(monkeypatch, photos)
    assert main(["classify", str(photos), *map(str, models)]) == 2
    err = capsys.readouterr().err
    assert f"{photos}: cannot read folder (Permission denied)" in err
    assert "no images to classify (no input could be read)" in err


def test_replay_of_an_unreadable_folder_says_so_without_a_traceback(tmp_path, models, monkeypatch, capsys):
    (tmp_path / "frames").mkdir()
    (tmp_path / "holds.csv").write_text("0,1\n")
    _refuse_listing(monkeypatch, tmp_path / "frames")
    code = main(["replay", str(tmp_path / "frames"), "--holds", str(tmp_path / "holds.csv"), *map(str, models)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"error: Cannot open folder {tmp_path / 'frames'}: Permission denied" in err
    # A file where a folder or video is expected, and a dangling link, are refused just as plainly.
    (tmp_path / "notes.txt").write_text("not a video")
    (tmp_path / "link.avi").symlink_to(tmp_path / "gone.avi")
    for bad in (tmp_path / "notes.txt", tmp_path / "link.avi"):
        assert main(["replay", str(bad), "--holds", str(tmp_path / "holds.csv"), *map(str, models)]) == 2
        assert str(bad) in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_is_drawn_on_a_terminal_and_never_on_stdout(photos, models, monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["classify", str(photos), "--jsonl", *map(str, models)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]  # stdout: JSON only
    assert len(rows) == 2
    drawn = terminal.getvalue()
    assert "classify:" in drawn and "\r" in drawn and "3/3" in drawn  # tqdm's bar (2 photos + 1 corrupt), on stderr
    assert f"error: {photos / '500' / 'corrupt.jpg'}" in drawn  # messages still get through
    terminal.truncate(0)
    assert main(["classify", str(photos), "--jsonl", "--quiet", *map(str, models)]) == 0
    assert "\r" not in terminal.getvalue()  # --quiet: no bar
