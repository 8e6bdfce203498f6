"""Every timing constant of the scan loop and the window, in one place (seconds).

The thresholds that decide a value stay in ``recognition/thresholds.py``; the per-hold timings
there (tap burst, longest hold, kiosk settle) take their defaults from here, so a timing is
changed in this file alone.
"""
from __future__ import annotations

# The loop's pace, shared by every driver: the session is ticked every TICK_INTERVAL s, and
# terminal mode and replay evaluate one frame every EVAL_INTERVAL s (the window's recogniser,
# running as fast as the CPU allows, manages about that on a laptop).
TICK_INTERVAL = 0.05
EVAL_INTERVAL = 0.2
# X11 autorepeat sends unflagged release/press pairs a few ms apart: a release only ends a hold
# when no press follows within this.
RELEASE_GRACE = 0.08
TAP_BURST = 1.2  # a short tap keeps scanning this long after the press
MAX_HOLD = 10.0  # a key held longer than this gives up with "not sure" once
KIOSK_SETTLE = 0.4  # a note must be present this long before the kiosk scans
KIOSK_SCAN_LENGTH = 3.0  # the kiosk's "virtual hold" per note; a decision usually comes well before
QUIT_CONFIRM = 5.0  # a second Escape within this time quits
CAMERA_RETRY = 3.0  # how often a missing camera is looked for again
# A camera repeating one picture byte for byte this long is frozen (a hung driver or a virtual
# camera showing a still): real sensors never give two identical frames of a scene.
CAMERA_FROZEN = 1.5
# Capture and worker threads. A read() that has not returned after READ_STALL is a stalled
# device: the window stops waiting for it (its thread finishes on its own) and says so; the
# watchdog looks every STALL_CHECK. At shutdown the window waits at most CAPTURE_STOP_WAIT for a
# capture thread (one frame; a stalled one is abandoned) and RECOGNITION_STOP_WAIT for the
# recogniser, which never blocks on a device, only on a frame's worth of arithmetic.
READ_STALL = 2.0
STALL_CHECK = 0.25
CAPTURE_STOP_WAIT = 0.2
RECOGNITION_STOP_WAIT = 2.0
IDLE_POLL = 0.05  # a capture loop with no frame (camera away) looks again after this
# Counting: the same value scanned again within RESCAN_WINDOW of the last counted note is taken
# for the same note held again (not added; A adds it); a second 0 within CLEAR_CONFIRM clears.
RESCAN_WINDOW = 5.0
CLEAR_CONFIRM = 5.0
# Teach mode: kept pictures of one side at least TEACH_VIEW_SPACING apart (a camera's next frame
# is a near-copy; a moment later the hand has moved the note a little, a more useful view), and
# guidance said once per hold after TEACH_GUIDANCE_AFTER of frames failing the same way.
TEACH_VIEW_SPACING = 0.4
TEACH_GUIDANCE_AFTER = 1.5
