#!/usr/bin/env bash
# The XMPP captures of the TLS lab: ../xmpp's jmi-reject scenario (Prosody, three slixmpp devices)
# once with STARTTLS on 5222 (xmpp-starttls-jmi-reject) and once with direct TLS on 5223
# (xmpp-directtls-jmi-reject), Prosody with a self-signed certificate for lab.example and
# c2s_require_encryption. The clients write the key log (Python's SSLKEYLOGFILE). The cleartext
# twin is ../xmpp/jmi-reject.pcap: the same stanzas with the same ids.
# Usage: ./xmpp.sh   (root, Debian 12; uses ../xmpp/make.sh's venv, /work/venvs/xmpp by default)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${XMPP_LAB_VENV:-/work/venvs/xmpp}"
STATE="${XMPP_TLS_LAB_STATE:-/tmp/sigflow-xmpp-tls-lab}"
DOMAIN=lab.example
SCENARIO=jmi-reject
log() { printf '[xmpp.sh] %s\n' "$*" >&2; }

command -v prosody >/dev/null || { log "prosody missing: run ../xmpp/make.sh once (it installs it)"; exit 1; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import slixmpp' 2>/dev/null; then
    log "creating venv $VENV"; python3 -m venv "$VENV"; "$VENV/bin/pip" install -q slixmpp
fi
VPY="$VENV/bin/python"

PROSODY_PID=""; TCPDUMP_PID=""
cleanup() {
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
    if [ -n "$PROSODY_PID" ] && kill -0 "$PROSODY_PID" 2>/dev/null; then
        kill -TERM "$PROSODY_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$PROSODY_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$PROSODY_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
port_open() { "$VPY" -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $1)))"; }
for port in 5222 5223; do port_open $port && { log "port $port is in use; stop that server first"; exit 1; }; done

case "$STATE" in /|/etc*|/var/lib/prosody*|"$HERE"*) log "refusing state dir $STATE"; exit 1;; esac
rm -rf "$STATE"; mkdir -p "$STATE/data" "$STATE/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN" \
    -keyout "$STATE/certs/$DOMAIN.key" -out "$STATE/certs/$DOMAIN.crt" 2>/dev/null
cat >"$STATE/prosody.cfg.lua" <<CFG
-- sigflow TLS lab (written by captures/lab/tls/xmpp.sh): loopback only, c2s over TLS only, no s2s.
admins = { }
plugin_paths = { }
data_path = "$STATE/data"
certificates = "$STATE/certs"
pidfile = "$STATE/prosody.pid"
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { 5222 }
c2s_direct_tls_ports = { 5223 }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
s2s_interfaces = { }
http_ports = { }
https_ports = { }
modules_enabled = { "roster"; "saslauth"; "tls"; "carbons"; "disco"; "ping" }
modules_disabled = { "s2s"; "s2s_auth_certs"; "offline" }
c2s_require_encryption = true
s2s_require_encryption = false
allow_registration = false
authentication = "internal_hashed"
storage = "internal"
log = { { levels = { min = "debug" }, to = "file", filename = "$STATE/prosody.log" } }
VirtualHost "$DOMAIN"
CFG
chown -R prosody:prosody "$STATE"; chmod 755 "$STATE"
for user in alice bob; do
    (cd "$STATE" && prosodyctl --config "$STATE/prosody.cfg.lua" register $user "$DOMAIN" $user-lab-secret) >/dev/null 2>&1 || true
done
chown -R prosody:prosody "$STATE/data"
(cd "$STATE" && exec setpriv --reuid=prosody --regid=prosody --init-groups -- \
    prosody -F --config "$STATE/prosody.cfg.lua") >"$STATE/stdout.log" 2>&1 &
PROSODY_PID=$!
for _ in $(seq 1 100); do port_open 5222 && port_open 5223 && break; sleep 0.1; done
port_open 5223 || { log "prosody did not come up"; tail -n 30 "$STATE/prosody.log" >&2; exit 1; }

export XMPP_LAB_STATE="$STATE" XMPP_LAB_OUT="$HERE" SSL_CERT_FILE="$STATE/certs/$DOMAIN.crt"
XMPP_TLS_MODE=starttls SSLKEYLOGFILE="$STATE/setup.keylog" "$VPY" "$HERE/xmpp_tls.py" setup

for mode in starttls directtls; do
    name="xmpp-$mode-$SCENARIO"
    port=5222; [ $mode = directtls ] && port=5223
    log "=== $name"
    rm -f "$HERE/$name.pcap" "$HERE/$name.keylog"
    tcpdump -i lo -n -U -s 0 --immediate-mode -w "$HERE/$name.pcap" "tcp port $port" 2>"$STATE/tcpdump-$name.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 1 50); do grep -q "listening on" "$STATE/tcpdump-$name.log" && break; sleep 0.1; done
    sleep 0.5
    tls_mode=starttls; [ $mode = directtls ] && tls_mode=direct
    XMPP_TLS_MODE=$tls_mode SSLKEYLOGFILE="$HERE/$name.keylog" "$VPY" "$HERE/xmpp_tls.py" run $SCENARIO
    sleep 1
    kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=""
    log "    $(tshark -n -r "$HERE/$name.pcap" -o "tls.keylog_file:$HERE/$name.keylog" -Y xmpp 2>/dev/null | wc -l) XMPP frames decrypted by tshark"
done
log "done"
