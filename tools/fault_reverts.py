"""Reverts each fault fix of RELIABILITY.md for a moment and runs the tests that must catch it.

Each check names one fix: a file, the exact lines of the fix, what they are replaced with, and
the tests. A check passes when every test FAILS while the fix is out. The file is always put
back (``finally``), so the tree is as before; run it on a clean tree:

    python tools/fault_reverts.py            # every check
    python tools/fault_reverts.py "camera lost" "huge file"

"PATTERN NOT FOUND" means the fix's code has moved: update its lines here.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_TIMEOUT_S = 120  # a test that hangs without its fix (the pipe) counts as failing

CHECKS = [
 ("camera absent", "desktop_app/sources/camera.py",
  'if self._cap is None or not self._cap.isOpened():\n            raise SourceError("camera.missing"',
  'if False:\n            raise SourceError("camera.missing"',
  ["tests/sources/test_camera.py::test_missing_camera_raises_a_spoken_error"]),
 ("camera lost", "desktop_app/ui/source_owner.py",
  '            self._no_picture(self.problem_for("camera.lost"))', '            pass',
  ["tests/ui/test_source_owner.py::test_camera_lost_mid_run_is_reported_once_and_comes_back"]),
 ("camera stalled", "desktop_app/ui/source_owner.py",
  '        self._give_up_on(worker.source, "stalled", {})', '        pass',
  ["tests/ui/test_source_owner.py::test_a_stalled_camera_is_said_once_and_looked_for_until_it_is_back"]),
 ("camera black", "desktop_app/scanning/decision.py",
  '    if dark * 2 > n:\n        return "too_dark"', '',
  ["tests/scanning/test_decision.py::test_hints_follow_the_most_common_problem"]),
 ("video corrupt", "desktop_app/sources/video.py",
  '        if not ok or first is None:\n            self._cap.release()', '        if False:\n            self._cap.release()',
  ["tests/sources/test_video.py::test_missing_and_corrupt_videos_name_the_file",
   "tests/ui/test_source_owner.py::test_a_bad_video_file_is_reported"]),
 ("model missing", "desktop_app/recognition/recognizer.py",
  '        problems.append(LoadProblem(key, {"path": str(model_path)}, str(exc)))', '        pass',
  ["tests/ui/test_main_window.py::test_missing_model_and_gallery_are_said_and_space_explains"]),
 ("model runtime", "desktop_app/recognition/recognizer.py",
  '            except ModelError:\n', '            except ZeroDivisionError:\n',
  ["tests/recognition/test_recognizer_model_failure.py::test_frame_is_still_verified_when_the_model_fails"]),
 ("clip missing", "desktop_app/voice/checks.py",
  '            problems.append(SpeechProblem("sound.clip_missing"', '            0 and problems.append(SpeechProblem("sound.clip_missing"',
  ["tests/voice/test_checks.py::test_every_missing_or_broken_clip_is_named_with_its_own_phrase",
   "tests/voice/test_window_speech.py::test_a_missing_clip_is_said_by_tts_and_told_once"]),
 ("clip corrupt", "desktop_app/voice/checks.py",
  '            problems.append(SpeechProblem("sound.clip_broken", f"{exc}', '            0 and problems.append(SpeechProblem("sound.clip_broken", f"{exc}',
  ["tests/voice/test_checks.py::test_every_missing_or_broken_clip_is_named_with_its_own_phrase"]),
 ("audio failed", "desktop_app/voice/announcer.py",
  '        self._deliver(self._render([("audio.failed", {})], "error", None), None)', '        pass',
  ["tests/voice/test_announcer.py::test_dead_audio_is_told_once_on_screen_and_to_the_screen_reader",
   "tests/voice/test_announcer.py::test_a_late_speech_failure_after_a_sync_one_is_not_told_twice"]),
 ("device vanishing", "desktop_app/voice/output.py",
  '                    self.on_error(failure)', '                    pass',
  ["tests/voice/test_output.py::test_a_dead_device_raises_now_or_reports_later"]),
 ("gallery missing", "desktop_app/recognition/recognizer.py",
  '        problems.append(LoadProblem(f"gallery.{exc.kind}", where, str(exc)))', '        pass',
  ["tests/ui/test_main_window.py::test_missing_model_and_gallery_are_said_and_space_explains"]),
 ("replaced: hold dropped", "desktop_app/ui/source_owner.py",
  '        self.controller.cancel()  # frames from before', '        pass  # frames from before',
  ["tests/ui/test_faults_camera.py"]),
 ("source raises", "desktop_app/ui/source_owner.py",
  '        self._give_up_on(worker.source, "failed", {"reason": reason})', '        pass',
  ["tests/ui/test_source_owner.py::test_a_recording_that_raises_is_said_with_its_cause",
   "tests/ui/test_source_owner.py::test_a_camera_that_raises_is_said_with_its_cause_and_reopened"]),
 ("console gallery", "desktop_app/console.py",
  '            self.controller.problem = recognizer.why_not_ready(self.gallery_path)', '            self.controller.problem = ("gallery.missing", {"path": self.gallery_path}, ())',
  ["tests/test_faults_console.py"]),
 ("held minutes", "desktop_app/scanning/session.py",
  'elif self.state == SCANNING and t - self.hold_started >= self.th.max_hold:', 'elif False:',
  ["tests/scanning/test_session.py::test_key_held_for_minutes_gives_up_once_then_waits_for_release"]),
 ("not an image", "desktop_app/sources/stills.py",
  '    if image is None or image.size == 0:\n        return None, NOT_AN_IMAGE', '',
  ["tests/sources/test_faults.py::test_a_text_file_named_as_a_photo_is_not_an_image"]),
 ("unreadable image", "desktop_app/sources/stills.py",
  '    except OSError as exc:\n        return None, f"cannot read image', '    except ZeroDivisionError as exc:\n        return None, f"cannot read image',
  ["tests/testers/test_classify.py::test_an_image_that_cannot_be_opened_says_why"]),
 ("unreadable skipped", "desktop_app/sources/folder.py",
  '                if image is None:\n', '                if False:\n',
  ["tests/sources/test_folder.py::test_image_folder_skips_unreadable_files"]),
 ("unreadable classify", "desktop_app/testers/classify.py",
  '        if image is None:\n            skipped', '        if False:\n            skipped',
  ["tests/test_cli.py::test_classify_jsonl_is_machine_readable"]),
 ("unreadable folder", "desktop_app/sources/folder.py",
  '    except OSError as exc:\n        reason = exc.strerror or str(exc)\n        raise SourceError("folder.unreadable"',
  '    except ZeroDivisionError as exc:\n        reason = exc.strerror or str(exc)\n        raise SourceError("folder.unreadable"',
  ["tests/ui/test_source_owner.py::test_an_unreadable_folder_is_said_with_its_cause"]),
 ("focus lost", "desktop_app/ui/keys.py",
  '            self.window.release(self._clock(), False)\n            return False', '            return False',
  ["tests/ui/test_faults_keys.py"]),
 ("frozen stays lost", "desktop_app/sources/camera.py",
  '                self._lose()  # still the same picture', '                return False  # still the same picture',
  ["tests/sources/test_faults.py::test_a_frozen_camera_is_lost_once_and_back_when_its_picture_moves"]),
 ("gallery unknown value", "desktop_app/recognition/recognizer.py",
  '        if unknown:\n', '        if False:\n',
  ["tests/recognition/test_faults.py", "tests/ui/test_faults_gallery.py::test_gallery_with_an_unnamed_value_is_refused_and_said"]),
 ("gallery kinds", "desktop_app/recognition/recognizer.py",
  'problems.append(LoadProblem(f"gallery.{exc.kind}", where, str(exc)))', 'problems.append(LoadProblem("gallery.missing", where, str(exc)))',
  ["tests/recognition/test_faults.py", "tests/ui/test_faults_gallery.py::test_corrupt_gallery_is_said_damaged"]),
 ("gallery on press", "desktop_app/ui/main_window.py",
  '            return self.recognizer.why_not_ready(self.gallery_path)', '            return "gallery.missing", {"path": self.gallery_path}, ()',
  ["tests/ui/test_faults_gallery.py"]),
 ("huge file", "desktop_app/sources/stills.py",
  '        if st.st_size > MAX_IMAGE_BYTES:', '        if False:',
  ["tests/sources/test_faults.py::test_a_multi_gigabyte_file_is_refused_unread"]),
 ("large picture", "desktop_app/sources/stills.py",
  '    if header is not None and header[1] * header[2] > MAX_IMAGE_PIXELS:', '    if False:',
  ["tests/sources/test_faults.py::test_a_large_png_is_refused_with_its_size",
   "tests/sources/test_faults.py::test_a_large_jpeg_is_read_reduced_while_decoding"]),
 ("gigapixel picture", "desktop_app/sources/stills.py",
  '        return None, _too_large(f"over {2 * Image.MAX_IMAGE_PIXELS // 1_000_000} million")', '        header = None',
  ["tests/sources/test_faults.py::test_a_gigapixel_picture_in_a_small_file_is_refused_undecoded",
   "tests/sources/test_faults.py::test_folder_source_skips_huge_and_non_image_files_and_says_why",
   "tests/testers/test_faults.py::test_classify_skips_what_cannot_be_read_safely"]),
 ("not a regular file", "desktop_app/sources/stills.py",
  '        if not stat.S_ISREG(st.st_mode):', '        if False:',
  ["tests/sources/test_faults.py::test_a_pipe_named_as_a_photo_is_refused_not_read_forever"]),
 ("frozen camera", "desktop_app/sources/camera.py",
  '        if self._is_frozen(image):\n            return None\n', '',
  ["tests/sources/test_faults.py::test_a_frozen_camera_is_lost_once_and_back_when_its_picture_moves"]),
 ("black is not frozen", "desktop_app/sources/camera.py",
  'and int(image.max()) - int(image.min()) > 8)', ')',
  ["tests/sources/test_faults.py::test_a_black_camera_is_not_frozen_but_too_dark"]),
 ("video truncated", "desktop_app/sources/video.py",
  '            ok, image = self._cap.read()\n            if not ok or image is None:\n                if not self.loop',
  '            ok, image = self._cap.read()\n            if False:\n                if not self.loop',
  ["tests/sources/test_faults.py::test_a_truncated_video_plays_what_it_has_then_ends"]),
 ("video zero frames", "desktop_app/sources/video.py",
  '        if not ok or first is None:\n            self._cap.release()', '        if False:\n            self._cap.release()',
  ["tests/sources/test_faults.py::test_a_video_with_zero_frames_is_refused_with_its_name"]),
 ("model corrupt", "desktop_app/recognition/recognizer.py",
  '        key = "model.missing" if not model_path.exists() else "model.corrupt"', '        key = "model.missing"',
  ["tests/recognition/test_faults.py::test_a_damaged_model_is_said_damaged_and_the_gallery_still_names_notes"]),
 ("hammered: same scan", "desktop_app/scanning/session.py",
  '        if self.state in (SCANNING, FINISHING):', '        if False:',
  ["tests/scanning/test_faults.py::test_hammered_taps_answer_each_scan_once"]),
 ("hammered: grace", "desktop_app/scanning/session.py",
  '        if self._release_at is not None:\n            # A release', '        if False:\n            # A release',
  ["tests/scanning/test_faults.py::test_presses_closer_than_the_grace_are_one_hold"]),
]


def main(only: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    bad = 0
    for name, rel, old, new, tests in CHECKS:
        if only and name not in only:
            continue
        path = ROOT / rel
        text = path.read_text(encoding="utf-8")
        if text.count(old) != 1:
            print(f"{name}: PATTERN NOT FOUND in {rel}")
            bad += 1
            continue
        path.write_text(text.replace(old, new), encoding="utf-8")
        try:
            for test in tests:
                done = subprocess.run(["timeout", str(TEST_TIMEOUT_S), sys.executable, "-m", "pytest", "-q",
                                       "-p", "no:cacheprovider", test], cwd=ROOT, env=env,
                                      capture_output=True, text=True)
                caught = done.returncode != 0
                bad += not caught
                print(f"{name}: {test}: {'fails without the fix (good)' if caught else 'PASSES WITHOUT THE FIX'}",
                      flush=True)
        finally:
            path.write_text(text, encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
