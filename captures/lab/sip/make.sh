#!/usr/bin/env bash
# Regenerates every SIP lab capture in this folder from scratch:
#   ./make.sh                 all captures
#   ./make.sh basic-call s15-603-never-acked ...   only these
# For every capture NAME it writes NAME.pcap and NAME.expect.json (see README.md).
#
# Runs as root on Debian 12. Installs what is missing (tshark, tcpdump, sip-tester, kamailio,
# kamailio-websocket-modules, python3, iproute2). Everything binds to 127.0.0.0/8 only.
# By default the whole run happens inside a private network namespace (unshare --net) with its own
# loopback: no port clashes with anything else on the machine, and the MTU change needed for
# udp-fragmented cannot disturb other captures. Set SIPLAB_NETNS=0 to run on the host's lo
# instead (then the lo MTU is changed for that one capture and restored by a trap).
# SIPLAB_KEEP=1 keeps the work directory with the sipp/kamailio logs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCEN="$HERE/scenarios"
export PYTHONDONTWRITEBYTECODE=1

ALL_CAPTURES=(
  basic-call decline-603 busy-486 cancel-ringing fork-decline fork-answer tcp-call udp-fragmented
  register-options-message auth-invite auth-fail auth-fork-answer auth-403-wrong-password
  auth-480-unavailable auth-486-busy auth-603-decline auth-fork-cancel redirect-302 timeout-no-answer
  hostile-headers filtered-200-to-caller sibling-address-response two-100s
  s1-6xx-then-2xx s2-6xx-forwarded-with-pending s3-branch-after-6xx s5-200-after-cancel
  s6-487-without-cancel s7-cancel-before-provisional s8-cancel-after-final s9-cancel-mismatch
  s10-completed-elsewhere-without-answer s12-bye-on-early-dialog s13-bye-before-ack
  s14-ack-wrong-branch s15-603-never-acked s16-reject-without-invite
  s19-6xx-while-other-device-rings s20-cancel-487-to-tag-mismatch s21-short-body
  s4-480-forwarded-over-603 s11-rings-after-completed-elsewhere s17-unwanted-dialog-kept
  s22-bye-unknown-dialog ws-call
  media-call s18-rtp-after-bye b2bua-linked-legs transfer-replaces terminal-controls
)

