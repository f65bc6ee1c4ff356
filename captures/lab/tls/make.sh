#!/usr/bin/env bash
# Regenerates the TLS lab captures in this folder (see README.md):
#   ./make.sh                      every capture
#   ./make.sh sip-tls13-aes128gcm  only these (names as below; "xmpp" and "matrix" run xmpp.sh and
#                                  matrix.sh, which make the xmpp-* and matrix-* captures)
# For every capture NAME it writes NAME.pcap and NAME.keylog (the lab's TLS secrets, NSS format).
#
# SIP over TLS: sipp speaks TCP, so each TLS leg is OpenSSL's own s_client and s_server, joined to
# sipp by stdio_tunnel.py; the suite, version and encrypt-then-MAC are s_client/s_server options.
#   alice (sipp UAC, 127.0.0.2) --tcp--> s_client (127.0.0.2:5070) ==TLS==> s_server (127.0.0.3:5061)
#     --tcp--> bob (sipp UAS, 127.0.0.3:5060)
# Each capture holds the TLS leg (port 5061) and its cleartext twin, the leg into bob (port 5060;
# alice's own leg, from her port 5060 to 5070, is left out):
# `-f 'tcp port 5061'` with the key log and `-f 'tcp port 5060'` without must give the same call.
# The forked call goes through kamailio's tls module (kamailio-tls.cfg), with each device behind
# an s_server of its own.
#
# Runs as root on Debian 12, inside a private network namespace (unshare --net) like ../sip/make.sh;
# installs what is missing (tshark, tcpdump, sip-tester, kamailio, kamailio-tls-modules, openssl).
# TLSLAB_KEEP=1 keeps the work directory with the logs; TLSLAB_OUT=DIR writes the captures there.
# bench-tls-trunk (not made by default; scripts/bench tls makes it in .build-bench) is a SIP trunk
# over one TLS connection: TLSLAB_CALLS calls (default 2000), 200 a second.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCEN="$HERE/../sip/scenarios"
OUT=${TLSLAB_OUT:-$HERE}   # where captures and key logs go (scripts/bench tls: .build-bench)
export PYTHONDONTWRITEBYTECODE=1

# name | version option | suite option | certificate (rsa/ecdsa) | extra options
SIP_SUITES=(
  "sip-tls13-aes128gcm|-tls1_3|-ciphersuites TLS_AES_128_GCM_SHA256|rsa|"
  "sip-tls13-aes256gcm|-tls1_3|-ciphersuites TLS_AES_256_GCM_SHA384|rsa|"
  "sip-tls13-chacha20|-tls1_3|-ciphersuites TLS_CHACHA20_POLY1305_SHA256|ecdsa|"
  "sip-tls12-ecdhe-rsa-aes128gcm|-tls1_2|-cipher ECDHE-RSA-AES128-GCM-SHA256|rsa|"
  "sip-tls12-ecdhe-rsa-aes256gcm|-tls1_2|-cipher ECDHE-RSA-AES256-GCM-SHA384|rsa|"
  "sip-tls12-ecdhe-rsa-chacha20|-tls1_2|-cipher ECDHE-RSA-CHACHA20-POLY1305|rsa|"
  "sip-tls12-ecdhe-ecdsa-aes128gcm|-tls1_2|-cipher ECDHE-ECDSA-AES128-GCM-SHA256|ecdsa|"
  "sip-tls12-ecdhe-ecdsa-aes256gcm|-tls1_2|-cipher ECDHE-ECDSA-AES256-GCM-SHA384|ecdsa|"
  "sip-tls12-ecdhe-ecdsa-chacha20|-tls1_2|-cipher ECDHE-ECDSA-CHACHA20-POLY1305|ecdsa|"
  "sip-tls12-ecdhe-rsa-aes128cbc-sha256|-tls1_2|-cipher ECDHE-RSA-AES128-SHA256|rsa|"
  "sip-tls12-ecdhe-rsa-aes256cbc-sha384|-tls1_2|-cipher ECDHE-RSA-AES256-SHA384|rsa|"
  "sip-tls12-ecdhe-rsa-aes128cbc-sha-etm|-tls1_2|-cipher ECDHE-RSA-AES128-SHA|rsa|"
  "sip-tls12-ecdhe-rsa-aes256cbc-sha-mte|-tls1_2|-cipher ECDHE-RSA-AES256-SHA|rsa|-no_etm"
  "sip-tls12-ecdhe-ecdsa-aes256cbc-sha384-mte|-tls1_2|-cipher ECDHE-ECDSA-AES256-SHA384|ecdsa|-no_etm"
  "sip-tls12-rsa-aes128gcm|-tls1_2|-cipher AES128-GCM-SHA256|rsa|"
  "sip-tls12-rsa-aes256cbc-sha256|-tls1_2|-cipher AES256-SHA256|rsa|"
  "sip-tls12-rsa-aes128cbc-sha-mte|-tls1_2|-cipher AES128-SHA|rsa|-no_etm"
)
OTHER=(sip-tls13-keyupdate sip-tls13-hello-retry sip-tls-fork-decline sip-wss-call)

