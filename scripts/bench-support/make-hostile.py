#!/usr/bin/env python3
"""Writes the captures of scripts/bench hostile: traffic that makes per-flow, per-datagram or
per-call state grow (stdlib only, streaming).

  syn-flood      COUNT SYNs to a SIP port from distinct endpoints: connections that never close
  fragment-flood COUNT first fragments of UDP datagrams that never complete
  sip-scan       COUNT SIP requests with distinct Call-IDs (two OPTIONS to one INVITE) that nobody
                 answers, as a scanner sends them to a public server
  sip-tcp-hold   COUNT segments of 1,400 bytes round-robin over 200 SIP-over-TCP connections, each
                 sending one endless header block (never a blank line)

usage: make-hostile.py OUT.pcap KIND COUNT
"""
import struct
import sys

out_path, kind, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ETHERNET = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
SERVER = bytes([192, 0, 2, 1])


def ipv4(src, proto, payload, ident=0, flags_offset=0):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_offset, 64, proto, 0, src, SERVER) + payload


def packet(index):
    if kind == "syn-flood":
        src = bytes([10, (index >> 16) & 255, (index >> 8) & 255, index & 255])
        return ipv4(src, 6, struct.pack("!HHIIBBHHH", 40000 + index % 20000, 5060, index * 7, 0, 0x50, 0x02, 65535, 0, 0))
    if kind == "fragment-flood":
        src = bytes([10, 1, (index >> 8) & 255, index & 255])
        return ipv4(src, 17, bytes(64), ident=index & 0xFFFF, flags_offset=0x2000)
    if kind == "sip-scan":
        method = "INVITE" if index % 3 == 0 else "OPTIONS"
        user = 100 + index % 900
        message = (
            f"{method} sip:{user}@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-{index}\r\n"
            f'From: "scanner"<sip:100@203.0.113.5>;tag={index:08x}\r\nTo: <sip:{user}@192.0.2.1>\r\n'
            f"Call-ID: scan-{index}-{index * 7919}\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\n"
            f"User-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n").encode()
        return ipv4(bytes([203, 0, 113, 5]), 17, struct.pack("!HHHH", 5060, 5060, 8 + len(message), 0) + message)
    if kind == "sip-tcp-hold":
        connection, round_ = index % 200, index // 200
        src = bytes([10, 2, 0, connection + 1])
        header = b"INVITE sip:bob@192.0.2.1 SIP/2.0\r\n" if round_ == 0 else b""
        data = (header + b"X-Padding: " + b"p" * 1400)[:1400 - 2] + b"\r\n"
        return ipv4(src, 6, struct.pack("!HHIIBBHHH", 40000, 5060, 1000 + round_ * 1400, 1, 0x50, 0x18, 65535, 0, 0) + data)
    sys.exit(f"make-hostile.py: unknown kind {kind}")


with open(out_path, "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for index in range(count):
        frame = ETHERNET + packet(index)
        micros = index * 100
        out.write(struct.pack("<IIII", 1_700_000_000 + micros // 1_000_000, micros % 1_000_000, len(frame), len(frame)))
        out.write(frame)
