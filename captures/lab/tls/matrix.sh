#!/usr/bin/env bash
# The Matrix capture of the TLS lab: ../matrix's v1-reject scenario (Synapse, three matrix-nio
# devices) over HTTPS. The clients talk TLS to tls_proxy.py on 127.0.0.1:8448, which relays to
# Synapse's plain HTTP listener on 8008; the capture holds both legs: `-f 'tcp port 8448'` with the
# key log (written by the clients, Python's SSLKEYLOGFILE) and `-f 'tcp port 8008'` without must
# give the same call. Usage: ./matrix.sh   (uses ../matrix/make.sh's venv, /work/venvs/matrix)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${MATRIX_LAB_VENV:-/work/venvs/matrix}"
STATE="${MATRIX_TLS_LAB_STATE:-/tmp/sigflow-matrix-tls-lab}"
SCENARIO=v1-reject
NAME=matrix-https-$SCENARIO
log() { printf '[matrix.sh] %s\n' "$*" >&2; }
[ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import synapse, nio' 2>/dev/null \
    || { log "no Matrix lab venv at $VENV: run ../matrix/make.sh once (it makes it)"; exit 1; }
VPY="$VENV/bin/python"

PIDS=(); TCPDUMP_PID=""
cleanup() {
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
port_open() { "$VPY" -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $1)))"; }
for port in 8008 8448; do port_open $port && { log "port $port is in use; stop that server first"; exit 1; }; done

rm -rf "$STATE"; mkdir -p "$STATE/media"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$STATE/lab.key" -out "$STATE/lab.pem" 2>/dev/null
# The Matrix lab's Synapse settings that matter here: plain HTTP on 8008, sqlite, shared-secret
# registration, no federation, no /sync cache (see ../matrix/make.sh for why), no rate limits.
cat >"$STATE/homeserver.yaml" <<YAML
server_name: "localhost"
public_baseurl: "https://127.0.0.1:8448/"
pid_file: "$STATE/homeserver.pid"
signing_key_path: "$STATE/signing.key"
media_store_path: "$STATE/media"
report_stats: false
enable_metrics: false
listeners:
  - {port: 8008, bind_addresses: ['127.0.0.1'], type: http, tls: false, x_forwarded: false,
     resources: [{names: [client], compress: true}]}
database: {name: sqlite3, args: {database: "$STATE/homeserver.db"}}
enable_registration: false
registration_shared_secret: "sigflow-lab-shared-secret"
macaroon_secret_key: "sigflow-lab-macaroon-secret"
form_secret: "sigflow-lab-form-secret"
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
url_preview_enabled: false
presence: {enabled: false}
caches: {sync_response_cache_duration: 0}
rc_message: {per_second: 1000, burst_count: 1000}
rc_registration: {per_second: 1000, burst_count: 1000}
rc_login:
  address: {per_second: 1000, burst_count: 1000}
  account: {per_second: 1000, burst_count: 1000}
  failed_attempts: {per_second: 1000, burst_count: 1000}
rc_joins: {local: {per_second: 1000, burst_count: 1000}, remote: {per_second: 1000, burst_count: 1000}}
rc_room_creation: {per_second: 1000, burst_count: 1000}
YAML
"$VPY" -m synapse.app.homeserver --config-path "$STATE/homeserver.yaml" --generate-keys >/dev/null
"$VPY" -m synapse.app.homeserver --config-path "$STATE/homeserver.yaml" >"$STATE/stdout.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do port_open 8008 && break; sleep 0.5; done
python3 "$HERE/tls_proxy.py" --listen 127.0.0.1:8448 --connect 127.0.0.1:8008 --cert "$STATE/lab.pem" \
    --key "$STATE/lab.key" >"$STATE/proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do port_open 8448 && break; sleep 0.1; done
"$VPY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8008/_matrix/client/versions', timeout=5)"

export MATRIX_LAB_STATE="$STATE" MATRIX_LAB_OUT="$STATE" SSL_CERT_FILE="$STATE/lab.pem"
"$VPY" "$HERE/matrix_tls.py" register
"$VPY" "$HERE/matrix_tls.py" prepare $SCENARIO
log "=== $NAME"
rm -f "$HERE/$NAME.pcap" "$HERE/$NAME.keylog"
tcpdump -i lo -n -U -s 0 --immediate-mode -w "$HERE/$NAME.pcap" "tcp port 8448 or tcp port 8008" 2>"$STATE/tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 1 50); do grep -q "listening on" "$STATE/tcpdump.log" && break; sleep 0.1; done
sleep 0.5
SSLKEYLOGFILE="$HERE/$NAME.keylog" "$VPY" "$HERE/matrix_tls.py" run $SCENARIO
sleep 1
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=""
"$VPY" "$HERE/matrix_tls.py" finish $SCENARIO
tls=$(tshark -n -r "$HERE/$NAME.pcap" -o "tls.keylog_file:$HERE/$NAME.keylog" -Y "http.request && tcp.port == 8448" 2>/dev/null | wc -l)
clear=$(tshark -n -r "$HERE/$NAME.pcap" -Y "http.request && tcp.port == 8008" 2>/dev/null | wc -l)
[ "$tls" = "$clear" ] && [ "$tls" -gt 0 ] || { log "tshark: $tls HTTP requests over TLS, $clear in the clear"; exit 1; }
log "    $tls HTTP requests on each leg"
log "done"
