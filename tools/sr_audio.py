"""What a raw capture from the ALSA file device holds: tones only, or speech too.

The app plays 16-bit mono at 22050 Hz; tools/sr_proof.sh routes ALSA's default device into a
file. Sound is cut into runs of 10 ms frames louder than -45 dBFS (gaps under 60 ms joined);
and the capture is matched against the app's own earcons; what matches none of them is words.

    python tools/sr_audio.py capture.raw [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from desktop_app.voice.audio import SAMPLE_RATE  # noqa: E402
from desktop_app.voice.earcons import EARCON_NAMES, earcon, pulses  # noqa: E402

FRAME = SAMPLE_RATE // 100
LOUD_DBFS = -45.0
JOIN_S = 0.06


def runs(samples: np.ndarray) -> list[tuple[float, float]]:
    n = len(samples) // FRAME
    if n == 0:
        return []
    frames = samples[: n * FRAME].reshape(n, FRAME)
    rms = np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-12
    loud = 20 * np.log10(rms) > LOUD_DBFS
    out: list[list[float]] = []
    for i in np.flatnonzero(loud):
        t = i * FRAME / SAMPLE_RATE
        if out and t - out[-1][1] <= JOIN_S:
            out[-1][1] = t + FRAME / SAMPLE_RATE
        else:
            out.append([t, t + FRAME / SAMPLE_RATE])
    return [(round(a, 3), round(b - a, 3)) for a, b in out]


def decompose(samples: np.ndarray, quiet: float = 1e-3, match: float = 0.98) -> tuple[list[str], float]:
    """Reads the capture as a sequence of the app's earcons (any volume), silence between them;
    returns the earcons found and the seconds of sound that is no earcon (words)."""
    tones = {name: earcon(name) for name in EARCON_NAMES}
    tones["pulse"] = pulses(1)  # privacy mode's beeps
    found: list[str] = []
    other = 0
    p = 0
    while p < len(samples):
        if abs(samples[p]) <= quiet:
            p += 1
            continue
        for name, tone in tones.items():
            piece = samples[p: p + len(tone)]
            # Each tone fades in from silence, so its first loud sample is a few samples in.
            lead = int(np.argmax(np.abs(tone) > quiet))
            piece = samples[max(0, p - lead): max(0, p - lead) + len(tone)]
            if len(piece) == len(tone):
                r = float(np.dot(piece, tone) / (np.linalg.norm(piece) * np.linalg.norm(tone) + 1e-12))
                if r >= match:
                    found.append(name)
                    p = max(0, p - lead) + len(tone)
                    break
        else:
            other += 1
            p += 1
    return found, other / SAMPLE_RATE


def longest_earcon() -> float:
    return max(len(earcon(name)) for name in EARCON_NAMES) / SAMPLE_RATE


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    data = args.raw.read_bytes() if args.raw.exists() else b""
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0
    found = runs(samples)
    limit = longest_earcon() + 0.05
    words = [r for r in found if r[1] > limit]
    tones, other_s = decompose(samples)
    result = {"seconds_captured": round(len(samples) / SAMPLE_RATE, 3), "runs": found,
              "longest_earcon_s": round(limit - 0.05, 3), "long_runs": words,
              "earcons": tones, "other_sound_s": round(other_s, 3),
              # Sound that is none of the earcons, beyond a few stray samples, is words.
              "verdict": "speech" if other_s > 0.05 else ("tones only" if tones else "silence")}
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
