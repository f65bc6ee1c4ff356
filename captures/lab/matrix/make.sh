#!/usr/bin/env bash
# Regenerates the Matrix VoIP lab captures in this folder from scratch:
#   Synapse (PyPI matrix-synapse, sqlite, plain HTTP on 127.0.0.1:8008 only) and real matrix-nio
#   AsyncClient devices (alice-laptop, bob-phone, bob-desktop) placing m.call.* calls,
#   one tcpdump capture per scenario, then NAME.expect.json filled from the capture (tshark).
#
# Usage: ./make.sh                 all scenarios
#        ./make.sh v1-reject ...   only the named scenarios
# Env:   MATRIX_LAB_NETNS (default 1)                       0: run on the host's lo instead of a private
#                                                           network namespace (unshare --net)
#        MATRIX_LAB_VENV  (default /work/venvs/matrix)      python venv, created when missing
#        MATRIX_LAB_STATE (default /tmp/sigflow-matrix-lab) Synapse data dir, wiped on every run
#        PYTHON           (default python3)                 interpreter used to create the venv
#        MATRIX_LAB_PIP   (default: the pinned versions)    pip requirement list for a new venv
# Once the packages and the venv are in place the script re-runs itself inside a private network
# namespace with its own loopback (as ../sip/make.sh does): port 8008 cannot clash with another
# Synapse on the machine, and nothing else is captured.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${MATRIX_LAB_VENV:-/work/venvs/matrix}"
STATE="${MATRIX_LAB_STATE:-/tmp/sigflow-matrix-lab}"
PY="${PYTHON:-python3}"
PORT=8008
ALL_SCENARIOS=(v1-reject answer-select-hangup m9-reject-after-select m1-v0-reject m1-v0-reject-hangup invite-timeout
               m10-v1-hangup-decline caller-cancel gzip-answer encrypted-room m17-media-after-hangup
               m17-loser-media)
if [ $# -gt 0 ]; then SCENARIOS=("$@"); else SCENARIOS=("${ALL_SCENARIOS[@]}"); fi

log() { printf '[make.sh] %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# 1. system packages (idempotent)
need_apt=()
command -v tcpdump >/dev/null || need_apt+=(tcpdump)
command -v tshark  >/dev/null || need_apt+=(tshark)
command -v "$PY"   >/dev/null || need_apt+=(python3)
"$PY" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)   # Debian ships ensurepip there
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v ip      >/dev/null || need_apt+=(iproute2)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]}"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${need_apt[@]}"
    PY="${PYTHON:-python3}"
fi

# 2. python venv outside the repository (idempotent)
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import synapse, nio, vodozemac' 2>/dev/null; then
    log "creating venv $VENV"
    mkdir -p "$(dirname "$VENV")"
    if [ -f "$VENV/pyvenv.cfg" ]; then rm -rf "$VENV"; fi      # a broken venv of ours
    if ! "$PY" -m venv "$VENV"; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q && apt-get install -y -q python3-venv
        if [ -f "$VENV/pyvenv.cfg" ]; then rm -rf "$VENV"; fi
        "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip wheel
    # Pinned to the versions the committed captures were made with (override with
    # MATRIX_LAB_PIP="matrix-synapse matrix-nio[e2e]" for the newest). matrix-nio 0.26 does E2E
    # with vodozemac (binary wheels), no python-olm / libolm build needed.
    if [ -n "${MATRIX_LAB_PIP:-}" ]; then read -r -a pip_reqs <<<"$MATRIX_LAB_PIP"
    else pip_reqs=("matrix-synapse==1.163.2" "matrix-nio[e2e]==0.26.0"); fi
    "$VENV/bin/pip" install -q "${pip_reqs[@]}"
fi
VPY="$VENV/bin/python"

# 2b. a private network namespace (the installs above needed the host's network)
if [[ -z "${MATRIX_LAB_INSIDE:-}" && "${MATRIX_LAB_NETNS:-1}" != 0 ]] && unshare --net true 2>/dev/null; then
    exec env MATRIX_LAB_INSIDE=netns unshare --net -- bash "$HERE/make.sh" "$@"
fi
if [[ "${MATRIX_LAB_INSIDE:-}" == netns ]]; then ip link set lo up; else log "note: running on the host loopback"; fi
"$VPY" - <<'EOF' >&2
import importlib.metadata as m
print("[make.sh] matrix-synapse", m.version("matrix-synapse"), "/ matrix-nio", m.version("matrix-nio"))
EOF

# ---------------------------------------------------------------------------------------------
# 3. Synapse config, fresh state every run
SYN_PID=""
TCPDUMP_PID=""
cleanup() {
    if [ -n "$TCPDUMP_PID" ] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true; wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    if [ -n "$SYN_PID" ] && kill -0 "$SYN_PID" 2>/dev/null; then
        log "stopping synapse (pid $SYN_PID)"
        kill -TERM "$SYN_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SYN_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SYN_PID" 2>/dev/null || true
        wait "$SYN_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { "$VPY" -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $PORT)))"; }