ALL=()
for entry in "${SIP_SUITES[@]}"; do ALL+=("${entry%%|*}"); done
ALL+=("${OTHER[@]}" xmpp matrix)

# ------------------------------------------------------------------------------------------- setup
ensure_packages() {
  local need=()
  command -v tshark >/dev/null || need+=(tshark)
  command -v tcpdump >/dev/null || need+=(tcpdump)
  command -v sipp >/dev/null || need+=(sip-tester)
  command -v kamailio >/dev/null || need+=(kamailio)
  [[ -n $(find /usr/lib -path '*kamailio/modules/tls.so' 2>/dev/null | head -1) ]] || need+=(kamailio-tls-modules)
  command -v openssl >/dev/null || need+=(openssl)
  command -v python3 >/dev/null || need+=(python3)
  command -v ss >/dev/null || need+=(iproute2)
  if ((${#need[@]})); then
    echo "installing: ${need[*]}"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
  fi
}

if [[ -z "${TLSLAB_INSIDE:-}" ]]; then
  [[ $(id -u) == 0 ]] || { echo "make.sh must run as root (tcpdump, netns)" >&2; exit 1; }
  ensure_packages
  unshare --net true 2>/dev/null || { echo "needs a private network namespace (unshare --net)" >&2; exit 1; }
  exec env TLSLAB_INSIDE=1 unshare --net -- bash "$HERE/make.sh" "$@"
fi
ip link set lo up

WORK=$(mktemp -d /tmp/tlslab.XXXXXX)
PIDS=()
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [[ "${TLSLAB_KEEP:-0}" == 1 || $rc != 0 ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%T)" "$*"; }
die() { log "ERROR: $*"; exit 1; }
hex() { local n=$1; shift; printf '%s' "$*" | sha1sum | cut -c1-"$n"; }
tshark() { command tshark "$@" 2>/dev/null; }
forget_pid() { local p=$1 i; for i in "${!PIDS[@]}"; do [[ ${PIDS[$i]} == "$p" ]] && unset 'PIDS[i]'; done; PIDS=("${PIDS[@]}"); }
wait_listen() { # IP PORT
  local i
  for i in $(seq 1 200); do
    ss -Hlnt | awk '{print $4}' | grep -qx "$1:$2" && return 0
    sleep 0.05
  done
  die "nothing listens on tcp $1:$2"
}

# lab certificates, made fresh each run: RSA and ECDSA (P-256), both for sip.lab.example
for kind in rsa ecdsa; do
  if [[ $kind == rsa ]]; then newkey=(-newkey rsa:2048); else newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1); fi
  openssl req -x509 "${newkey[@]}" -nodes -days 3650 -subj "/CN=sip.lab.example" \
    -addext "subjectAltName=DNS:sip.lab.example,DNS:bob.lab.example,IP:127.0.0.1" \
    -keyout "$WORK/$kind.key" -out "$WORK/$kind.pem" 2>/dev/null
done

# ------------------------------------------------------------------------------------------- capture
CAP=""; TCPDUMP_PID=""
cap_begin() { # NAME BPF-FILTER
  CAP=$1
  log "=== $CAP"
  rm -f "$OUT/$CAP.pcap" "$OUT/$CAP.keylog" "$OUT/$CAP".*.keylog
  tcpdump -i lo -n -U -s 0 -B 65536 --immediate-mode -Z root -w "$OUT/$CAP.pcap" "$2" >"$WORK/$CAP.tcpdump.log" 2>&1 &
  TCPDUMP_PID=$!; PIDS+=("$TCPDUMP_PID")
  local i
  for i in $(seq 1 100); do grep -qs "listening on" "$WORK/$CAP.tcpdump.log" && break; sleep 0.05; done
  sleep 0.2
}
cap_end() {
  sleep 0.5
  kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; forget_pid "$TCPDUMP_PID"
  grep -E "packets (captured|dropped)" "$WORK/$CAP.tcpdump.log" | sed 's/^/    tcpdump: /'
}

# ------------------------------------------------------------------------------------------- sipp
SIPP_BG=()
SIPP_TRANSPORT=t1   # u1 for UDP
sipp_cmd() { # ROLE IP PORT SCENARIO [args...]   (sets SIPP_ARGV)
  local role=$1 ip=$2 port=$3 scen=$4; shift 4
  SIPP_ARGV=(timeout -k 3 60 sipp -sf "$SCEN/$scen" -i "$ip" -p "$port" -mi "$ip" -bind_local -t "$SIPP_TRANSPORT"
             -m 1 -nd -nostdin -trace_err -error_file "$WORK/$CAP.$role.errors.log"
             -key user "$role" -key ctag "$(hex 8 "$CAP" "$role" tag)" -key ttag "$(hex 8 "$CAP" "$role" tag)"
             -key br "z9hG4bK$(hex 10 "$CAP" "$role" branch)" -key pbr "z9hG4bK$(hex 10 "$CAP" "$role" branch)"
             -cid_str "$(hex 24 "$CAP" "$role" call-id)@$ip" "$@")
}
callee() { # ROLE IP SCENARIO [sipp args]: a sipp UAS on IP:5060 in the background
  local role=$1 ip=$2 scen=$3; shift 3
  sipp_cmd "$role" "$ip" 5060 "$scen" "$@"
  (cd "$WORK" && exec "${SIPP_ARGV[@]}") >"$WORK/$CAP.$role.log" 2>&1 &
  local pid=$!; PIDS+=("$pid"); SIPP_BG+=("$pid $role")
  if [[ $SIPP_TRANSPORT == t1 ]]; then wait_listen "$ip" 5060; else sleep 0.5; fi
}
caller() { # ROLE IP SCENARIO REMOTE [sipp args]: a TCP sipp UAC, to completion
  local role=$1 ip=$2 scen=$3 remote=$4; shift 4
  sipp_cmd "$role" "$ip" 5060 "$scen" "$@" "$remote"
  (cd "$WORK" && exec "${SIPP_ARGV[@]}") >"$WORK/$CAP.$role.log" 2>&1 \
    || die "$CAP: sipp $role ($scen) failed (see $WORK/$CAP.$role.*)"
}
callees_done() { # [ROLE...]: wait for the background sipps; the listed ones are stopped instead
  local keep=" $* " entry pid role rc
  for entry in "${SIPP_BG[@]}"; do
    read -r pid role <<<"$entry"
    if [[ $keep == *" $role "* ]]; then
      kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    else
      rc=0; wait "$pid" || rc=$?
      [[ $rc == 0 ]] || die "$CAP: sipp $role exited with $rc (see $WORK/$CAP.$role.*)"
    fi
    forget_pid "$pid"
  done
  SIPP_BG=()
}

# ------------------------------------------------------------------------------------------- TLS legs
TUNNELS=()
# tls_server NAME IP BACKEND-IP CERT [openssl options]: s_server on IP:5061 for one connection,
# its plaintext to the sipp at BACKEND-IP:5060; writes the secrets to $WORK/NAME.keylog
tls_server() {
  local name=$1 ip=$2 backend=$3 cert=$4; shift 4
  rm -f "$WORK/$name.keylog"
  python3 "$HERE/stdio_tunnel.py" --connect "$backend:5060" -- openssl s_server -accept "$ip:5061" -naccept 1 \
    -quiet -cert "$WORK/$cert.pem" -key "$WORK/$cert.key" -keylogfile "$WORK/$name.keylog" "$@" \
    >"$WORK/$CAP.$name.log" 2>&1 &
  TUNNELS+=($!); PIDS+=($!)
  wait_listen "$ip" 5061
}
# tls_client NAME LISTEN-IP:PORT SERVER-IP:PORT [tunnel options] -- [openssl options]: s_client to
# SERVER, fed from one TCP connection accepted on LISTEN
tls_client() {
  local name=$1 listen=$2 server=$3; shift 3
  local tunnel=()
  while [[ $# -gt 0 && $1 != -- ]]; do tunnel+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  rm -f "$WORK/$name.keylog"
  python3 "$HERE/stdio_tunnel.py" --listen "$listen" "${tunnel[@]}" -- openssl s_client -connect "$server" \
    -servername sip.lab.example -quiet -no_ign_eof -keylogfile "$WORK/$name.keylog" "$@" \
    >"$WORK/$CAP.$name.log" 2>&1 &
  TUNNELS+=($!); PIDS+=($!)
  wait_listen "${listen%:*}" "${listen##*:}"
}
tunnels_done() {
  local pid
  for pid in "${TUNNELS[@]}"; do
    wait "$pid" 2>/dev/null || true; forget_pid "$pid"
  done
  TUNNELS=()
}

# check_twin PORT-TLS PORT-CLEAR: tshark must decode the same SIP messages from the TLS leg (with the
# key log) as from the cleartext one, and the TLS leg must have negotiated what was asked for
check_twin() {
  local tls_filter=$1 clear_filter=$2 want_suite=${3:-}
  local fields=(-T fields -e sip.Call-ID -e sip.CSeq -e sip.Method -e sip.Status-Code)
  local tls clear
  tls=$(tshark -n -r "$OUT/$CAP.pcap" -o "tls.keylog_file:$OUT/$CAP.keylog" -Y "sip && ($tls_filter)" "${fields[@]}")
  clear=$(tshark -n -r "$OUT/$CAP.pcap" -Y "sip && ($clear_filter)" "${fields[@]}")
  [[ -n $tls && $tls == "$clear" ]] || die "$CAP: the TLS leg's SIP ($tls) is not the cleartext leg's ($clear)"
  log "    $(wc -l <<<"$tls") SIP messages on each leg"
  if [[ -n $want_suite ]]; then
    local suite
    suite=$(tshark -n -r "$OUT/$CAP.pcap" -Y "tls.handshake.type == 2" -T fields -e tls.handshake.ciphersuite | sort -u)
    [[ $suite == "$want_suite" ]] || die "$CAP: negotiated $suite, not $want_suite"
    log "    cipher suite $suite"
  fi
}

# IANA ids of the suites asked for, to check what was negotiated
suite_id() {
  case $1 in
    TLS_AES_128_GCM_SHA256) echo 0x1301 ;; TLS_AES_256_GCM_SHA384) echo 0x1302 ;;
    TLS_CHACHA20_POLY1305_SHA256) echo 0x1303 ;;
    ECDHE-RSA-AES128-GCM-SHA256) echo 0xc02f ;; ECDHE-RSA-AES256-GCM-SHA384) echo 0xc030 ;;
    ECDHE-RSA-CHACHA20-POLY1305) echo 0xcca8 ;; ECDHE-ECDSA-CHACHA20-POLY1305) echo 0xcca9 ;;
    ECDHE-ECDSA-AES128-GCM-SHA256) echo 0xc02b ;; ECDHE-ECDSA-AES256-GCM-SHA384) echo 0xc02c ;;
    ECDHE-RSA-AES128-SHA256) echo 0xc027 ;; ECDHE-RSA-AES256-SHA384) echo 0xc028 ;;
    ECDHE-ECDSA-AES256-SHA384) echo 0xc024 ;;
    ECDHE-RSA-AES128-SHA) echo 0xc013 ;; ECDHE-RSA-AES256-SHA) echo 0xc014 ;;
    AES128-GCM-SHA256) echo 0x009c ;; AES256-SHA256) echo 0x003d ;; AES128-SHA) echo 0x002f ;;
    *) die "unknown suite $1" ;;
  esac
}

