#!/usr/bin/env bash
# What Orca says for a scan: Orca (Debian 12: 43.1) and speech-dispatcher headless under Xvfb,
# speech-dispatcher writing every text it is given to a file instead of a sound card, the app's
# own sound caught through an ALSA file device, Space held on a note video with xdotool.
#
#   tools/orca_proof.sh VIDEO OUT_DIR [-- extra app options]
#
# Writes OUT_DIR/said.txt (what speech-dispatcher was asked to say, by Orca and by the app, in
# order), OUT_DIR/orca.debug (Orca's own log: "SPEECH OUTPUT" lines), OUT_DIR/sound.json (the
# app's sound: tones only, or speech), OUT_DIR/app.log, OUT_DIR/reader.txt (ScreenReaderEnabled).
# NCR_READER_PATH=announcement forces Qt announcements (to show Orca 43.1 ignoring them).
set -euo pipefail

if [[ "${1:-}" == "--inner" ]]; then
    shift
    VIDEO=$1 OUT=$2
    shift 2
    export HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/home/.config" XDG_RUNTIME_DIR="$OUT/run"
    export NCR_SPEECHD_SAID="$OUT/said.txt"
    /usr/libexec/at-spi-bus-launcher --launch-immediately &
    BUS=$!
    sleep 1
    orca --replace --debug-file="$OUT/orca.debug" >"$OUT/orca.log" 2>&1 &
    ORCA=$!
    sleep 6  # Orca connects to AT-SPI and speech-dispatcher, and says its welcome
    gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
        --method org.freedesktop.DBus.Properties.Get org.a11y.Status ScreenReaderEnabled >"$OUT/reader.txt" 2>&1 || true
    [[ -n "${NCR_READER_PATH:-}" ]] && printf "[speech]\nreader_path=%s\n" "$NCR_READER_PATH" >"$OUT/settings.ini"
    echo "--- app starts" >>"$OUT/said.txt"
    APP_ARGS=$(printf ' %q' --source "$VIDEO" "$@")
    HOME="$OUT/apphome" NCR_SETTINGS_FILE="$OUT/settings.ini" QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 \
        .venv/bin/python -m desktop_app -v $APP_ARGS >"$OUT/app.log" 2>&1 &
    APP=$!
    sleep 8
    xdotool search --sync --name 'Nepali Cash Reader' windowfocus --sync 2>/dev/null || true
    sleep 0.5
    echo "--- Space held" >>"$OUT/said.txt"
    xdotool keydown space; sleep "${NCR_HOLD:-4}"; xdotool keyup space
    sleep 3
    kill "$APP" "$ORCA" 2>/dev/null || true
    sleep 1
    SPD_PID="$XDG_RUNTIME_DIR/speech-dispatcher/pid/speech-dispatcher.pid"  # autospawned: not our child
    [[ -s "$SPD_PID" ]] && kill "$(cat "$SPD_PID")" 2>/dev/null || true
    kill "$BUS" 2>/dev/null || true
    exit 0
fi

VIDEO=$(realpath "${1:?usage: tools/orca_proof.sh VIDEO OUT_DIR [-- app options]}")
OUT=$(realpath -m "${2:?OUT_DIR}")
shift 2
[[ "${1:-}" == "--" ]] && shift
rm -rf "$OUT" && mkdir -p "$OUT/home/.config/speech-dispatcher/modules" "$OUT/apphome" "$OUT/run"
chmod 700 "$OUT/run"
cd "$(dirname "$0")/.."
cp tools/speechd/speechd.conf "$OUT/home/.config/speech-dispatcher/speechd.conf"
cp tools/speechd/filewriter.conf "$OUT/home/.config/speech-dispatcher/modules/filewriter.conf"
echo 'pcm.!default { type null }' >"$OUT/home/.asoundrc"  # speech-dispatcher needs a device to open
echo "pcm.!default { type file; slave.pcm \"null\"; file \"|cat >>$OUT/sound.raw\"; format \"raw\" }" \
    >"$OUT/apphome/.asoundrc"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash tools/orca_proof.sh --inner "$VIDEO" "$OUT" "$@" || true
.venv/bin/python tools/sr_audio.py "$OUT/sound.raw" --json "$OUT/sound.json" || true
echo "ScreenReaderEnabled: $(cat "$OUT/reader.txt")"
echo "speech-dispatcher was asked to say:"
cat "$OUT/said.txt"
