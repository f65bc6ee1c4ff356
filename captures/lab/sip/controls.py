#!/usr/bin/env python3
"""alice (127.0.0.2:5060) calls bob (127.0.0.3:5060) over real UDP sockets on loopback, with text
that would steer a terminal: bob answers 100 and 180 and declines with a 603, alice ACKs.

The Call-ID, alice's From display name, her User-Agent and bob's reason phrase carry ESC sequences
(SGR colours, clear screen), OSC title sets ended by BEL and by ST, BEL, BS, a lone CR and the 8-bit
CSI (U+009B, UTF-8 C2 9B). sipp cannot send these bytes: its scenarios are XML, which has no
escape for ESC. The exact bytes are in CONTROLS_* below, which intents.py checks on the wire.

usage: controls.py        (make.sh runs it between tcpdump's start and stop)
"""
import socket
import sys

ALICE = ("127.0.0.2", 5060)
BOB = ("127.0.0.3", 5060)

# Every field holds the same kinds of control, in a different order, so each shows where it lands.
CONTROLS_CALL_ID = b"ctl-\x1b[31mred\x1b[0m-\x1b]0;pwned\x07-\x07\x08\r-\xc2\x9b2J@127.0.0.2"
CONTROLS_DISPLAY = b"Eve \x1b]2;owned\x1b\\ \x1b[2J\x1b[H \x07bell \x08\x08bs \rcr \xc2\x9b31mcsi8"
CONTROLS_AGENT = b"evil/2.0 \x1b[5mblink\x1b[0m \x1b]0;title\x07 \x07 \x08 \r \xc2\x9b1m"
CONTROLS_REASON = b"Decline \x1b[41mred\x1b[0m \x1b]0;gotcha\x07 \x07\x08\r \xc2\x9bK"


def request(method, cseq, to_tag=b""):
    lines = [
        method + b" sip:bob@127.0.0.3:5060 SIP/2.0",
        b"Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-ctl-1;rport",
        b"Max-Forwards: 70",
        b'From: "' + CONTROLS_DISPLAY + b'" <sip:eve@127.0.0.2>;tag=ctl-a1',
        b"To: <sip:bob@127.0.0.3>" + to_tag,
        b"Call-ID: " + CONTROLS_CALL_ID,
        b"CSeq: " + cseq,
        b"Contact: <sip:eve@127.0.0.2:5060>",
        b"User-Agent: " + CONTROLS_AGENT,
        b"Content-Length: 0",
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def headers_of(message):
    head = message.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    return {line.split(b":", 1)[0].lower(): line for line in head}


def response(invite, status, to_tag):
    got = headers_of(invite)
    lines = [b"SIP/2.0 " + status, got[b"via"], got[b"from"], got[b"to"] + to_tag, got[b"call-id"], got[b"cseq"],
             b"Server: sigflow-lab-bob", b"Content-Length: 0"]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def main():
    alice = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    alice.bind(ALICE)
    bob = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    bob.bind(BOB)
    for sock in (alice, bob):
        sock.settimeout(5)
    alice.sendto(request(b"INVITE", b"1 INVITE"), BOB)
    invite, _ = bob.recvfrom(65535)
    tag = b";tag=ctl-b1"
    for status in (b"100 Trying", b"180 Ringing", b"603 " + CONTROLS_REASON):
        bob.sendto(response(invite, status, tag if not status.startswith(b"100") else b""), ALICE)
        reply, _ = alice.recvfrom(65535)
        if not reply.startswith(b"SIP/2.0 " + status[:3]):
            sys.exit(f"alice got {reply[:40]!r}, not {status[:3]!r}")
    alice.sendto(request(b"ACK", b"1 ACK", tag), BOB)
    ack, _ = bob.recvfrom(65535)
    if not ack.startswith(b"ACK "):
        sys.exit(f"bob got {ack[:40]!r}, not the ACK")


if __name__ == "__main__":
    main()
