#!/usr/bin/env python3
"""Writes a large, realistic SIP + RTP capture for scripts/bench (stdlib only).

Calls of SIP over UDP (and a tenth over TCP, with handshakes and real segment sequence numbers)
between many phones and a proxy: answered calls carry G.711 RTP at 50 packets per second each way
while up, others are declined (603), busy (486) or cancelled. Background traffic: DNS, HTTPS-like
TCP flows with TLS records, NTP. Packets are written in time order, streaming, so any size is
cheap in memory.

With --signaling, the capture is what a capture filter on the SIP port of a busy proxy gives: the
same calls, a hundred new ones per second, and no RTP or background traffic.

With --dense, the same mix as the default but as a busy access network gives it: about twenty
calls per MB, short ones (answered calls talk for 1 to 5 s), 12% of them over TCP.

usage: make-capture.py OUT.pcap MEGABYTES [SEED] [--signaling | --dense]
"""
import heapq
import random
import struct
import sys

signaling_only = "--signaling" in sys.argv
dense = "--dense" in sys.argv
arguments = [arg for arg in sys.argv if arg not in ("--signaling", "--dense")]
# Calls per 20 ms tick: each tick starts another while a draw stays under this (geometric counts).
ARRIVAL = 0.2 if dense else 0.1
TCP_SHARE = 0.12 if dense else 0.1
TALK_SECONDS = (1, 5) if dense else (20, 120)
out_path, megabytes = arguments[1], float(arguments[2])
rng = random.Random(int(arguments[3]) if len(arguments) > 3 else 1)
target = int(megabytes * 1e6)

MAC_A, MAC_B = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"
PROXY = (10 << 24) | (0 << 16) | (0 << 8) | 1


def ip(value):
    return struct.pack("!I", value)


def checksum_free_ipv4(src, dst, proto, payload, ident):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64, proto, 0, ip(src), ip(dst)) + payload


def udp(src, sport, dst, dport, data, ident):
    return checksum_free_ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data, ident)


def tcp(src, sport, dst, dport, seq, ack, flags, data, ident):
    return checksum_free_ipv4(src, dst, 6, struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0) + data, ident)


class Writer:
    def __init__(self, path):
        self.file = open(path, "wb")
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.written = 24
        self.packets = 0
        self.ident = 0

    def frame(self, time, packet):
        data = MAC_B + MAC_A + b"\x08\x00" + packet
        seconds = int(time)
        self.file.write(struct.pack("<IIII", seconds, int((time - seconds) * 1e6), len(data), len(data)) + data)
        self.written += 16 + len(data)
        self.packets += 1

    def next_ident(self):
        self.ident += 1
        return self.ident


def sip(start_line, headers, body=b""):
    text = start_line + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
    text += f"Content-Length: {len(body)}\r\n\r\n"
    return text.encode() + body


def sdp(address, port):
    return (f"v=0\r\no=- 1 1 IN IP4 {address}\r\ns=call\r\nc=IN IP4 {address}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            f"a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n").encode()


def dotted(value):
    return ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))