ALICE=127.0.0.2; BOB=127.0.0.3; PROXY=127.0.0.1; DEV1=127.0.0.11; DEV2=127.0.0.12

# sip_call NAME VERSION SUITE-OPTION CERT EXTRA [tunnel options]: one answered call over TLS
sip_call() {
  local name=$1 version=$2 suite=$3 cert=$4 extra=$5; shift 5
  read -r -a suite_args <<<"$suite"
  read -r -a extra_args <<<"$extra"
  cap_begin "$name" "tcp port 5061 or (tcp port 5060 and host $BOB)"
  callee bob $BOB uas-answer.xml
  tls_server server $BOB $BOB "$cert" "$version" "${suite_args[@]}" "${extra_args[@]}"
  tls_client client $ALICE:5070 $BOB:5061 "$@" -- "$version" "${suite_args[@]}" "${extra_args[@]}" -nocommands
  caller alice $ALICE uac-answer.xml $ALICE:5070 -key ruri "sip:bob@sip.lab.example;transport=tls" \
    -key to "sip:bob@sip.lab.example"
  callees_done; tunnels_done; cap_end
  cp "$WORK/client.keylog" "$OUT/$CAP.keylog"
  check_twin "tcp.port == 5061" "tcp.port == 5060" "$(suite_id "${suite_args[1]}")"
}

