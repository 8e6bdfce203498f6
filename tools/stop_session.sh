# Sourced by the tools/*.sh proofs: starts the AT-SPI bus and lists the expected texts for the
# probe; ends the app the probe started (pid in $OUT/app.pid) and the AT-SPI bus ($BUS), then
# exits with the probe's status ($STATUS).
stop_session() {
    if [[ -s "$OUT/app.pid" ]]; then
        APP=$(cat "$OUT/app.pid")
        kill "$APP" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$APP" 2>/dev/null || break; sleep 0.3; done
    fi
    kill "$BUS" 2>/dev/null || true
    exit "$STATUS"
}

# Starts the AT-SPI bus for the probe (its pid in $BUS).
start_bus() {
    /usr/libexec/at-spi-bus-launcher --launch-immediately &
    BUS=$!
    sleep 1
}

# EXPECT_ARGS: --expect TEXT for each |-separated text in $1.
expect_args() {
    EXPECT_ARGS=()
    if [[ -n "$1" ]]; then
        IFS='|' read -r -a TEXTS <<<"$1"
        for text in "${TEXTS[@]}"; do EXPECT_ARGS+=(--expect "$text"); done
    fi
}

# The app's sound goes to $1/sound.raw (16-bit mono 22050 Hz), never a speaker: ALSA reads
# ~/.asoundrc, so the proof runs the app with HOME=$1/home, whose default device is that file.
sound_to_file() {
    mkdir -p "$1/home"
    printf 'pcm.!default { type file; slave.pcm "null"; file "|cat >>%s/sound.raw"; format "raw" }\n' \
        "$1" >"$1/home/.asoundrc"
    rm -f "$1/sound.raw"
}
