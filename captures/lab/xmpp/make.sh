#!/usr/bin/env bash
# Regenerates the XMPP Jingle / JMI lab captures in this folder from scratch:
#   Prosody (Debian package, run as user prosody from a private config and data dir, plaintext c2s on
#   127.0.0.1:5222 only, no TLS, no s2s) and real slixmpp clients (alice/laptop, bob/phone, bob/desktop,
#   carbons enabled) exchanging JMI (XEP-0353) messages and Jingle (XEP-0166) IQs,
#   one tcpdump capture per scenario, then NAME.expect.json filled from the capture (tshark).
#
# Usage: ./make.sh                 all scenarios
#        ./make.sh jmi-reject ...  only the named scenarios
# Env:   XMPP_LAB_NETNS (default 1)                     0: run on the host's lo instead of a private
#                                                       network namespace (unshare --net)
#        XMPP_LAB_VENV  (default /work/venvs/xmpp)      python venv with slixmpp, created when missing
#        XMPP_LAB_STATE (default /tmp/sigflow-xmpp-lab) Prosody config + data dir, wiped on every run
#        PYTHON         (default python3)               interpreter used to create the venv
# The machine's own Prosody setup (/etc/prosody, /var/lib/prosody, any service) is not touched.
# Once the packages and the venv are in place the script re-runs itself inside a private network
# namespace with its own loopback (as ../sip/make.sh does): port 5222 cannot clash with another
# Prosody on the machine, and nothing else is captured.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${XMPP_LAB_VENV:-/work/venvs/xmpp}"
STATE="${XMPP_LAB_STATE:-/tmp/sigflow-xmpp-lab}"
PY="${PYTHON:-python3}"
PORT=5222
DOMAIN=lab.example
ALL_SCENARIOS=(jmi-reject jmi-reject-busy jmi-reject-no-reason jingle-decline jingle-accept-terminate x5-accept-after-terminate jmi-retract
               x2-proceed-after-reject x7-initiator-declines x1-reject-without-propose x13-media-after-terminate)
if [ $# -gt 0 ]; then SCENARIOS=("$@"); else SCENARIOS=("${ALL_SCENARIOS[@]}"); fi

log() { printf '[make.sh] %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# 1. system packages (idempotent)
need_apt=()
command -v prosody >/dev/null || need_apt+=(prosody)
command -v tcpdump >/dev/null || need_apt+=(tcpdump)
command -v tshark  >/dev/null || need_apt+=(tshark)
command -v setpriv >/dev/null || need_apt+=(util-linux)
command -v "$PY"   >/dev/null || need_apt+=(python3)
"$PY" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v ip      >/dev/null || need_apt+=(iproute2)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]}"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # policy-rc.d keeps the package's own service from starting during the install
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; RM_POLICY=1
    fi
    apt-get install -y -q "${need_apt[@]}"
    if [ "${RM_POLICY:-0}" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    PY="${PYTHON:-python3}"
fi
id prosody >/dev/null 2>&1 || { log "user prosody missing (the Debian package creates it)"; exit 1; }

# 2. python venv outside the repository (idempotent)
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import slixmpp' 2>/dev/null; then
    log "creating venv $VENV"
    mkdir -p "$(dirname "$VENV")"
    if [ -f "$VENV/pyvenv.cfg" ]; then rm -rf "$VENV"; fi   # a broken venv of ours
    if ! "$PY" -m venv "$VENV"; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q && apt-get install -y -q python3-venv
        if [ -f "$VENV/pyvenv.cfg" ]; then rm -rf "$VENV"; fi
        "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q "slixmpp==1.17.0"   # the version the committed captures were made with
fi
VPY="$VENV/bin/python"

# 2b. a private network namespace (the installs above needed the host's network)
if [[ -z "${XMPP_LAB_INSIDE:-}" && "${XMPP_LAB_NETNS:-1}" != 0 ]] && unshare --net true 2>/dev/null; then
    exec env XMPP_LAB_INSIDE=netns unshare --net -- bash "$HERE/make.sh" "$@"
fi
if [[ "${XMPP_LAB_INSIDE:-}" == netns ]]; then ip link set lo up; else log "note: running on the host loopback"; fi
log "$("$VPY" -c 'import slixmpp; print("slixmpp", slixmpp.__version__)') / prosody $(dpkg-query -W -f '${Version}' prosody)"

# ---------------------------------------------------------------------------------------------
# 3. Prosody config, fresh state every run
PROSODY_PID=""
TCPDUMP_PID=""
cleanup() {
    if [ -n "$TCPDUMP_PID" ] && kill -0 "$TCPDUMP_PID" 2>/dev/null; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true; wait "$TCPDUMP_PID" 2>/dev/null || true
    fi
    if [ -n "$PROSODY_PID" ] && kill -0 "$PROSODY_PID" 2>/dev/null; then
        log "stopping prosody (pid $PROSODY_PID)"
        kill -TERM "$PROSODY_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$PROSODY_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$PROSODY_PID" 2>/dev/null || true
        wait "$PROSODY_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { "$VPY" -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $PORT)))"; }
if port_open; then
    log "port $PORT is already in use (another Prosody?); stop it first"; exit 1
fi

case "$STATE" in /|/etc*|/var/lib/prosody*|"$HERE"*) log "refusing state dir $STATE"; exit 1;; esac
rm -rf "$STATE"
mkdir -p "$STATE/data" "$STATE/certs"
cat >"$STATE/prosody.cfg.lua" <<EOF
-- sigflow XMPP lab (written by captures/lab/xmpp/make.sh): loopback only, plaintext c2s, no s2s.
admins = { }
plugin_paths = { }
data_path = "$STATE/data"
certificates = "$STATE/certs"   -- empty: no certificate, so no TLS
pidfile = "$STATE/prosody.pid"
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $PORT }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = { }
s2s_ports = { }
s2s_interfaces = { }
http_ports = { }
https_ports = { }
-- autoloaded core modules (presence, message, iq, c2s) stay; roster + carbons for the call flows.
modules_enabled = { "roster"; "saslauth"; "carbons"; "disco"; "ping" }
-- no tls: STARTTLS is never offered; no s2s; no offline storage (no replays between scenarios)
modules_disabled = { "tls"; "s2s"; "s2s_auth_certs"; "offline" }
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = false
authentication = "internal_hashed"
storage = "internal"
log = { { levels = { min = "debug" }, to = "file", filename = "$STATE/prosody.log" } }
VirtualHost "$DOMAIN"
EOF
chown -R prosody:prosody "$STATE"
chmod 755 "$STATE"

