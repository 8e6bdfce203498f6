"""One conftest for the suite: offscreen Qt, and an ALSA device that never reaches a speaker."""
import os

# Set before any Qt import: the suite must run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NCR_NO_SETTINGS", "1")
