# Sourced by the tools/*.sh proofs: ends the app the probe started (pid in $OUT/app.pid) and the
# AT-SPI bus ($BUS), then exits with the probe's status ($STATUS).
stop_session() {
    if [[ -s "$OUT/app.pid" ]]; then
        APP=$(cat "$OUT/app.pid")
        kill "$APP" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$APP" 2>/dev/null || break; sleep 0.3; done
    fi
    kill "$BUS" 2>/dev/null || true
    exit "$STATUS"
}