cap_sip-tls13-keyupdate() {
  # s_client with its command letters on: "K" on its input sends a KeyUpdate that asks the server
  # to update too; the tunnel types it just before alice's BYE goes out
  local name=sip-tls13-keyupdate
  cap_begin "$name" "tcp port 5061 or (tcp port 5060 and host $BOB)"
  callee bob $BOB uas-answer.xml
  tls_server server $BOB $BOB rsa -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
  tls_client client $ALICE:5070 $BOB:5061 --key-update-before "BYE " -- -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
  caller alice $ALICE uac-answer.xml $ALICE:5070 -key ruri "sip:bob@sip.lab.example;transport=tls" \
    -key to "sip:bob@sip.lab.example"
  callees_done; tunnels_done; cap_end
  cp "$WORK/client.keylog" "$OUT/$CAP.keylog"
  check_twin "tcp.port == 5061" "tcp.port == 5060" 0x1301
  local updates
  updates=$(tshark -n -r "$OUT/$CAP.pcap" -o "tls.keylog_file:$OUT/$CAP.keylog" -Y "tls.handshake.type == 24" \
    -T fields -e frame.number | wc -l)
  [[ $updates == 2 ]] || die "$CAP: $updates KeyUpdate messages, not 2 (one each way)"
  log "    KeyUpdate each way"
}

