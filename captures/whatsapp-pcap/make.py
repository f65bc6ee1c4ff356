#!/usr/bin/env python3
"""Synthetic captures of the seed-reject caller's device (captures/whatsapp/seed-reject/caller.log),
for placing a client log on a capture's timeline and for rule W12 (media after reject).

Nothing here was recorded from WhatsApp. The shapes follow the real captures in
../shared/captures-public/ndpi (whatsapp_login_call.pcap, stun_wa_call.pcapng): a TCP connection to a
chat server that opens with the `WA` prologue and carries 3-byte-length frames (here Noise, WA 6.3,
payload random bytes), STUN Allocate requests to relays on udp/3478 with WhatsApp's 0x4000 attribute,
and RTP-like media (0x90 0x78 ...) through one relay on the call socket.

The capture host's clock runs 2.300 s ahead of the log's: every frame is at log time + 2.3 s plus a
few milliseconds of network delay, so a reader must find the offset to place the stanzas.

  media-after-reject.pcap  media through the relay from 14:07:13.0 to 14:07:25.0 (log clock), i.e.
                           still flowing 8 s after the reject reached the caller at 14:07:17.061: W12.
  media-stops.pcap         the same, but media stops at 14:07:17.4, within the teardown grace.

python3 make.py   (stdlib only, deterministic)
"""

import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = 1773273600  # 2026-03-12T00:00:00Z
SKEW = 2.300

CLIENT = "192.168.1.20"
CHAT = "157.240.0.53"
RELAYS = ["157.240.1.10", "157.240.2.20", "31.13.70.48"]


def t(h, m, s):
    return DAY + h * 3600 + m * 60 + s + SKEW


def ip(a):
    return bytes(int(x) for x in a.split("."))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64, proto, 0,
                         ip(src), ip(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ether(packet):
    return b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00" + packet


class Capture:
    def __init__(self):
        self.packets = []
        self.ident = 1

    def add(self, when, src, dst, proto, payload):
        self.packets.append((when, ether(ipv4(src, dst, proto, payload, self.ident))))
        self.ident += 1

    def udp(self, when, src, sport, dst, dport, payload):
        self.add(when, src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for when, data in sorted(self.packets, key=lambda p: p[0]):
                sec = int(when)
                usec = int(round((when - sec) * 1e6))
                if usec == 1000000:
                    sec, usec = sec + 1, 0
                f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)


class TCP:
    """One TCP connection with proper handshake and sequence numbers."""

    def __init__(self, cap, client, cport, server, sport, when):
        self.cap, self.c, self.cp, self.s, self.sp = cap, client, cport, server, sport
        self.cseq, self.sseq = 1000, 5000
        self.seg(when, True, 0x02, b"")
        self.cseq += 1
        self.seg(when + 0.020, False, 0x12, b"")
        self.sseq += 1
        self.seg(when + 0.021, True, 0x10, b"")

    def seg(self, when, from_client, flags, payload):
        if from_client:
            src, sp, dst, dp, seq, ack = self.c, self.cp, self.s, self.sp, self.cseq, self.sseq
        else:
            src, sp, dst, dp, seq, ack = self.s, self.sp, self.c, self.cp, self.sseq, self.cseq
        header = struct.pack("!HHIIBBHHH", sp, dp, seq, ack if flags != 0x02 else 0, 5 << 4, flags, 65535, 0, 0)
        self.cap.add(when, src, dst, 6, header + payload)

    def send(self, when, from_client, payload):
        self.seg(when, from_client, 0x18, payload)
        if from_client:
            self.cseq += len(payload)
        else:
            self.sseq += len(payload)

    def frame(self, when, from_client, length, rng):
        self.send(when, from_client, struct.pack("!I", length)[1:] + bytes(rng.getrandbits(8) for _ in range(length)))

    def close(self, when):
        self.seg(when, True, 0x11, b"")
        self.cseq += 1
        self.seg(when + 0.02, False, 0x11, b"")
        self.sseq += 1
        self.seg(when + 0.021, True, 0x10, b"")


def stun(msg_type, txid, attrs=b""):
    return struct.pack("!HHI", msg_type, len(attrs), 0x2112A442) + txid + attrs


def build(media_until):
    rng = random.Random(7)
    cap = Capture()
    chat = TCP(cap, CLIENT, 50712, CHAT, 443, t(14, 7, 5.0))
    # Prologue + Noise handshake (client hello, server hello, client finish), then login frames.
    chat.send(t(14, 7, 5.030), True, b"WA\x06\x03" + struct.pack("!I", 36)[1:] + bytes(rng.getrandbits(8) for _ in range(36)))
    chat.frame(t(14, 7, 5.210), False, 350, rng)
    chat.frame(t(14, 7, 5.260), True, 120, rng)
    chat.frame(t(14, 7, 5.420), False, 600, rng)
    # One frame per stanza of caller.log, 5-30 ms after the log says (network delay).
    stanzas = [  # (log time, from client?, size)
        ((14, 7, 9.172), True, 60), ((14, 7, 9.315), False, 48),
        ((14, 7, 12.104), True, 1480), ((14, 7, 12.391), False, 190),
        ((14, 7, 17.061), False, 210), ((14, 7, 17.063), True, 70), ((14, 7, 17.071), True, 180),
        ((14, 7, 17.298), False, 80),
        ((14, 7, 33.981), True, 60), ((14, 7, 34.124), False, 48),
    ]
    for (h, m, s), up, size in stanzas:
        chat.frame(t(h, m, s) + (0.012 if up else -0.008), up, size, rng)
    chat.close(t(14, 7, 40.0))
    # Relay allocation on the call socket right after the offer, answered by every relay.
    sock = 40404
    for i, relay in enumerate(RELAYS):
        txid = bytes(rng.getrandbits(8) for _ in range(12))
        attr = struct.pack("!HH", 0x4000, 8) + bytes(8)
        cap.udp(t(14, 7, 12.200) + i * 0.001, CLIENT, sock, relay, 3478, stun(0x0003, txid, attr))
        cap.udp(t(14, 7, 12.260) + i * 0.004, relay, 3478, CLIENT, sock,
                stun(0x0103, txid, struct.pack("!HH", 0x0020, 8) + bytes(8)))
    # Media through the first relay, every 20 ms each way.
    start, stop = 13.0, media_until
    seq = 0
    when = start
    while when <= stop + 1e-9:
        rtp = struct.pack("!BBHII", 0x90, 0x78, seq & 0xFFFF, seq * 960, 0x1B9F01EE) + bytes(rng.getrandbits(8) for _ in range(60))
        cap.udp(t(14, 7, when), CLIENT, sock, RELAYS[0], 3478, rtp)
        cap.udp(t(14, 7, when + 0.009), RELAYS[0], 3478, CLIENT, sock, rtp)
        seq += 1
        when = round(when + 0.020, 3)
    # WhatsApp's 0x0800 to the relays as the call ends.
    for i, relay in enumerate(RELAYS):
        cap.udp(t(14, 7, stop + 0.3) + i * 0.001, CLIENT, sock, relay, 3478,
                stun(0x0800, bytes(rng.getrandbits(8) for _ in range(12)), struct.pack("!HH", 0x4000, 4) + bytes(4)))
    return cap


if __name__ == "__main__":
    build(25.0).write(os.path.join(HERE, "media-after-reject.pcap"))
    build(17.4).write(os.path.join(HERE, "media-stops.pcap"))