class Call:
    def __init__(self, number, start):
        self.number = number
        self.start = start
        self.caller = (10 << 24) | (1 << 16) | (number % 60000 // 250 << 8) | (number % 250 + 2)
        self.callee = (10 << 24) | (2 << 16) | (number * 7 % 60000 // 250 << 8) | (number * 7 % 250 + 2)
        self.call_id = f"{rng.getrandbits(64):016x}@bench.example"
        self.tcp = rng.random() < TCP_SHARE
        fate = rng.random()
        self.fate = "answered" if fate < 0.7 else "declined" if fate < 0.8 else "busy" if fate < 0.9 else "cancelled"
        self.duration = rng.uniform(*TALK_SECONDS) if self.fate == "answered" else 0
        self.rtp_ports = (20000 + 2 * (number % 10000), 40000 + 2 * (number % 10000))
        self.seq = [rng.getrandbits(32), rng.getrandbits(32)]
        self.events = []
        self.plan()

    def plan(self):
        t = self.start
        a, b = dotted(self.caller), dotted(self.callee)
        branch = f"z9hG4bK{rng.getrandbits(40):x}"
        tag = f"{rng.getrandbits(32):x}"
        totag = f"{rng.getrandbits(32):x}"
        base = [("Via", f"SIP/2.0/{'TCP' if self.tcp else 'UDP'} {a}:5060;branch={branch}"),
                ("From", f"<sip:{self.number}@bench.example>;tag={tag}"),
                ("To", f"<sip:{self.number + 1000000}@bench.example>"),
                ("Call-ID", self.call_id), ("CSeq", "1 INVITE"), ("Max-Forwards", "70"),
                ("User-Agent", "bench-phone/1.0")]
        answered_to = [(n, v + (f";tag={totag}" if n == "To" else "")) for n, v in base if n != "Max-Forwards" and n != "User-Agent"]
        ev = self.events
        ev.append((t, 0, sip(f"INVITE sip:{self.number + 1000000}@bench.example SIP/2.0", base + [("Contact", f"<sip:{a}:5060>"), ("Content-Type", "application/sdp")], sdp(a, self.rtp_ports[0]))))
        ev.append((t + 0.01, 1, sip("SIP/2.0 100 Trying", answered_to[:1] + [(n, v) for n, v in base[1:5]])))
        ev.append((t + 0.3, 1, sip("SIP/2.0 180 Ringing", answered_to + [("Contact", f"<sip:{b}:5060>")])))
        ring = rng.uniform(1, 8)
        t += 0.3 + ring
        if self.fate == "answered":
            ev.append((t, 1, sip("SIP/2.0 200 OK", answered_to + [("Contact", f"<sip:{b}:5060>"), ("Content-Type", "application/sdp")], sdp(b, self.rtp_ports[1]))))
            ack = [(n, v.replace("1 INVITE", "1 ACK")) for n, v in answered_to]
            ev.append((t + 0.02, 0, sip(f"ACK sip:{b}:5060 SIP/2.0", ack)))
            self.media = (t + 0.05, t + self.duration)
            t += self.duration
            bye = [(n, v.replace("1 INVITE", "2 BYE")) for n, v in answered_to]
            ev.append((t, 0, sip(f"BYE sip:{b}:5060 SIP/2.0", bye)))
            ev.append((t + 0.02, 1, sip("SIP/2.0 200 OK", bye)))
        elif self.fate in ("declined", "busy"):
            line = "SIP/2.0 603 Decline" if self.fate == "declined" else "SIP/2.0 486 Busy Here"
            ev.append((t, 1, sip(line, answered_to)))
            ev.append((t + 0.02, 0, sip(f"ACK sip:{self.number + 1000000}@bench.example SIP/2.0", [(n, v.replace("1 INVITE", "1 ACK")) for n, v in answered_to])))
            self.media = None
        else:
            cancel = [(n, v.replace("1 INVITE", "1 CANCEL")) for n, v in base]
            ev.append((t, 0, sip(f"CANCEL sip:{self.number + 1000000}@bench.example SIP/2.0", cancel)))
            ev.append((t + 0.01, 1, sip("SIP/2.0 200 OK", [(n, v + (f";tag={totag}" if n == "To" else "")) for n, v in cancel])))
            ev.append((t + 0.02, 1, sip("SIP/2.0 487 Request Terminated", answered_to)))
            ev.append((t + 0.04, 0, sip(f"ACK sip:{self.number + 1000000}@bench.example SIP/2.0", [(n, v.replace("1 INVITE", "1 ACK")) for n, v in answered_to])))
            self.media = None
        self.end = t + 1

    def emit_signaling(self, writer, until):
        while self.events and self.events[0][0] <= until:
            time, direction, data = self.events.pop(0)
            src, dst = (self.caller, self.callee) if direction == 0 else (self.callee, self.caller)
            if self.tcp:
                sport, dport = (5060, 5060)
                packet = tcp(src, 40000 + self.number % 20000 if direction == 0 else 5060, dst, 5060 if direction == 0 else 40000 + self.number % 20000,
                             self.seq[direction], self.seq[1 - direction], 0x18, data, writer.next_ident())
                self.seq[direction] += len(data)
            else:
                packet = udp(src, 5060, dst, 5060, data, writer.next_ident())
            writer.frame(time, packet)


def signaling():
    """Calls start a hundred a second (exponential gaps); their messages go through one time-ordered
    queue, so the number of calls up at once (thousands) costs nothing per packet."""
    writer = Writer(out_path)
    clock = 1_700_000_000.0
    queue = []
    number = 0
    while writer.written < target:
        clock += rng.expovariate(100)
        number += 1
        call = Call(number, clock)
        for index, (time, _, _) in enumerate(call.events):
            heapq.heappush(queue, (time, number, index, call))
        while queue and queue[0][0] <= clock:
            time, _, _, due = heapq.heappop(queue)
            due.emit_signaling(writer, time)
    writer.file.close()
    print(f"{out_path}: {writer.packets} packets, {writer.written} bytes, {number} calls", file=sys.stderr)


def main():
    writer = Writer(out_path)
    clock = 1_700_000_000.0
    active = []
    number = 0
    rtp_payload = bytes(160)
    tls_record = b"\x17\x03\x03\x04\x00" + bytes(1024)
    https_flows = []
    while writer.written < target:
        clock += 0.02
        # New calls arrive at about five per second (dense: twelve).
        while rng.random() < ARRIVAL:
            number += 1
            active.append(Call(number, clock))
        for call in active:
            call.emit_signaling(writer, clock)
            if call.media and call.media[0] <= clock <= call.media[1]:
                seq = int((clock - call.media[0]) * 50)
                for direction in (0, 1):
                    src, dst = (call.caller, call.callee) if direction == 0 else (call.callee, call.caller)
                    header = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160 & 0xFFFFFFFF, call.number * 2 + direction)
                    writer.frame(clock + direction * 0.001, udp(src, call.rtp_ports[direction], dst, call.rtp_ports[1 - direction], header + rtp_payload, writer.next_ident()))
        active = [call for call in active if call.events or (call.media and clock <= call.media[1])]
        # Background: DNS, NTP, HTTPS bursts.
        if rng.random() < 0.3:
            host = (192 << 24) | (168 << 16) | rng.randrange(1, 255)
            writer.frame(clock, udp(host, rng.randrange(30000, 60000), 0x08080808, 53, bytes(rng.randrange(30, 60)), writer.next_ident()))
        if rng.random() < 0.05:
            writer.frame(clock, udp(0x0A000005, 123, 0x0A000006, 123, bytes(48), writer.next_ident()))
        if rng.random() < 0.02:
            https_flows.append([(192 << 24) | (168 << 16) | rng.randrange(1, 255), rng.randrange(30000, 60000), rng.getrandbits(32), rng.getrandbits(32), 40])
        for flow in https_flows:
            host, port, seq_c, seq_s, left = flow
            writer.frame(clock, tcp(0x5DB8D822, 443, host, port, seq_s, seq_c, 0x18, tls_record, writer.next_ident()))
            flow[3] += len(tls_record)
            flow[4] -= 1
        https_flows = [flow for flow in https_flows if flow[4] > 0]
    writer.file.close()
    print(f"{out_path}: {writer.packets} packets, {writer.written} bytes, {number} calls", file=sys.stderr)


signaling() if signaling_only else main()