cap_bench-tls-trunk() {
  local name=bench-tls-trunk calls=${TLSLAB_CALLS:-2000}
  cap_begin "$name" "tcp port 5061 or (tcp port 5060 and host $BOB)"
  callee bob $BOB uas-answer.xml -m "$calls"
  tls_server server $BOB $BOB rsa -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
  tls_client client $ALICE:5070 $BOB:5061 -- -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -nocommands
  caller alice $ALICE uac-answer.xml $ALICE:5070 -key ruri "sip:bob@sip.lab.example;transport=tls" \
    -key to "sip:bob@sip.lab.example" -m "$calls" -r 200 -l 2000 -cid_str "bench-%u@$ALICE"
  callees_done; tunnels_done; cap_end
  cp "$WORK/client.keylog" "$OUT/$CAP.keylog"
}

cap_sip-tls13-hello-retry() {
  # the client sends a key share for X25519 only, the server wants P-256: a HelloRetryRequest,
  # then a second ClientHello (same random) with a P-256 share
  local name=sip-tls13-hello-retry
  cap_begin "$name" "tcp port 5061 or (tcp port 5060 and host $BOB)"
  callee bob $BOB uas-answer.xml
  tls_server server $BOB $BOB rsa -tls1_3 -groups P-256
  tls_client client $ALICE:5070 $BOB:5061 -- -tls1_3 -groups X25519:P-256 -nocommands
  caller alice $ALICE uac-answer.xml $ALICE:5070 -key ruri "sip:bob@sip.lab.example;transport=tls" \
    -key to "sip:bob@sip.lab.example"
  callees_done; tunnels_done; cap_end
  cp "$WORK/client.keylog" "$OUT/$CAP.keylog"
  check_twin "tcp.port == 5061" "tcp.port == 5060"
  local hellos
  hellos=$(tshark -n -r "$OUT/$CAP.pcap" -Y "tls.handshake.type == 1" -T fields -e frame.number | wc -l)
  [[ $hellos == 2 ]] || die "$CAP: $hellos ClientHellos, not 2 (no HelloRetryRequest?)"
  log "    HelloRetryRequest, second ClientHello"
}

