#!/usr/bin/env bash
# Teach mode as a user does it, under Xvfb with an AT-SPI bus and real key events (xdotool):
# hold Space (the app does not know the note yet), Ctrl+T, the value's number key, hold Space on
# one side, again on the other, wait for the check, then hold Space once more (the next hold).
# Every announcement is read over AT-SPI, as Orca would; all the sound goes to OUT/sound.raw
# (16-bit mono 22050 Hz: sox -t raw -r 22050 -e signed -b 16 -c 1 sound.raw -n stats).
#
#   tools/teach_proof.sh VIDEO OUT_DIGIT_KEY OUT_DIR [EXPECTED[|MORE...]] [-- app options]
#
# e.g. (tools/teach_video.py makes the video and a gallery that lacks the note):
#   tools/teach_proof.sh /tmp/e2e-teach/note.avi 4 /tmp/e2e-teach/run \
#       "Not sure|Saved. From now on this note is named 50 rupees." -- --language en \
#       --gallery /tmp/e2e-teach/gallery.npz --data-dir /tmp/e2e-teach/data
# Writes OUT_DIR/atspi.json (events in order), app.log, before.png, teaching.png, after.png.
# Environment: NCR_CHECK_WAIT (seconds for the check, default 40), NCR_HOLD (default 5).
set -euo pipefail
# shellcheck source=tools/stop_session.sh
source "$(dirname "$0")/stop_session.sh"

if [[ "${1:-}" == "--inner" ]]; then
    shift
    SOURCE=$1 DIGIT=$2 OUT=$3 EXPECT=$4
    shift 4
    start_bus
    APP_ARGS=$(printf ' %q' --source "$SOURCE" "$@")
    expect_args "$EXPECT"
    HOLD=${NCR_HOLD:-5}
    WAIT=${NCR_CHECK_WAIT:-40}
    hold="xdotool keydown space; sleep $HOLD; xdotool keyup space"
    set +e
    /usr/bin/python3 tools/atspi_probe.py --app "Nepali Cash Reader" --wait 30 --listen $((WAIT + 4 * HOLD + 45)) \
        --launch "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 NCR_NO_SETTINGS=1 .venv/bin/python -m desktop_app $APP_ARGS \
                  >'$OUT/app.log' 2>&1 & echo \$! >'$OUT/app.pid'" \
        --then-delay 3 \
        --then "xdotool search --sync --name 'Nepali Cash Reader' windowfocus --sync 2>/dev/null; sleep 0.3; \
                $hold; sleep 3; import -window root '$OUT/before.png'; \
                xdotool key ctrl+t; sleep 12; xdotool key $DIGIT; sleep 6; \
                xdotool keydown space; sleep 0.5; import -window root '$OUT/teaching.png'; \
                sleep $HOLD; xdotool keyup space; sleep 5; \
                $hold; sleep $WAIT; \
                $hold; sleep 3; import -window root '$OUT/after.png'" \
        "${EXPECT_ARGS[@]}" --json "$OUT/atspi.json"
    STATUS=$?
    set -e
    stop_session
fi

SOURCE=$(realpath "${1:?usage: tools/teach_proof.sh VIDEO DIGIT OUT_DIR [EXPECTED] [-- app options]}")
DIGIT=${2:?the value key, 1 (Rs 5) to 7 (Rs 1000)}
OUT=$(realpath -m "${3:-/tmp/ncr-teach}")
EXPECT=${4:-}
shift $(( $# < 4 ? $# : 4 ))
[[ "${1:-}" == "--" ]] && shift
rm -f "$OUT"/*.png "$OUT/app.pid"
sound_to_file "$OUT"
cd "$(dirname "$0")/.."
HOME="$OUT/home" exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    bash tools/teach_proof.sh --inner "$SOURCE" "$DIGIT" "$OUT" "$EXPECT" "$@"