# ------------------------------------------------------------------------------------------- setup
ensure_packages() {
  local need=()
  command -v tshark >/dev/null || need+=(tshark)
  command -v tcpdump >/dev/null || need+=(tcpdump)
  command -v sipp >/dev/null || need+=(sip-tester)
  command -v kamailio >/dev/null || need+=(kamailio)
  [[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so || -n $(find /usr/lib -path '*kamailio/modules/websocket.so' 2>/dev/null | head -1) ]] \
    || need+=(kamailio-websocket-modules)
  command -v python3 >/dev/null || need+=(python3)
  command -v ip >/dev/null || need+=(iproute2)
  command -v ss >/dev/null || need+=(iproute2)
  command -v unshare >/dev/null || need+=(util-linux)
  command -v sha1sum >/dev/null || need+=(coreutils)
  if ((${#need[@]})); then
    echo "installing: ${need[*]}"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
  fi
}

if [[ -z "${SIPLAB_INSIDE:-}" ]]; then
  [[ $(id -u) == 0 ]] || { echo "make.sh must run as root (tcpdump, netns, MTU)" >&2; exit 1; }
  ensure_packages
  if [[ "${SIPLAB_NETNS:-1}" != 0 ]] && unshare --net true 2>/dev/null; then
    exec env SIPLAB_INSIDE=netns unshare --net -- bash "$HERE/make.sh" "$@"
  fi
  echo "note: running on the host loopback (no private network namespace)"
  # never touch other people's processes: refuse to run if the lab ports are taken
  # (e.g. a kamailio service: stop it first, or use the network namespace)
  if ss -Hlnut | awk '{print $5}' | grep -Eq '^127\.0\.0\.(1|2|3|4|11|12):(5060|5061|5070|8080)$|^(0\.0\.0\.0|\*|\[::\]):(5060|8080)$'; then
    echo "SIP lab ports are in use on the host loopback; stop that service or run with the namespace" >&2
    exit 1
  fi
  export SIPLAB_INSIDE=host
fi
if [[ $SIPLAB_INSIDE == netns ]]; then
  ip link set lo up
fi

WORK=$(mktemp -d /tmp/siplab.XXXXXX)
PIDS=()
LO_MTU_ORIG=""
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [[ -n $LO_MTU_ORIG ]]; then ip link set lo mtu "$LO_MTU_ORIG"; fi
  if [[ "${SIPLAB_KEEP:-0}" == 1 || $rc != 0 ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%T)" "$*"; }
die() { log "ERROR: $*"; exit 1; }

# deterministic hex strings (tags, branches, Call-IDs) so regenerated captures stay comparable
hex() { local n=$1; shift; printf '%s' "$*" | sha1sum | cut -c1-"$n"; }

wait_listen() { # PROTO IP PORT
  local i
  for i in $(seq 1 100); do
    if ss -Hln"${1:0:1}" | awk '{print $4}' | grep -qx "$2:$3"; then return 0; fi
    sleep 0.05
  done
  die "nothing listens on $1 $2:$3"
}

forget_pid() { local p=$1 i; for i in "${!PIDS[@]}"; do [[ ${PIDS[$i]} == "$p" ]] && unset 'PIDS[i]'; done; PIDS=("${PIDS[@]}"); }

# ------------------------------------------------------------------------------------------- capture
CAP=""; TCPDUMP_PID=""
cap_begin() { # NAME BPF-FILTER
  CAP=$1
  log "=== $CAP"
  rm -f "$HERE/$CAP.pcap" "$HERE/$CAP.expect.json"
  tcpdump -i lo -n -U -s 0 --immediate-mode -Z root -w "$HERE/$CAP.pcap" "$2" >"$WORK/$CAP.tcpdump.log" 2>&1 &
  TCPDUMP_PID=$!; PIDS+=("$TCPDUMP_PID")
  local i
  for i in $(seq 1 100); do grep -qs "listening on" "$WORK/$CAP.tcpdump.log" && break; sleep 0.05; done
  sleep 0.2
}
cap_end() {
  sleep 0.5
  kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; forget_pid "$TCPDUMP_PID"
  grep -E "packets (captured|dropped)" "$WORK/$CAP.tcpdump.log" | sed 's/^/    tcpdump: /'
  python3 "$HERE/expect.py" "$HERE" "$CAP" || die "$CAP: the capture does not show what the scenario intended"
}

# ------------------------------------------------------------------------------------------- sipp
# Every sipp instance: one call (-m 1), no default behaviours (-nd: no automatic BYE/CANCEL/200 that
# the scenario did not ask for), bound to its own 127.0.0.x, deterministic tags/branches/Call-ID.
SIPP_BG=()   # "pid role allowed-exit-codes" of background instances to wait for
sipp_cmd() { # ROLE IP PORT SCENARIO [args...]   (sets SIPP_ARGV)
  local role=$1 ip=$2 port=$3 scen=$4; shift 4
  SIPP_ARGV=(timeout -k 3 "${SIPP_LIMIT:-80}" sipp -sf "$SCEN/$scen" -i "$ip" -p "$port" -mi "$ip" -bind_local
             -m 1 -nd -nostdin -trace_err -error_file "$WORK/$CAP.$role.errors.log"
             -key user "$role" -key ctag "$(hex 8 "$CAP" "$role" tag)" -key ttag "$(hex 8 "$CAP" "$role" tag)"
             -key br "z9hG4bK$(hex 10 "$CAP" "$role" branch)" -key pbr "z9hG4bK$(hex 10 "$CAP" "$role" branch)"
             -cid_str "$(hex 24 "$CAP" "$role" call-id)@$ip" "$@")
}
# callee ROLE IP SCENARIO [sipp args]: start a server-side sipp in the background, wait until it listens
callee() {
  local role=$1 ip=$2 scen=$3; shift 3
  local port=5060 transport=udp
  [[ " $* " == *" -t t1 "* ]] && transport=tcp
  if [[ ${1:-} == --port ]]; then port=$2; shift 2; fi
  sipp_cmd "$role" "$ip" "$port" "$scen" "$@"
  (cd "$WORK" && exec "${SIPP_ARGV[@]}") >"$WORK/$CAP.$role.log" 2>&1 &
  local pid=$!; PIDS+=("$pid"); SIPP_BG+=("$pid $role ${ALLOW_RC:-0}")
  wait_listen "$transport" "$ip" "$port"
}
# caller ROLE IP SCENARIO REMOTE [sipp args]: run a client-side sipp to completion (foreground)
caller() {
  local role=$1 ip=$2 scen=$3 remote=$4; shift 4
  sipp_cmd "$role" "$ip" 5060 "$scen" "$@" "$remote"
  local rc=0
  (cd "$WORK" && exec "${SIPP_ARGV[@]}") >"$WORK/$CAP.$role.log" 2>&1 || rc=$?
  [[ " ${ALLOW_RC:-0} " == *" $rc "* ]] || die "$CAP: sipp $role ($scen) exited with $rc (see $WORK/$CAP.$role.*)"
}
# callees_done [ROLE...]: wait for all background sipps; the listed roles are expected not to finish
# on their own (left pending on purpose) and are stopped.
callees_done() {
  local keep=" $* " entry pid role allowed rc
  for entry in "${SIPP_BG[@]}"; do
    read -r pid role allowed <<<"$entry"
    if [[ $keep == *" $role "* ]]; then
      kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    else
      rc=0; wait "$pid" || rc=$?
      [[ " $allowed " == *" $rc "* ]] || die "$CAP: sipp $role exited with $rc (see $WORK/$CAP.$role.*)"
    fi
    forget_pid "$pid"
  done
  SIPP_BG=()
}

# ------------------------------------------------------------------------------------------- kamailio
KAM_PID=""
kam_start() { # [FEATURE...]  (kamailio -A defines, see kamailio.cfg)
  local defs=() f
  for f in "$@"; do defs+=(-A "$f"); done
  mkdir -p "$WORK/kam"
  # the subscriber table (db_text) is read from a copy: db_text may rewrite its files
  rm -rf "$WORK/kamdb"; cp -r "$HERE/kamailio-db" "$WORK/kamdb"
  defs+=(-A "AUTH_DB_URL=\"text://$WORK/kamdb\"")
  kamailio -f "$HERE/kamailio.cfg" -DD -E -Y "$WORK/kam" -P "$WORK/kam/kamailio.pid" "${defs[@]}" \
    >"$WORK/$CAP.kamailio.log" 2>&1 &
  KAM_PID=$!; PIDS+=("$KAM_PID")
  wait_listen udp 127.0.0.1 5060
}
kam_stop() {
  kill -TERM "$KAM_PID" 2>/dev/null || true; wait "$KAM_PID" 2>/dev/null || true; forget_pid "$KAM_PID"
}

# addresses
PROXY=127.0.0.1; ALICE=127.0.0.2; BOB=127.0.0.3; BADPROXY=127.0.0.4; DEV1=127.0.0.11; DEV2=127.0.0.12
UDP='udp port 5060'
direct() { echo -key ruri "sip:bob@$BOB:5060" -key to "sip:bob@$BOB"; }
viaproxy() { echo -key ruri "sip:bob@$PROXY" -key to "sip:bob@$PROXY"; }

register_devices() { # REGISTER bob's two devices with kamailio (inside the capture)
  caller bob-dev1 $DEV1 dev-register.xml $PROXY:5060
  caller bob-dev2 $DEV2 dev-register.xml $PROXY:5060
}
# REGISTER bob's devices (default both) with kamailio started WITH_REGISTER_AUTH: 401, then again
# with bob's credentials, 200
register_devices_auth() {
  local devs=("$@") dev ip
  ((${#devs[@]})) || devs=(bob-dev1 bob-dev2)
  for dev in "${devs[@]}"; do
    ip=$DEV1; [[ $dev == bob-dev2 ]] && ip=$DEV2
    caller "$dev" $ip dev-register-auth.xml $PROXY:5060 -au bob -ap bobpw
  done
}

# ------------------------------------------------------------------------------------------- captures
cap_basic-call() {
  cap_begin basic-call "$UDP"
  callee bob $BOB uas-answer.xml
  caller alice $ALICE uac-answer.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_decline-603() {
  cap_begin decline-603 "$UDP"
  callee bob $BOB uas-ring-603.xml
  caller alice $ALICE uac-reject.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_busy-486() {
  cap_begin busy-486 "$UDP"
  callee bob $BOB uas-busy.xml
  caller alice $ALICE uac-reject.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_cancel-ringing() {
  cap_begin cancel-ringing "$UDP"
  callee bob $BOB uas-cancelable.xml
  caller alice $ALICE uac-cancel.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_fork-decline() {
  cap_begin fork-decline "$UDP"
  kam_start
  register_devices
  callee bob-dev1 $DEV1 uas-ring-603.xml
  callee bob-dev2 $DEV2 dev-cancelable-noring.xml
  caller alice $ALICE uac-reject.xml $PROXY:5060 $(viaproxy)
  callees_done; kam_stop; cap_end
}

cap_fork-answer() {
  cap_begin fork-answer "$UDP"
  kam_start
  register_devices
  callee bob-dev1 $DEV1 uas-answer.xml
  callee bob-dev2 $DEV2 dev-cancelable-ring.xml
  caller alice $ALICE uac-answer.xml $PROXY:5060 $(viaproxy)
  callees_done; kam_stop; cap_end
}

cap_s19-6xx-while-other-device-rings() {
  cap_begin s19-6xx-while-other-device-rings "$UDP"
  kam_start
  register_devices
  callee bob-dev1 $DEV1 uas-ring-603.xml
  callee bob-dev2 $DEV2 dev-cancelable-ring.xml
  caller alice $ALICE uac-reject.xml $PROXY:5060 $(viaproxy)
  callees_done; kam_stop; cap_end
}

cap_tcp-call() {
  # alice(sipp) -> relay1 (127.0.0.2:5070) == captured TCP leg 127.0.0.2:40060 <-> 127.0.0.3:5060 ==>
  #   relay2 (127.0.0.3:5060) -> bob(sipp, 127.0.0.3:5061)
  # Both relays re-cut what they forward, so on the captured leg both directions are re-cut:
  # requests: INVITE in 300 + rest; ACK held back until the BYE comes, then ACK+BYE cut at 400 bytes
  # (one segment = ACK + head of BYE); responses: 100+180 coalesced in one segment, 200 OK in 150+150+rest.
  cap_begin tcp-call "tcp port 5060 and host $ALICE and host $BOB"
  callee bob $BOB uas-answer.xml --port 5061 -t t1
  python3 "$HERE/relay.py" --listen $BOB:5060 --connect $BOB:5061 --window-down 500 \
    --down "all;150,150;all" --log "$WORK/$CAP.relay2.log" &
  PIDS+=($!); local r2=$!
  python3 "$HERE/relay.py" --listen $ALICE:5070 --connect $BOB:5060 --bind $ALICE:40060 --window-up "50;3500;50" \
    --up "300;400;all" --log "$WORK/$CAP.relay1.log" &
  PIDS+=($!); local r1=$!
  wait_listen tcp $BOB 5060; wait_listen tcp $ALICE 5070
  caller alice $ALICE uac-answer.xml $ALICE:5070 -t t1 $(direct)
  callees_done
  kill -TERM $r1 $r2; wait $r1 $r2 2>/dev/null || true; forget_pid $r1; forget_pid $r2
  cap_end
}

cap_udp-fragmented() {
  # loopback MTU 1500 only while this capture runs (in the private netns it is that namespace's lo)
  LO_MTU_ORIG=$(cat /sys/class/net/lo/mtu)
  ip link set lo mtu 1500
  # non-first IP fragments carry no UDP header, so "udp port 5060" alone would drop them
  cap_begin udp-fragmented "host $ALICE and host $BOB and (udp port 5060 or (ip[6:2] & 0x1fff != 0))"
  callee bob $BOB uas-answer.xml
  caller alice $ALICE uac-big-invite.xml $BOB:5060 $(direct)
  callees_done; cap_end
  ip link set lo mtu "$LO_MTU_ORIG"; LO_MTU_ORIG=""
}

cap_register-options-message() {
  cap_begin register-options-message "$UDP"
  kam_start WITH_REGISTER_AUTH
  caller bob $BOB dev-register-auth.xml $PROXY:5060 -au bob -ap bobpw
  caller alice $ALICE uac-register-auth.xml $PROXY:5060 -auth_uri sip:$PROXY
  caller alice-options $ALICE uac-options.xml $PROXY:5060
  callee bob-msg $BOB uas-message.xml
  caller alice-message $ALICE uac-message.xml $PROXY:5060
  callees_done
  callee bob-sub $BOB uas-subscribe.xml
  caller alice-subscribe $ALICE uac-subscribe.xml $PROXY:5060
  callees_done; kam_stop; cap_end
}

cap_auth-invite() {
  cap_begin auth-invite "$UDP"
  kam_start WITH_INVITE_AUTH
  callee bob $BOB uas-answer.xml
  caller alice $ALICE uac-auth-invite.xml $PROXY:5060 $(direct) -auth_uri sip:bob@$BOB:5060
  callees_done; kam_stop; cap_end
}

# ---- challenged by kamailio's auth_db (REGISTER 401, INVITE 407), then answered, refused or cancelled
AUTH_KAM=(WITH_REGISTER_AUTH WITH_INVITE_AUTH)
alice_auth() { echo -au alice -ap "${1:-alicepw}" $(viaproxy); }

cap_auth-fork-answer() {
  cap_begin auth-fork-answer "$UDP"
  kam_start "${AUTH_KAM[@]}"
  register_devices_auth
  callee bob-dev1 $DEV1 uas-answer.xml
  callee bob-dev2 $DEV2 dev-cancelable-ring.xml
  caller alice $ALICE uac-auth-invite.xml $PROXY:5060 $(alice_auth)
  callees_done; kam_stop; cap_end
}

cap_auth-403-wrong-password() {
  cap_begin auth-403-wrong-password "$UDP"
  kam_start "${AUTH_KAM[@]}"
  register_devices_auth bob-dev1
  caller alice $ALICE uac-auth-reject.xml $PROXY:5060 $(alice_auth not-alicepw)
  kam_stop; cap_end
}

auth_refusal() { # NAME DEVICE-SCENARIO: dev1 REGISTERs, alice is challenged, retries, dev1 refuses
  cap_begin "$1" "$UDP"
  kam_start "${AUTH_KAM[@]}"
  register_devices_auth bob-dev1
  callee bob-dev1 $DEV1 "$2"
  caller alice $ALICE uac-auth-reject.xml $PROXY:5060 $(alice_auth)
  callees_done; kam_stop; cap_end
}
cap_auth-480-unavailable() { auth_refusal auth-480-unavailable dev-dnd-480.xml; }
cap_auth-486-busy() { auth_refusal auth-486-busy uas-busy.xml; }
cap_auth-603-decline() { auth_refusal auth-603-decline uas-ring-603.xml; }

cap_auth-fork-cancel() {
  cap_begin auth-fork-cancel "$UDP"
  kam_start "${AUTH_KAM[@]}"
  register_devices_auth
  callee bob-dev1 $DEV1 dev-cancelable-ring.xml
  callee bob-dev2 $DEV2 dev-cancelable-ring.xml
  caller alice $ALICE uac-auth-cancel.xml $PROXY:5060 $(alice_auth)
  callees_done; kam_stop; cap_end
}

# timed_uas ROLE ARGS...: start timed_uas.py (a UAS on a fixed timeline, see its docstring) in the
# background with the capture's To tag for ROLE; timed_uas_done waits until it has finished
UAS_PID=""
timed_uas() {
  local role=$1; shift
  python3 "$HERE/timed_uas.py" --tag "$(hex 8 "$CAP" "$role" tag)" "$@" >"$WORK/$CAP.$role.timed_uas.log" 2>&1 &
  UAS_PID=$!; PIDS+=("$UAS_PID")
  local listen; listen=$(printf '%s\n' "$@" | grep -A1 -x -- --listen | tail -1)
  wait_listen udp "${listen%:*}" "${listen##*:}"
}
timed_uas_done() {
  wait "$UAS_PID" || die "$CAP: timed_uas.py failed (see $WORK/$CAP.*.timed_uas.log)"
  forget_pid "$UAS_PID"; UAS_PID=""
}

# ---- hops and transactions as real networks have them
cap_filtered-200-to-caller() {
  # alice -> kamailio (outbound proxy, Record-Route) -> bob; the capture filter drops the proxy's 200 OK
  # to alice's INVITE: UDP from the proxy to alice whose payload starts "SIP/2.0 200 " (bytes 8-11 after
  # the 8-byte UDP header are "200 ") and that is longer than 450 bytes (the 200 to the INVITE carries
  # SDP; the 200 to the BYE, ~280 bytes, is kept)
  cap_begin filtered-200-to-caller \
    "$UDP and not (src host $PROXY and dst host $ALICE and udp[8:4] = 0x5349502f and udp[16:4] = 0x32303020 and udp[4:2] > 450)"
  kam_start
  callee bob $BOB uas-answer.xml
  caller alice $ALICE uac-answer.xml $PROXY:5060 $(direct)
  callees_done; kam_stop; cap_end
}

SIBLING=127.0.0.33
cap_sibling-address-response() {
  # bob is a two-address cluster (timed_uas.py): requests go to 127.0.0.3, every response after the
  # first 100 Trying comes from 127.0.0.33; alice is a plain sipp UAC
  cap_begin sibling-address-response "$UDP"
  timed_uas bob --listen $BOB:5060 --answer-from $SIBLING:5060 --ring 0.3 --answer 1.5
  caller alice $ALICE uac-answer.xml $BOB:5060 $(direct)
  timed_uas_done; cap_end
}

cap_two-100s() {
  cap_begin two-100s "$UDP"
  callee bob $BOB uas-two-100s.xml
  caller alice $ALICE uac-answer.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s22-bye-unknown-dialog() {
  cap_begin s22-bye-unknown-dialog "$UDP"
  callee bob $BOB uas-481-bye.xml
  caller alice $ALICE uac-stale-bye.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s4-480-forwarded-over-603() {
  cap_begin s4-480-forwarded-over-603 "$UDP"
  callee bob-dev1 $DEV1 uas-ring-603.xml
  callee bob-dev2 $DEV2 dev-dnd-480.xml
  callee badproxy $BADPROXY proxy-s4.xml
  caller alice $ALICE uac-reject.xml $BADPROXY:5060 -key ruri "sip:bob@$BADPROXY" -key to "sip:bob@$BADPROXY"
  callees_done; cap_end
}

cap_s11-rings-after-completed-elsewhere() {
  cap_begin s11-rings-after-completed-elsewhere "$UDP"
  kam_start
  register_devices
  callee bob-dev1 $DEV1 uas-answer.xml
  callee bob-dev2 $DEV2 dev-s11.xml
  caller alice $ALICE uac-answer.xml $PROXY:5060 $(viaproxy)
  callees_done; kam_stop; cap_end
}

cap_s17-unwanted-dialog-kept() {
  # both devices answer: dev1 (sipp) 1.5 s after its INVITE, dev2 (timed_uas.py) 1.56 s after its own,
  # so its 200 crosses kamailio's CANCEL (dev2 answers that CANCEL 200 after its 200: no effect);
  # kamailio relays both 2xx; alice (two_dialog_uac.py) ACKs both, talks 34 s on the first dialog, BYEs
  # it and never ends the other
  cap_begin s17-unwanted-dialog-kept "$UDP"
  kam_start
  register_devices
  callee bob-dev1 $DEV1 uas-answer.xml
  timed_uas bob-dev2 --listen $DEV2:5060 --user bob-dev2 --ring 0.4 --answer 1.56 --until ack
  python3 "$HERE/two_dialog_uac.py" --bind $ALICE:5060 --proxy $PROXY:5060 --to "sip:bob@$PROXY" \
    --call-id "$(hex 24 "$CAP" alice call-id)@$ALICE" --tag "$(hex 8 "$CAP" alice tag)" \
    --branch "z9hG4bK$(hex 10 "$CAP" alice branch)" --answers 2 --hold 34 >"$WORK/$CAP.two_dialog_uac.log" 2>&1 \
    || die "$CAP: two_dialog_uac.py failed (see $WORK/$CAP.two_dialog_uac.log)"
  callees_done; timed_uas_done; kam_stop; cap_end
}

cap_auth-fail() {
  cap_begin auth-fail "$UDP"
  callee bob $BOB uas-401.xml
  caller alice $ALICE uac-reject.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_redirect-302() {
  cap_begin redirect-302 "$UDP"
  callee bob $BOB uas-redirect.xml
  caller alice $ALICE uac-reject.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_timeout-no-answer() {
  cap_begin timeout-no-answer "$UDP"
  callee bob $BOB uas-noanswer.xml
  # sipp counts the call as failed (exit 1) because it ended on the receive timeout: that is the point
  ALLOW_RC="1" caller alice $ALICE uac-timeout.xml $BOB:5060 $(direct)
  sleep 2
  callees_done bob; cap_end
}

cap_hostile-headers() {
  cap_begin hostile-headers "$UDP"
  callee bob $BOB uas-hostile.xml
  caller alice $ALICE uac-hostile.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_terminal-controls() {
  # ESC, BEL, BS, CR and the 8-bit CSI in headers: sent by controls.py, since sipp's XML cannot hold them
  cap_begin terminal-controls "$UDP"
  python3 "$HERE/controls.py" || die "terminal-controls: controls.py did not complete the call"
  cap_end
}

# ---- misbehaving on purpose
cap_s1-6xx-then-2xx() {
  cap_begin s1-6xx-then-2xx "$UDP"
  callee bob $BOB uas-s1.xml
  caller alice $ALICE uac-s1.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s2-6xx-forwarded-with-pending() {
  cap_begin s2-6xx-forwarded-with-pending "$UDP"
  callee bob-dev1 $DEV1 uas-ring-603.xml
  callee bob-dev2 $DEV2 dev-trying-only.xml
  callee badproxy $BADPROXY proxy-s2.xml
  caller alice $ALICE uac-reject.xml $BADPROXY:5060 -key ruri "sip:bob@$BADPROXY" -key to "sip:bob@$BADPROXY"
  callees_done bob-dev2; cap_end
}

cap_s3-branch-after-6xx() {
  cap_begin s3-branch-after-6xx "$UDP"
  callee bob-dev1 $DEV1 uas-ring-603.xml
  callee bob-dev2 $DEV2 uas-ring-486.xml
  callee badproxy $BADPROXY proxy-s3.xml
  caller alice $ALICE uac-reject.xml $BADPROXY:5060 -key ruri "sip:bob@$BADPROXY" -key to "sip:bob@$BADPROXY"
  callees_done; cap_end
}

cap_s5-200-after-cancel() {
  cap_begin s5-200-after-cancel "$UDP"
  callee bob $BOB uas-s5.xml
  caller alice $ALICE uac-cancel-s5.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s6-487-without-cancel() {
  cap_begin s6-487-without-cancel "$UDP"
  callee bob $BOB uas-ring-487.xml
  caller alice $ALICE uac-reject.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s7-cancel-before-provisional() {
  cap_begin s7-cancel-before-provisional "$UDP"
  callee bob $BOB uas-cancel-before-prov.xml
  caller alice $ALICE uac-cancel-early.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s8-cancel-after-final() {
  cap_begin s8-cancel-after-final "$UDP"
  callee bob $BOB uas-s8.xml
  caller alice $ALICE uac-cancel-late.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s9-cancel-mismatch() {
  cap_begin s9-cancel-mismatch "$UDP"
  callee bob $BOB uas-s9a.xml
  caller alice $ALICE uac-cancel-wrongbranch.xml $BOB:5060 $(direct)
  callees_done
  callee bob-2 $BOB uas-s9b.xml
  caller alice-2 $ALICE uac-cancel-481.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s10-completed-elsewhere-without-answer() {
  cap_begin s10-completed-elsewhere-without-answer "$UDP"
  callee bob-dev1 $DEV1 dev-cancelable-ring.xml
  callee bob-dev2 $DEV2 dev-cancelable-ring.xml
  callee badproxy $BADPROXY proxy-s10.xml
  caller alice $ALICE uac-cancel.xml $BADPROXY:5060 -key ruri "sip:bob@$BADPROXY" -key to "sip:bob@$BADPROXY" -pause_msg_ign
  callees_done; cap_end
}

cap_s12-bye-on-early-dialog() {
  cap_begin s12-bye-on-early-dialog "$UDP"
  callee bob $BOB uas-s12.xml
  caller alice $ALICE uac-s12.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s13-bye-before-ack() {
  cap_begin s13-bye-before-ack "$UDP"
  callee bob $BOB uas-s13.xml
  caller alice $ALICE uac-s13.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s14-ack-wrong-branch() {
  cap_begin s14-ack-wrong-branch "$UDP"
  callee bob $BOB uas-ring-603.xml
  caller alice $ALICE uac-s14-branch.xml $BOB:5060 $(direct)
  callees_done
  callee bob-2 $BOB uas-ring-603.xml
  caller alice-2 $ALICE uac-s14-totag.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s15-603-never-acked() {
  cap_begin s15-603-never-acked "$UDP"
  # bob's sipp gives up on the 603 after its last retransmission and counts the call as failed (exit 1)
  ALLOW_RC="1" callee bob $BOB uas-s15.xml
  caller alice $ALICE uac-s15.xml $BOB:5060 $(direct) -pause_msg_ign
  callees_done; cap_end
}

cap_s16-reject-without-invite() {
  cap_begin s16-reject-without-invite "$UDP"
  callee bob $BOB uas-s16.xml
  caller alice $ALICE uac-reject.xml $BOB:5060 $(direct) -pause_msg_ign
  callees_done; cap_end
}

cap_s20-cancel-487-to-tag-mismatch() {
  cap_begin s20-cancel-487-to-tag-mismatch "$UDP"
  callee bob $BOB uas-s20.xml
  caller alice $ALICE uac-cancel.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_s21-short-body() {
  cap_begin s21-short-body "$UDP"
  callee bob $BOB uas-answer.xml
  caller alice $ALICE uac-s21.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_ws-call() {
  cap_begin ws-call "port 5060 or tcp port 8080"
  kam_start WITH_WEBSOCKET
  wait_listen tcp $PROXY 8080
  caller bob-reg $BOB dev-register.xml $PROXY:5060
  callee bob $BOB uas-answer.xml
  python3 "$HERE/ws_client.py" --url ws://127.0.0.1:8080 --bind $ALICE:50080 --callee "sip:bob@$PROXY" \
    --call-id "$(hex 24 ws-call alice call-id)" --tag "$(hex 8 ws-call alice tag)" >"$WORK/$CAP.ws_client.log" 2>&1 \
    || die "ws_client.py failed (see $WORK/$CAP.ws_client.log)"
  callees_done; kam_stop; cap_end
}

# media: each side's RTP comes from rtp.py, which its sipp starts at the scenario's media point
# (alice after her ACK, bob with his 200); alice's SDP says 16000, bob's 17000
media() { # ROLE SECONDS: sipp keys for a side's RTP stream
  local peer=$BOB:17000
  [[ $1 == bob ]] && peer=$ALICE:16000
  echo -key rtp "$HERE/rtp.py" -key media_to "$peer" -key rtpsecs "$2" -key done "$WORK/$CAP.$1.rtp.done"
}
media_done() { # ROLE...: wait until each side's rtp.py sent its last packet
  local role i
  for role in "$@"; do
    for i in $(seq 1 300); do [[ -e $WORK/$CAP.$role.rtp.done ]] && break; sleep 0.05; done
    [[ -e $WORK/$CAP.$role.rtp.done ]] || die "$CAP: the RTP stream of $role did not finish"
  done
}

cap_media-call() {
  # both sides stop their media before alice's BYE (3 s after the ACK): no finding
  cap_begin media-call "udp and host $ALICE and host $BOB"
  callee bob $BOB uas-media.xml $(media bob 2.8)
  caller alice $ALICE uac-media.xml $BOB:5060 $(direct) $(media alice 2.8)
  callees_done; media_done alice bob; cap_end
}

cap_s18-rtp-after-bye() {
  # bob's phone keeps sending RTP for about 4 s after alice's BYE and its own 200 (S18)
  cap_begin s18-rtp-after-bye "udp and host $ALICE and host $BOB"
  callee bob $BOB uas-media.xml $(media bob 7.0)
  caller alice $ALICE uac-media.xml $BOB:5060 $(direct) $(media alice 2.8)
  callees_done; media_done alice bob; cap_end
}

# leg links: calls tied together by headers a back-to-back agent or a transfer adds
B2BUA_A=127.0.0.5; B2BUA_B=127.0.0.6; CAROL=127.0.0.7

cap_b2bua-linked-legs() {
  # a B2BUA between alice and bob, its two sides two sipp instances (127.0.0.5 faces alice, 127.0.0.6
  # faces bob): leg B gets a new Call-ID with X-Call-ID naming leg A and an RFC 7989 Session-ID; bob
  # declines leg B and the agent declines leg A. Then an unrelated call that must not be linked.
  cap_begin b2bua-linked-legs "$UDP"
  local leg_a session
  leg_a="$(hex 24 "$CAP" alice call-id)@$ALICE"
  session="$(hex 32 "$CAP" session-local);remote=$(hex 32 "$CAP" session-remote)"
  callee bob $BOB uas-ring-603.xml
  callee b2bua-a $B2BUA_A uas-ring-603.xml
  caller alice $ALICE uac-reject.xml $B2BUA_A:5060 -key ruri "sip:bob@$B2BUA_A" -key to "sip:bob@$B2BUA_A" &
  local alice_pid=$!
  sleep 0.2
  caller b2bua-b $B2BUA_B uac-link-reject.xml $BOB:5060 $(direct) \
    -key h1 X-Call-ID -key v1 "$leg_a" -key h2 Session-ID -key v2 "$session"
  wait "$alice_pid" || die "$CAP: alice's leg failed"
  callees_done
  callee bob-2 $BOB uas-ring-603.xml
  caller alice-2 $ALICE uac-reject.xml $BOB:5060 $(direct)
  callees_done; cap_end
}

cap_transfer-replaces() {
  # alice and bob talk; during the call carol's INVITE to bob's second line carries Replaces naming
  # alice's dialog (an attended transfer's last step) and Referred-By alice; bob declines it
  cap_begin transfer-replaces "$UDP"
  local replaces
  replaces="$(hex 24 "$CAP" alice call-id)@$ALICE;to-tag=$(hex 8 "$CAP" bob tag);from-tag=$(hex 8 "$CAP" alice tag)"
  callee bob $BOB uas-answer.xml
  callee bob-2 $BOB uas-ring-603.xml --port 5062
  caller alice $ALICE uac-answer.xml $BOB:5060 $(direct) &
  local alice_pid=$!
  sleep 2
  caller carol $CAROL uac-link-reject.xml $BOB:5062 -key ruri "sip:bob@$BOB:5062" -key to "sip:bob@$BOB" \
    -key h1 Replaces -key v1 "$replaces" -key h2 Referred-By -key v2 "<sip:alice@$ALICE>"
  wait "$alice_pid" || die "$CAP: alice's call failed"
  callees_done; cap_end
}

# ------------------------------------------------------------------------------------------- main
todo=("$@")
((${#todo[@]})) || todo=("${ALL_CAPTURES[@]}")
for name in "${todo[@]}"; do
  declare -F "cap_$name" >/dev/null || die "unknown capture: $name"
done
log "work directory $WORK ($SIPLAB_INSIDE loopback)"
for name in "${todo[@]}"; do
  "cap_$name"
done
log "done: ${#todo[@]} capture(s)"