hs_up() { "$VPY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/_matrix/client/versions', timeout=2)" 2>/dev/null; }
if port_open; then
    log "port $PORT is already in use; stop the other Synapse first"; exit 1
fi

rm -rf "$STATE"
mkdir -p "$STATE/media"
cat >"$STATE/homeserver.yaml" <<EOF
server_name: "localhost"
public_baseurl: "http://127.0.0.1:$PORT/"
pid_file: "$STATE/homeserver.pid"
signing_key_path: "$STATE/signing.key"
media_store_path: "$STATE/media"
log_config: "$STATE/log.yaml"
report_stats: false
enable_metrics: false
# plain HTTP, client API only, loopback only; no federation listener
listeners:
  - port: $PORT
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: true      # gzip only when the client sends Accept-Encoding: gzip
database:
  name: sqlite3
  args:
    database: "$STATE/homeserver.db"
# registration only through the shared secret (admin API)
enable_registration: false
registration_shared_secret: "sigflow-lab-shared-secret"
macaroon_secret_key: "sigflow-lab-macaroon-secret"
form_secret: "sigflow-lab-form-secret"
# no outbound traffic of any kind
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
federation_sender_instances: []   # never send federation traffic
url_preview_enabled: false
presence:
  enabled: false
# Synapse caches identical /sync answers for 2 minutes by default: that would replay an earlier
# scenario's events into a later capture.
caches:
  sync_response_cache_duration: 0
# rate limits raised so that the scripts are never throttled
rc_message: {per_second: 1000, burst_count: 1000}
rc_registration: {per_second: 1000, burst_count: 1000}
rc_login:
  address: {per_second: 1000, burst_count: 1000}
  account: {per_second: 1000, burst_count: 1000}
  failed_attempts: {per_second: 1000, burst_count: 1000}
rc_joins:
  local: {per_second: 1000, burst_count: 1000}
  remote: {per_second: 1000, burst_count: 1000}
rc_joins_per_room: {per_second: 1000, burst_count: 1000}
rc_invites:
  per_room: {per_second: 1000, burst_count: 1000}
  per_user: {per_second: 1000, burst_count: 1000}
  per_issuer: {per_second: 1000, burst_count: 1000}
rc_key_requests: {per_second: 1000, burst_count: 1000}
rc_room_creation: {per_second: 1000, burst_count: 1000}
rc_delayed_event_mgmt: {per_second: 1000, burst_count: 1000}
rc_presence:
  per_user: {per_second: 1000, burst_count: 1000}
EOF
cat >"$STATE/log.yaml" <<EOF
version: 1
formatters:
  precise: {format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'}
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $STATE/homeserver.log
root: {level: INFO, handlers: [file]}
disable_existing_loggers: false
EOF
"$VPY" -m synapse.app.homeserver --config-path "$STATE/homeserver.yaml" --generate-keys >/dev/null

log "starting synapse"
"$VPY" -m synapse.app.homeserver --config-path "$STATE/homeserver.yaml" >"$STATE/stdout.log" 2>&1 &
SYN_PID=$!
for _ in $(seq 1 120); do
    if hs_up; then break; fi
    kill -0 "$SYN_PID" 2>/dev/null || { log "synapse died"; tail -n 30 "$STATE/stdout.log" "$STATE/homeserver.log" >&2; exit 1; }
    sleep 0.5
done
hs_up || { log "synapse did not come up"; exit 1; }
log "synapse up (pid $SYN_PID)"

export MATRIX_LAB_STATE="$STATE" MATRIX_LAB_OUT="$HERE"
"$VPY" "$HERE/scenarios.py" register

# ---------------------------------------------------------------------------------------------
# 4. one capture per scenario
for name in "${SCENARIOS[@]}"; do
    log "=== $name"
    "$VPY" "$HERE/scenarios.py" prepare "$name"          # fresh room (outside the capture)
    rm -f "$HERE/$name.pcap"
    tcpdump -i lo -n -U -s 0 --immediate-mode -w "$HERE/$name.pcap" "tcp port $PORT or udp portrange 50000-50999" 2>"$STATE/tcpdump-$name.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 1 50); do grep -q "listening on" "$STATE/tcpdump-$name.log" && break; sleep 0.1; done
    sleep 0.5
    rc=0
    "$VPY" "$HERE/scenarios.py" run "$name" || rc=$?
    sleep 1
    kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=""
    chown "$(id -u):$(id -g)" "$HERE/$name.pcap" 2>/dev/null || true   # tcpdump hands it to its own user
    if [ $rc -ne 0 ]; then log "scenario $name failed (rc=$rc)"; exit $rc; fi
    "$VPY" "$HERE/scenarios.py" finish "$name"            # log the devices out (outside the capture)
    "$VPY" "$HERE/scenarios.py" expect "$name"            # read the capture with tshark, write NAME.expect.json
done

log "done"
