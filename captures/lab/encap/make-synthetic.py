#!/usr/bin/env python3
"""Writes the captures whose link types no interface on this machine has, with scapy: the SIP of
gre.pcap (one real sipp call) re-framed as PPP (link types 9 and 50, address/control and protocol
fields compressed or not), Cisco HDLC (104), Linux NFLOG (239), PPTP's enhanced GRE carrying PPP,
and a GRE tunnel of a protocol sigflow does not read (undecodable.pcap, for the warnings).

usage: make-synthetic.py DIR
"""
import struct
import sys

from scapy.all import GRE, IP, PPP, Ether, HDLC, rdpcap, wrpcap, Raw, conf
from scapy.layers.l2 import CookedLinux

DIR = sys.argv[1]
# The inner IP packets of the real call in gre.pcap, with their capture times.
inner = []
for packet in rdpcap(f"{DIR}/gre.pcap"):
    if packet.haslayer(GRE) and packet[GRE].proto == 0x0800:
        inner.append((packet.time, bytes(packet[GRE].payload)))


def write(name, linktype, frames):
    """frames: (time, bytes) pairs."""
    packets = []
    for time, data in frames:
        p = Raw(data)
        p.time = time
        packets.append(p)
    wrpcap(f"{DIR}/{name}", packets, linktype=linktype)


# PPP without framing (link type 9): full protocol field for even frames, compressed for odd ones.
write("ppp.pcap", 9, [(t, (b"\x00\x21" if i % 2 == 0 else b"\x21") + ip) for i, (t, ip) in enumerate(inner)])
# PPP in HDLC-like framing (link type 50): address 0xFF, control 0x03, then the protocol.
write("ppp-hdlc.pcap", 50, [(t, b"\xff\x03\x00\x21" + ip) for t, ip in inner])
# Cisco HDLC (link type 104): unicast address, control 0, EtherType; a SLARP keepalive first.
slarp = (inner[0][0], b"\x8f\x00\x80\x35" + bytes(18))
write("cisco-hdlc.pcap", 104, [slarp] + [(t, b"\x0f\x00\x08\x00" + ip) for t, ip in inner])


# Linux NFLOG (link type 239): family AF_INET, version 0, resource id 5 (big-endian), then TLVs in
# the host's byte order (little-endian here): a prefix, the hardware header, then the payload.
def tlv(kind, value):
    body = struct.pack("<HH", 4 + len(value), kind) + value
    return body + bytes((4 - len(body) % 4) % 4)


write(
    "nflog.pcap",
    239,
    [(t, bytes([2, 0, 0, 5]) + tlv(10, b"sip\x00") + tlv(1, struct.pack("!HBB", 0x0800, 3, 0)) + tlv(9, ip))
     for t, ip in inner])

# PPTP enhanced GRE (RFC 2637): version 1, key present (payload length, call id 0x4001), sequence
# numbers, PPP with address and control; every other packet also acknowledges.
frames = []
for i, (t, ip) in enumerate(inner):
    ppp = b"\xff\x03\x00\x21" + ip
    flags = 0x2000 | 0x1000 | 0x0001 | (0x0080 if i % 2 else 0)
    gre = struct.pack("!HHHHI", flags, 0x880B, len(ppp), 0x4001, i + 1) + (struct.pack("!I", i) if i % 2 else b"")
    outer = IP(src="192.0.2.1", dst="192.0.2.2", proto=47) / Raw(gre + ppp)
    frames.append((t, bytes(Ether(src="02:00:00:00:0a:01", dst="02:00:00:00:0a:02") / outer)))
write("pptp.pcap", 1, frames)

# What sigflow cannot open, each counted in a warning: GRE of protocol 0x1234, PPTP whose PPP is
# compressed (0x00fd, as MPPE encryption leaves it), a link type it does not read (147, user 0), and
# plain ARP, which is not counted.
frames = []
for i, (t, ip) in enumerate(inner):
    gre = struct.pack("!HH", 0, 0x1234) + ip
    frames.append((t, bytes(Ether() / IP(src="192.0.2.1", dst="192.0.2.2", proto=47) / Raw(gre))))
    ppp = b"\xff\x03\x00\xfd" + bytes(40)
    pptp = struct.pack("!HHHH", 0x2001, 0x880B, len(ppp), 7) + ppp
    frames.append((t, bytes(Ether() / IP(src="192.0.2.3", dst="192.0.2.4", proto=47) / Raw(pptp))))
    frames.append((t, bytes(Ether(dst="ff:ff:ff:ff:ff:ff", type=0x0806) / Raw(bytes(28)))))
write("undecodable.pcap", 1, frames)
write("unknown-link-type.pcap", 147, [(t, ip) for t, ip in inner[:2]])
