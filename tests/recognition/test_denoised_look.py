"""The denoised look (``frames.DENOISE_*``), kept for the evaluation's "with a denoised look"
(measured, not in the app's retries): what it computes, and a small note in clutter that it
names where the looks before the pooled one do not."""
from dataclasses import replace

import cv2
import numpy as np

from desktop_app.recognition import frames
from desktop_app.recognition.frames import frame_features
from desktop_app.recognition.gallery import make_sift
from desktop_app.recognition.verifier import Options, Verifier
from tests.builders.notes import place_note, synthetic_gallery, synthetic_note, synthetic_scene


def test_the_denoised_look_is_the_working_frame_denoised_then_enlarged():
    rng = np.random.default_rng(0)
    big = np.clip(rng.normal(128, 30, (960, 1280)), 0, 255).astype(np.uint8)
    sift = make_sift(frames.MAX_FRAME_KEYPOINTS, frames.FRAME_CONTRAST)
    f = frame_features(sift, big, "denoised_enlarged")
    # denoised at the working size (640 long), then enlarged 2.5x like the enlarged look
    assert f.shape == (1200, 1600) and f.scale == 1.25
    plain = cv2.resize(big, (640, 480), interpolation=cv2.INTER_AREA)
    denoised = cv2.fastNlMeansDenoising(plain, h=frames.DENOISE_STRENGTH,
                                        templateWindowSize=frames.DENOISE_WINDOWS[0],
                                        searchWindowSize=frames.DENOISE_WINDOWS[1])
    work = cv2.resize(denoised, (1600, 1200), interpolation=cv2.INTER_CUBIC)
    pts, desc = frames.detect_tiled(sift, frames.stretch(work, frames.STRETCH_PERCENTILES),
                                    frames.MAX_FRAME_KEYPOINTS)
    assert np.array_equal(f.points, pts) and np.array_equal(f.descriptors, desc)
    # and the grain really is taken out (with the strength given where OpenCV expects the
    # output array, the frame comes back almost as it was)
    assert denoised.std() < 0.5 * plain.std()
    # a frame that is not 8-bit (NLM takes 8-bit only) is brought to 8 bits first
    assert frame_features(sift, big.astype(np.float32) / 255, "denoised_enlarged").shape == \
        (1200, 1600)


def test_a_small_synthetic_note_is_named_by_the_denoised_look_where_the_looks_before_fail():
    """The pooled look's note (tests/recognition/test_pooled_look.py): 80 px wide in clutter.
    Without the pooled look, the looks before it name nothing; the denoised look names it."""
    gallery = synthetic_gallery(("5", "10", "20", "100", "500"))
    frame = place_note(synthetic_note("20"), synthetic_scene(3),
                       [[150, 120], [230, 126], [226, 160], [148, 158]])
    before = ("deblurred", "enlarged", "deblurred_enlarged", "tilted")
    assert not Verifier(gallery, options=replace(Options(), retries=before)).verify(frame).accepted
    v = Verifier(gallery, options=replace(Options(), retries=(*before, "denoised_enlarged")))
    out = v.verify(frame)
    assert out.accepted and out.denomination == "20" and out.look == "denoised_enlarged"
    assert 140 <= out.outline[:, 0].min() and out.outline[:, 0].max() <= 240
