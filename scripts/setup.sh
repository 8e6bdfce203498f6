#!/usr/bin/env bash
# Sets up everything the app and its tests need on Debian/Ubuntu: system packages (when run as
# root or with sudo), a virtual environment in .venv, and the package in editable mode.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-pip     # every Python package comes as a wheel: nothing compiles
  alsa-utils                           # aplay/arecord to check the sound device
  espeak-ng libespeak-ng1              # speech, with the Nepali voice "ne"
  sox                                  # clip checks and measurement
  fonts-lohit-deva-nepali              # Devanagari on screen
  xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
  libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-cursor0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0
  python3-pyatspi at-spi2-core dbus dbus-x11   # the screen-reader view (AT-SPI)
  python3-speechd speech-dispatcher libglib2.0-bin xdotool   # Orca < 45.2's speech path; tools/*_proof.sh
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    echo "setup: these system packages are missing and I am not root (and there is no sudo):" >&2
    echo "  ${missing[*]}" >&2
    echo "setup: ask an administrator to run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip's and setuptools' chatter goes to a log; it is shown only when something fails.
LOG=.venv/setup.log
if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[test]"; } >"$LOG" 2>&1; then
  tail -n 40 "$LOG" >&2
  echo "setup: installing the Python packages failed; the whole log is in $LOG" >&2
  exit 1
fi
echo "setup: ready (.venv)"