cap_sip-tls-fork-decline() {
  # alice -> kamailio (TLS) -> forks to bob's two devices (TLS, each behind an s_server);
  # dev1 rings and declines (603), dev2 is cancelled. NAME.keylog has every connection's
  # secrets; NAME.without-dev2.keylog lacks those of the connection to dev2.
  local name=sip-tls-fork-decline
  cap_begin "$name" "tcp port 5061 or tcp port 5060 or tcp port 5070"
  callee bob-dev1 $DEV1 uas-ring-603.xml
  callee bob-dev2 $DEV2 dev-cancelable-noring.xml
  tls_server dev1 $DEV1 $DEV1 rsa -tls1_3
  tls_server dev2 $DEV2 $DEV2 ecdsa -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
  mkdir -p "$WORK/kam"
  kamailio -f "$HERE/kamailio-tls.cfg" -DD -E -Y "$WORK/kam" -P "$WORK/kam/kamailio.pid" \
    -A "TLSCFG=\"$WORK/tls.cfg\"" >"$WORK/$CAP.kamailio.log" 2>&1 &
  local kam=$!; PIDS+=($kam)
  wait_listen $PROXY 5061
  tls_client alice-tls $ALICE:5070 $PROXY:5061 -- -tls1_3 -nocommands
  caller alice $ALICE uac-reject.xml $ALICE:5070 -key ruri "sip:bob@sip.lab.example;transport=tls" \
    -key to "sip:bob@sip.lab.example"
  callees_done
  sleep 1
  kill -TERM $kam; wait $kam 2>/dev/null || true; forget_pid $kam
  tunnels_done; cap_end
  cat "$WORK/alice-tls.keylog" "$WORK/dev1.keylog" "$WORK/dev2.keylog" >"$OUT/$CAP.keylog"
  cat "$WORK/alice-tls.keylog" "$WORK/dev1.keylog" >"$OUT/$CAP.without-dev2.keylog"
  check_twin "tcp.port == 5061" "tcp.port == 5060 || tcp.port == 5070"
}

cap_sip-wss-call() {
  # ../sip's ws-call over TLS: alice's WebSocket client (../sip/ws_client.py, wss://) talks TLS to
  # tls_proxy.py on 127.0.0.1:8443, which relays to kamailio's WebSocket port 8080 (../sip's
  # kamailio.cfg, WITH_WEBSOCKET); kamailio reaches bob over UDP. The TLS view of the call is
  # `tcp port 8443 or udp port 5060` with the key log, its twin `tcp port 8080 or udp port 5060`.
  local name=sip-wss-call
  cap_begin "$name" "tcp port 8443 or tcp port 8080 or udp port 5060"
  mkdir -p "$WORK/kam"
  kamailio -f "$HERE/../sip/kamailio.cfg" -DD -E -Y "$WORK/kam" -P "$WORK/kam/kamailio.pid" -A WITH_WEBSOCKET \
    >"$WORK/$CAP.kamailio.log" 2>&1 &
  local kam=$!; PIDS+=($kam)
  wait_listen $PROXY 8080
  SIPP_TRANSPORT=u1
  caller bob-reg $BOB dev-register.xml $PROXY:5060
  callee bob $BOB uas-answer.xml
  SIPP_TRANSPORT=t1
  python3 "$HERE/tls_proxy.py" --listen $PROXY:8443 --connect $PROXY:8080 --cert "$WORK/rsa.pem" --key "$WORK/rsa.key" \
    >"$WORK/$CAP.proxy.log" 2>&1 &
  local proxy=$!; PIDS+=($proxy)
  wait_listen $PROXY 8443
  SSL_CERT_FILE="$WORK/rsa.pem" SSLKEYLOGFILE="$OUT/$CAP.keylog" python3 "$HERE/../sip/ws_client.py" \
    --url wss://127.0.0.1:8443 --bind $ALICE:50080 --callee "sip:bob@$PROXY" \
    --call-id "$(hex 24 "$name" alice call-id)" --tag "$(hex 8 "$name" alice tag)" >"$WORK/$CAP.ws_client.log" 2>&1 \
    || die "ws_client.py failed (see $WORK/$CAP.ws_client.log)"
  callees_done
  kill -TERM $kam $proxy; wait $kam $proxy 2>/dev/null || true; forget_pid $kam; forget_pid $proxy
  cap_end
  check_twin "tcp.port == 8443 || udp" "tcp.port == 8080 || udp"
}

cat >"$WORK/tls.cfg" <<EOF
[server:default]
method = TLSv1.2+
certificate = $WORK/rsa.pem
private_key = $WORK/rsa.key
verify_certificate = no
require_certificate = no

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
server_name = bob.lab.example
EOF

# ------------------------------------------------------------------------------------------- run
if [[ $# -gt 0 ]]; then WANT=("$@"); else WANT=("${ALL[@]}"); fi
for want in "${WANT[@]}"; do
  found=0
  for entry in "${SIP_SUITES[@]}"; do
    IFS='|' read -r name version suite cert extra <<<"$entry"
    if [[ $name == "$want" ]]; then sip_call "$name" "$version" "$suite" "$cert" "$extra"; found=1; fi
  done
  if [[ $want == xmpp || $want == matrix ]]; then
    bash "$HERE/$want.sh"
  elif [[ $found == 0 ]]; then
    declare -F "cap_$want" >/dev/null || die "no capture named $want"
    "cap_$want"
  fi
done
log "done"
