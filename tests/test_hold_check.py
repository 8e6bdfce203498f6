"""tools/hold_check.py: recorded frames decided by the app's own hold rules, and its report."""
from __future__ import annotations

import json
from dataclasses import replace

from desktop_app.recognition.thresholds import DEFAULT
from tests.builders.notes import synthetic_gallery
from tools import hold_check


def frame(named, accepted, inliers=20, score=20.0):
    """A recorded frame (``training.folds.record``'s fields)."""
    from desktop_app.recognition.evidence import Verification
    from training.folds import record

    return record(Verification(denomination=named, inliers=inliers, score=score,
                               accepted=accepted, regions=5, keypoints=500))


# An unknown design as recorded: placed by shared artwork in most frames, named by chance
# three times.
UNKNOWN_HOLD = [frame("100", False, score=1.0)] * 7 + [frame("100", True, score=9.0)] * 3
KNOWN_HOLD = [frame("50", True)] * 3


def test_decide_uses_the_apps_hold_rules():
    assert hold_check.decide(KNOWN_HOLD, DEFAULT) == "50"
    assert hold_check.decide(UNKNOWN_HOLD, DEFAULT) == "unsure"
    without = replace(DEFAULT, **hold_check.VARIANTS["without the unnamed-frames rule"])
    assert hold_check.decide(UNKNOWN_HOLD, without) == "100"
    assert hold_check.decide([frame(None, False, inliers=0)] * 3, DEFAULT) == "unsure"
    # two chance frames that agree: named by the rule before, not by the shipped one
    two = [frame("100", False, score=1.0)] * 4 + [frame("100", True, score=9.0)] * 2
    before = replace(DEFAULT, **hold_check.VARIANTS["two agreeing frames (the rule before)"])
    assert hold_check.decide(two, before) == "100"
    assert hold_check.decide(two, DEFAULT) == "unsure"


def test_report_counts_known_unknown_and_hard_holds(tmp_path):
    gallery = synthetic_gallery(("50", "100"))  # fronts only: a Rs 20 front is uncovered
    for stem, value, known, unknown in (("a", "50", KNOWN_HOLD, UNKNOWN_HOLD),
                                        ("b", "20", UNKNOWN_HOLD, UNKNOWN_HOLD)):
        note = tmp_path / "videos" / stem
        note.mkdir(parents=True)
        gallery.save(note / "gallery.npz")
        for kind, frames in (("known", known), ("unknown", unknown)):
            recs = ([dict(r, t=0.6 + 0.2 * i) for i, r in enumerate(frames)]
                    + [dict(r, t=4.4 + 0.2 * i) for i, r in enumerate(frames)])
            (note / f"frames_{kind}.json").write_text(json.dumps(dict(
                photo=f"photos/{value}/{stem}.jpg", value=value, side="front", frames=recs)))
    (tmp_path / "hard11.json").write_text(json.dumps({
        "hard:x:0": dict(truth="50", transforms=["noise"], frames=KNOWN_HOLD),
        "hard:y:0": dict(truth="100", transforms=["fold"], frames=UNKNOWN_HOLD)}))
    s = hold_check.summary(hold_check.outcomes(tmp_path, DEFAULT))
    # note a: two known holds named right; its unknown-design holds and note b's (uncovered:
    # both of its galleries are the same, counted once) come out not sure
    assert (s["known_right"], s["known_holds"], s["known_wrong"]) == (2, 2, 0)
    assert (s["unknown_named"], s["unknown_holds"]) == (0, 4)
    assert (s["hard_right"], s["hard_holds"], s["hard_wrong"]) == (1, 2, 0)
    before = hold_check.summary(hold_check.outcomes(
        tmp_path, replace(DEFAULT, unnamed_per_named=float("inf"))))
    # the rule's price: a hard note placed without its value in most frames is not named either
    assert before["unknown_named"] == 4 and before["hard_right"] == 2
    text = hold_check.markdown(tmp_path)
    assert "| shipped | 2/2 | 0 | 0/4 | 1/2 | 0 |" in text
    assert "| photos/20/b.jpg | Rs 20 front | unsure, unsure | (counted in the column before) |" \
        in text


