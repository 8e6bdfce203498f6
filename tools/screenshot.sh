#!/usr/bin/env bash
# Runs the real window under Xvfb with an AT-SPI bus, as a blind user's desktop would have it:
# starts the app from an AT-SPI listener (so start-up announcements are caught too), reads the
# accessible tree, takes a screenshot, holds Space for a few seconds with xdotool, takes another,
# and checks that the expected texts arrived as AT-SPI announcements (what Orca speaks).
#
#   tools/screenshot.sh SOURCE [OUT_DIR] [EXPECTED_TEXT[|MORE_TEXT...]] [-- extra app options]
#
# SOURCE is a video file, an image folder or a camera index (e.g. 7 for a missing camera).
# Needs: xvfb-run, dbus-run-session, at-spi2-core, imagemagick (import), xdotool, python3-pyatspi.
# Writes OUT_DIR/start.png, OUT_DIR/after.png, OUT_DIR/atspi.json, OUT_DIR/app.log.
# Environment: NCR_HOLD (seconds Space is held, default 4), NCR_LISTEN (seconds, default 14),
# NCR_NO_KEYS=1 (press nothing: for --kiosk, which scans by itself).
# Exit status: the probe's (0 all expected texts announced, 1 some missing, 2 app not found).
set -euo pipefail
# shellcheck source=tools/stop_session.sh
source "$(dirname "$0")/stop_session.sh"

if [[ "${1:-}" == "--inner" ]]; then
    shift
    SOURCE=$1 OUT=$2 EXPECT=$3
    shift 3
    start_bus
    APP_ARGS=$(printf ' %q' --source "$SOURCE" "$@")
    expect_args "$EXPECT"
    set +e
    /usr/bin/python3 tools/atspi_probe.py --app "Nepali Cash Reader" --wait 30 --listen "${NCR_LISTEN:-14}" \
        --launch "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 NCR_NO_SETTINGS=1 .venv/bin/python -m desktop_app $APP_ARGS \
                  >'$OUT/app.log' 2>&1 & echo \$! >'$OUT/app.pid'" \
        --then-delay 3 \
        --then "import -window root '$OUT/start.png'; \
                xdotool search --sync --name 'Nepali Cash Reader' windowfocus --sync 2>/dev/null; sleep 0.3; \
                [ -n \"${NCR_NO_KEYS:-}\" ] || { xdotool keydown space; sleep ${NCR_HOLD:-4}; xdotool keyup space; }; \
                sleep 1.5; \
                import -window root '$OUT/after.png'" \
        "${EXPECT_ARGS[@]}" --json "$OUT/atspi.json"
    STATUS=$?
    set -e
    stop_session
fi

SOURCE=${1:?usage: tools/screenshot.sh SOURCE [OUT_DIR] [EXPECTED_TEXT] [-- app options]}
[[ "$SOURCE" =~ ^[0-9]+$ ]] || SOURCE=$(realpath "$SOURCE")
OUT=$(realpath -m "${2:-/tmp/ncr-ui}")
EXPECT=${3:-}
shift $(( $# < 3 ? $# : 3 ))
[[ "${1:-}" == "--" ]] && shift
mkdir -p "$OUT"
rm -f "$OUT/start.png" "$OUT/after.png" "$OUT/app.pid"
cd "$(dirname "$0")/.."
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash tools/screenshot.sh --inner "$SOURCE" "$OUT" "$EXPECT" "$@"
