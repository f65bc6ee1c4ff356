#!/usr/bin/env bash
# Regenerates the encapsulation lab captures in this folder (see README.md for what each one is):
#   ./make.sh            all of them
#   ./make.sh gre vxlan  only these
# Runs as root on Debian 12; installs what is missing (tshark, tcpdump, sip-tester, kamailio,
# iproute2, openssl, scapy through pip). Tunnels are real traffic between two network namespaces
# this script creates (ip netns add), addressed from the documentation ranges (192.0.2.0/24
# underlay on a veth pair, 198.51.100.0/24 overlay on TUN devices) that exist nowhere but inside
# them: sipp calls through them are captured on the underlay. This machine's kernel has no GRE,
# VXLAN, IP-in-IP or PPP drivers, so tunnel.py does the encapsulation in user space. Link types no
# interface here has (PPP, Cisco HDLC, NFLOG) are written by scapy (make-synthetic.py) around SIP
# messages from these captures. Afterwards ./truth.py records what tshark finds in each.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d /tmp/encaplab.XXXXXX)
trap 'cleanup' EXIT
NS=(encapA encapB)

cleanup() {
  for ns in "${NS[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; done
  [[ -n "${ENCAPLAB_KEEP:-}" ]] || rm -rf "$WORK"
}

ensure_packages() {
  local need=()
  for tool in tshark:tshark tcpdump:tcpdump sipp:sip-tester kamailio:kamailio ip:iproute2 openssl:openssl \
    editcap:tshark dumpcap:tshark; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
  done
  if ((${#need[@]})); then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
  fi
  python3 -c 'import scapy' 2>/dev/null || pip3 install -q scapy
}

# Two namespaces joined by a veth pair: A 192.0.2.1 <-> B 192.0.2.2.
underlay() {
  cleanup_ns
  ip netns add encapA; ip netns add encapB
  ip link add vethA netns encapA type veth peer name vethB netns encapB
  ip -n encapA addr add 192.0.2.1/24 dev vethA; ip -n encapB addr add 192.0.2.2/24 dev vethB
  for ns in encapA encapB; do ip -n $ns link set lo up; done
  ip -n encapA link set vethA up; ip -n encapB link set vethB up
}
cleanup_ns() { for ns in "${NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done; }

# tunnel KIND: a userspace tunnel (tunnel.py) over the underlay in both namespaces, overlay
# A 198.51.100.1 <-> B 198.51.100.2 on the TUN device tun0.
tunnel() {
  local kind=$1
  for side in A B; do
    local ns=encap$side local=192.0.2.1 remote=192.0.2.2 overlay=198.51.100.1 peer=198.51.100.2
    [[ $side == B ]] && { local=192.0.2.2; remote=192.0.2.1; overlay=198.51.100.2; peer=198.51.100.1; }
    ip -n $ns tuntap add mode tun tun0
    ip -n $ns addr add $overlay peer $peer dev tun0
    ip -n $ns link set tun0 mtu 1400 up
    ip netns exec $ns python3 "$HERE/tunnel.py" "$kind" tun0 $local $remote veth$side &
  done
  sleep 1
}

# call NS-CALLER CALLER-IP NS-CALLEE CALLEE-IP: one sipp call (INVITE, 180, 200, ACK, BYE, 200).
call() {
  ip netns exec "$3" timeout 30 sipp -sn uas -i "$4" -p 5060 -m 1 -nostdin >/dev/null 2>&1 &
  local uas=$!
  sleep 0.5
  ip netns exec "$1" timeout 30 sipp -sn uac "$4:5060" -i "$2" -p 5060 -m 1 -d 200 -nostdin >/dev/null 2>&1
  wait $uas
}

# capture NS IFACE OUT [tcpdump args]: start tcpdump, remember its pid in CAPTURE
capture() {
  local ns=$1 iface=$2 out=$3; shift 3
  ip netns exec "$ns" tcpdump -i "$iface" -n -U -s 0 --immediate-mode -w "$out" "$@" 2>/dev/null &
  CAPTURE=$!
  sleep 1
}
stop_capture() { sleep 0.5; kill -INT "$CAPTURE"; wait "$CAPTURE" || true; }

# ---------------------------------------------------------------------------- real tunnels
make_tunnel() { # KIND: a sipp call through the tunnel, captured on the underlay
  local kind=$1
  underlay; tunnel "$kind"
  capture encapA vethA "$WORK/$kind.pcap"
  call encapA 198.51.100.1 encapB 198.51.100.2
  stop_capture
  cp "$WORK/$kind.pcap" "$HERE/$kind.pcap"
  ip netns pids encapA | xargs -r kill; ip netns pids encapB | xargs -r kill
}
make_gre() { make_tunnel gre; }
make_ipip() { make_tunnel ipip; }
make_vxlan() { make_tunnel vxlan; }
make_gtpu() { make_tunnel gtpu; }
make_erspan2() { make_tunnel erspan2; }
make_erspan3() { make_tunnel erspan3; }
make_mpls() { make_tunnel mpls; }
make_pppoe() { make_tunnel pppoe; }

# ---------------------------------------------------------------------------- pcapng
# Two interfaces of different link types in one pcapng, written by dumpcap: lo (Ethernet) carries
# one call, an IP-in-IP tunnel device (raw IP) another.
make_multi_link() {
  underlay; tunnel ipip
  ip netns exec encapA dumpcap -q -i lo -i tun0 -w "$WORK/multi-link.pcapng" 2>/dev/null &
  CAPTURE=$!
  sleep 2
  call encapA 127.0.0.1 encapA 127.0.0.2
  call encapA 198.51.100.1 encapB 198.51.100.2
  stop_capture
  cp "$WORK/multi-link.pcapng" "$HERE/multi-link.pcapng"
}
# pcapng with nanosecond (if_tsresol 9) and microsecond (the default) timestamps, converted by
# editcap from tcpdump captures, and a file of two sections: multi-link.pcapng with
# nanoseconds.pcapng appended.
make_sections() {
  underlay
  capture encapA lo "$WORK/nano.pcap" --time-stamp-precision=nano
  call encapA 127.0.0.1 encapA 127.0.0.2
  stop_capture
  editcap -F pcapng "$WORK/nano.pcap" "$HERE/nanoseconds.pcapng"
  capture encapA lo "$WORK/micro.pcap"
  call encapA 127.0.0.1 encapA 127.0.0.2
  stop_capture
  editcap -F pcapng "$WORK/micro.pcap" "$HERE/microseconds.pcapng"
  cat "$HERE/multi-link.pcapng" "$HERE/nanoseconds.pcapng" >"$HERE/two-sections.pcapng"
}
# A Decryption Secrets Block: a TLS session on lo with its key log, injected by editcap.
make_secrets() {
  underlay
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 -subj /CN=lab 2>/dev/null
  ip netns exec encapA openssl s_server -accept 127.0.0.1:5061 -cert "$WORK/cert.pem" -key "$WORK/key.pem" -quiet >/dev/null 2>&1 &
  local server=$!
  sleep 1
  ip netns exec encapA dumpcap -q -i lo -w "$WORK/tls.pcapng" 2>/dev/null &
  CAPTURE=$!
  sleep 2
  printf 'OPTIONS sip:lab SIP/2.0\r\n\r\n' | ip netns exec encapA timeout 5 openssl s_client -connect 127.0.0.1:5061 \
    -keylogfile "$WORK/keylog.txt" -quiet >/dev/null 2>&1 || true
  stop_capture
  kill "$server"; wait "$server" 2>/dev/null || true
  cp "$WORK/keylog.txt" "$HERE/tls-keylog.txt"
  editcap --inject-secrets "tls,$HERE/tls-keylog.txt" "$WORK/tls.pcapng" "$HERE/secrets-dsb.pcapng"
}

# ---------------------------------------------------------------------------- HEP
# Two kamailio relays in a row between two sipp devices (caller 127.0.0.1 -> relay 127.0.0.6 ->
# relay 127.0.0.5 -> callee 127.0.0.2), each mirroring every message it receives or sends to a HEP
# collector at 127.0.0.9:9060 with its siptrace module: the first as HEP v3 (capture agent 101),
# the second as HEP v2 (agent 102). Both copy the hop between them. tcpdump captures the SIP on
# the wire (hep-wire.pcap) and the HEP on the collector port (hep.pcap) at the same time.
make_hep() {
  underlay
  local relays=("6 5 3 101" "5 2 2 102") relay listen next version agent
  for relay in "${relays[@]}"; do
    read -r listen next version agent <<<"$relay"
    sed -e "s/@LISTEN@/127.0.0.$listen/" -e "s/@NEXT@/127.0.0.$next/" -e "s/@HEPVERSION@/$version/" \
      -e "s/@AGENT@/$agent/" "$HERE/kamailio-hep.cfg" >"$WORK/kamailio-$agent.cfg"
    ip netns exec encapA kamailio -f "$WORK/kamailio-$agent.cfg" -P "$WORK/kamailio-$agent.pid" -w "$WORK" \
      -DD -E >"$WORK/kamailio-$agent.log" 2>&1 &
  done
  sleep 2
  capture encapA lo "$WORK/hep-wire.pcap" udp port 5060 and not udp port 9060
  local wire=$CAPTURE
  capture encapA lo "$WORK/hep.pcap" udp port 9060
  ip netns exec encapA timeout 30 sipp -sn uas -i 127.0.0.2 -p 5060 -m 1 -nostdin >/dev/null 2>&1 &
  local uas=$!
  sleep 0.5
  ip netns exec encapA timeout 30 sipp -sn uac 127.0.0.6:5060 -s callee -i 127.0.0.1 -p 5060 -m 1 -d 200 \
    -nostdin >/dev/null 2>&1
  wait $uas
  stop_capture
  CAPTURE=$wire; stop_capture
  cp "$WORK/hep-wire.pcap" "$HERE/hep-wire.pcap"
  cp "$WORK/hep.pcap" "$HERE/hep.pcap"
}

make_synthetic() { python3 "$HERE/make-synthetic.py" "$HERE"; }

ensure_packages
ALL=(gre ipip vxlan gtpu erspan2 erspan3 mpls pppoe multi_link sections secrets hep synthetic)
for name in "${@:-${ALL[@]}}"; do
  echo "== $name"
  "make_${name//-/_}"
done
