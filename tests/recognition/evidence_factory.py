"""Hand-made FrameEvidence for testing decision logic without images."""
from desktop_app.recognition.evidence import FrameEvidence, ModelOutput, Quality, Verification

GOOD = Quality(brightness=120.0, sharpness=300.0, too_dark=False, blurred=False)
DARK = Quality(brightness=20.0, sharpness=300.0, too_dark=True, blurred=False)
BLURRED = Quality(brightness=120.0, sharpness=10.0, too_dark=False, blurred=True)


def seen(denomination, t, *, inliers=20, score=20.0, runner_up_score=5.0, accepted=True, quality=GOOD, presence=0.9,
         hint=None, refined=False):
    verification = Verification(
        denomination=denomination, side="front", inliers=inliers, score=score, runner_up="10",
        runner_up_score=runner_up_score, accepted=accepted, keypoints=400, hint=hint,
        refined=refined,
    )
    return FrameEvidence(t, quality, verification, ModelOutput(presence, ((denomination or "5", 0.5),)))


def empty(t, *, presence=0.05, quality=GOOD):
    return FrameEvidence(t, quality, Verification(keypoints=200), ModelOutput(presence, (("5", 0.2),)))


def vague(t, *, quality=GOOD, hint=None, presence=0.9):
    """A note is there but nothing verifies."""
    return seen("20", t, inliers=6, score=6.0, accepted=False, quality=quality, presence=presence, hint=hint)