class ScriptedRecognizer:
    """Frames by brightness: bright = a Rs 100 named; mid = placed, nothing named; dark = an
    empty view."""

    ready = True
    model = None

    def evaluate(self, image, t, verify=True):
        from desktop_app.recognition.evidence import FrameEvidence, Quality, Verification

        level = image.mean()
        if level > 180:
            v = Verification("100", "front", inliers=20, score=20.0, accepted=True, keypoints=500)
        elif level > 80:
            v = Verification("100", "front", inliers=20, score=1.0, accepted=False, keypoints=500)
        else:
            v = Verification(keypoints=3)
        return FrameEvidence(t, Quality(120.0, 300.0, False, False), v, None)


def test_recorded_frames_decide_as_the_replay_does(tmp_path, monkeypatch):
    """The report's decisions, made afterwards from the recorded frames, are the replay
    command's own: the same frames (its grid, key down to key up) through the same rules."""
    import numpy as np

    import desktop_app.recognition.recognizer as recognizer_mod
    from desktop_app.sources.frames import VideoSource
    from desktop_app.testers.reading import Span
    from desktop_app.testers.replay import replay
    from desktop_app.voice.phrases import PhraseCatalogue
    from tests.builders.video import write_video

    fps = 12.0
    # hold 1 (0.5-4.0): placed-only frames, then named ones; hold 2 (4.3-7.8): placed only
    levels = [120 if t < 2.0 or t >= 4.2 else 230 for t in (i / fps for i in range(96))]
    video = write_video(tmp_path / "v.avi",
                        (np.full((48, 64, 3), v, np.uint8) for v in levels), fps)
    monkeypatch.setattr(recognizer_mod, "load_recognizer",
                        lambda *a, **k: (ScriptedRecognizer(), []))
    frames = hold_check.video_frames(video, tmp_path / "unused.npz")
    held = [[r for r in frames if hold_check.hold_of(r["t"]) == k] for k in (0, 1)]
    ours = [hold_check.decide(h, DEFAULT) for h in held]
    source = VideoSource(video)
    result = replay(source, ScriptedRecognizer(), catalogue=PhraseCatalogue.load(),
                    holds=[Span(a, b) for a, b in hold_check.HOLDS])
    source.close()
    said = [a for a in result.announcements if a.kind == "result"]
    assert ours == [a.decision for a in said] == ["100", "unsure"]
    # the same frames: hold 1's until the replay decided, and all of hold 2's, the frame after
    # the release included (the session takes frames until the release is confirmed)
    looked = [round(f.t, 3) for f in result.frames]
    first = len(looked) - said[1].frames_used
    assert looked[:first] == [r["t"] for r in held[0][:first]]
    assert looked[first:] == [r["t"] for r in held[1]] and held[1][-1]["t"] > 7.8
    # hold 1 was named only once enough named frames outweighed the unnamed ones: later than
    # agree_frames named frames would have been
    named_at = [r["t"] for r in held[0] if r["accepted"]][:first]
    assert said[0].t > named_at[DEFAULT.agree_frames - 1]


def test_again_verifies_only_the_frames_a_look_named_before(tmp_path):
    """``hard --again``: a change that only takes names away (the colour check) cannot
    change a frame nothing named; those keep their records, the others are verified anew."""
    from desktop_app.recognition.evidence import Verification

    before = [dict(frame("50", True), i=0), dict(frame("50", False, score=2.0), i=1),
              dict(frame(None, False, inliers=0), i=2)]
    (tmp_path / "hard11.json").write_text(json.dumps({"hard:a:0": dict(frames=before[:2])}))
    (tmp_path / "hard11_reverse.json").write_text(json.dumps({"hard:b:0": dict(frames=before)}))
    (tmp_path / "hard7.json").write_text(json.dumps({"hard:c:0": dict(frames=before)}))
    assert sorted(hold_check.recorded_holds(tmp_path, 11)) == ["hard:a:0", "hard:b:0"]
    seen = []

    def verify(image):
        seen.append(image)
        return Verification(denomination="50", inliers=30, score=20.0, accepted=False,
                            colour=-0.4, keypoints=500)
    recs = hold_check.verified(["f0", "f1", "f2"], verify, before)
    assert seen == ["f0"]  # only the frame named before
    assert recs[0]["accepted"] is False and recs[0]["colour"] == -0.4 and recs[0]["i"] == 0
    assert recs[1:] == [dict(before[1], colour=None), dict(before[2], colour=None)]
    assert len(hold_check.verified(["f0", "f1", "f2"], verify)) == 3 and len(seen) == 4
