#!/usr/bin/env bash
# The one-voice proof: the real window under Xvfb with an AT-SPI bus whose ScreenReaderEnabled
# is set as Orca sets it, Space held on a note video, the announcements caught over AT-SPI
# (tools/atspi_probe.py) and the app's sound caught through an ALSA file device.
#
#   tools/sr_proof.sh VIDEO OUT_DIR true|false [privacy] [-- extra app options]
#
# Writes OUT_DIR/atspi.json (tree and announcements), OUT_DIR/sound.raw (16-bit mono 22050 Hz),
# OUT_DIR/sound.json (tools/sr_audio.py's verdict: silence, tones only, speech), OUT_DIR/app.log.
# Needs: xvfb-run, dbus-run-session, at-spi2-core, xdotool, python3-pyatspi.
set -euo pipefail
# shellcheck source=tools/stop_session.sh
source "$(dirname "$0")/stop_session.sh"

if [[ "${1:-}" == "--inner" ]]; then
    shift
    VIDEO=$1 OUT=$2 READER=$3 PRIVACY=$4
    shift 4
    start_bus
    # What Orca does when it starts (and undoes when it quits).
    dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus org.freedesktop.DBus.Properties.Set \
        string:org.a11y.Status string:ScreenReaderEnabled "variant:boolean:$READER" >/dev/null
    sound_to_file "$OUT"
    # Announcements, as for Orca 45.2+ (this machine's Orca 43.1 would get speech-dispatcher:
    # tools/orca_proof.sh shows that path).
    printf '[speech]\nprivacy=%s\nreader_path=announcement\n' "$PRIVACY" >"$OUT/settings.ini"
    APP_ARGS=$(printf ' %q' --source "$VIDEO" "$@")
    set +e
    /usr/bin/python3 tools/atspi_probe.py --app "Nepali Cash Reader" --wait 30 --listen "${NCR_LISTEN:-12}" \
        --launch "HOME='$OUT/home' NCR_SETTINGS_FILE='$OUT/settings.ini' QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 \
                  .venv/bin/python -m desktop_app -v $APP_ARGS >'$OUT/app.log' 2>&1 & echo \$! >'$OUT/app.pid'" \
        --then-delay 3 \
        --then "xdotool search --sync --name 'Nepali Cash Reader' windowfocus --sync 2>/dev/null; sleep 0.3; \
                xdotool keydown space; sleep ${NCR_HOLD:-4}; xdotool keyup space; sleep 1.5" \
        --json "$OUT/atspi.json"
    STATUS=$?
    set -e
    stop_session
fi

VIDEO=$(realpath "${1:?usage: tools/sr_proof.sh VIDEO OUT_DIR true|false [privacy] [-- app options]}")
OUT=$(realpath -m "${2:?OUT_DIR}")
READER=${3:?true or false}
PRIVACY=false
shift 3
if [[ "${1:-}" == "privacy" ]]; then PRIVACY=true; shift; fi
[[ "${1:-}" == "--" ]] && shift
mkdir -p "$OUT"
cd "$(dirname "$0")/.."
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    bash tools/sr_proof.sh --inner "$VIDEO" "$OUT" "$READER" "$PRIVACY" "$@" || true
.venv/bin/python tools/sr_audio.py "$OUT/sound.raw" --json "$OUT/sound.json"