log "creating accounts alice and bob"
(cd "$STATE" && prosodyctl --config "$STATE/prosody.cfg.lua" register alice "$DOMAIN" alice-lab-secret) 2>&1 \
    | grep -v 'certificate' >&2 || true
(cd "$STATE" && prosodyctl --config "$STATE/prosody.cfg.lua" register bob "$DOMAIN" bob-lab-secret) 2>&1 \
    | grep -v 'certificate' >&2 || true
chown -R prosody:prosody "$STATE/data"
[ -f "$STATE/data/lab%2eexample/accounts/alice.dat" ] && [ -f "$STATE/data/lab%2eexample/accounts/bob.dat" ] \
    || { log "account creation failed"; exit 1; }

log "starting prosody"
(cd "$STATE" && exec setpriv --reuid=prosody --regid=prosody --init-groups -- \
    prosody -F --config "$STATE/prosody.cfg.lua") >"$STATE/stdout.log" 2>&1 &
PROSODY_PID=$!
for _ in $(seq 1 100); do
    if port_open; then break; fi
    kill -0 "$PROSODY_PID" 2>/dev/null || { log "prosody died"; tail -n 30 "$STATE/stdout.log" "$STATE/prosody.log" >&2; exit 1; }
    sleep 0.1
done
port_open || { log "prosody did not come up"; exit 1; }
log "prosody up (pid $PROSODY_PID)"

export XMPP_LAB_STATE="$STATE" XMPP_LAB_OUT="$HERE"
"$VPY" "$HERE/scenarios.py" setup       # alice <-> bob roster subscription, outside any capture

# ---------------------------------------------------------------------------------------------
# 4. one capture per scenario
for name in "${SCENARIOS[@]}"; do
    log "=== $name"
    rm -f "$HERE/$name.pcap" "$HERE/$name.expect.json"
    tcpdump -i lo -n -U -s 0 --immediate-mode -w "$HERE/$name.pcap" "tcp port $PORT or udp portrange 40000-41999" 2>"$STATE/tcpdump-$name.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 1 50); do grep -q "listening on" "$STATE/tcpdump-$name.log" && break; sleep 0.1; done
    sleep 0.5
    rc=0
    "$VPY" "$HERE/scenarios.py" run "$name" || rc=$?
    sleep 1
    kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=""
    if [ $rc -ne 0 ]; then log "scenario $name failed (rc=$rc)"; exit $rc; fi
    "$VPY" "$HERE/scenarios.py" expect "$name"     # read the capture with tshark, write NAME.expect.json
done

log "done"
