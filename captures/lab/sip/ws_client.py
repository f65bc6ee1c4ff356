#!/usr/bin/env python3
"""Minimal SIP-over-WebSocket client (RFC 6455 + RFC 7118), python3 stdlib only.

Registers alice over ws://127.0.0.1:8080 (sub-protocol "sip") with kamailio, then calls bob
(kamailio relays to a UDP sipp UAS): INVITE, 100/180/200, ACK, 2 s, BYE, 200, WebSocket close.
All client frames are masked (a fresh 4-byte key per frame). On purpose the framing varies:
  REGISTER  one text frame, 16-bit extended length (payload > 125 bytes)
  INVITE    fragmented: text frame (FIN=0, 16-bit length) + continuation (FIN=0, 7-bit length)
            + continuation (FIN=1, 16-bit length)
  ACK       one binary frame (opcode 2), 16-bit length
  BYE       one text frame, 16-bit length
  close     close frame, status 1000
Prints one line per frame sent/received (the expectation script reads nothing from here).

usage: ws_client.py --url ws://127.0.0.1:8080 --callee sip:bob@127.0.0.1 --call-id ID --tag TAG [--bind IP:PORT]
A wss:// URL speaks TLS (Python's default context: SSL_CERT_FILE names the certificate to trust,
SSLKEYLOGFILE gets the key log), and Via says WSS.
"""
import argparse
import base64
import hashlib
import os
import random
import re
import socket
import ssl
import struct
import sys
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
rng = random.Random(7118)   # deterministic masking keys and branches, so reruns look alike


def log(line):
    print(f"{time.time():.3f} {line}", flush=True)


def frame(opcode, payload, fin=True):
    """one client frame: always masked (RFC 6455 5.3)"""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    key = bytes(rng.randrange(256) for _ in range(4))
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head + key + masked


class WS:
    def __init__(self, url, bind):
        m = re.match(r"(wss?)://([^:/]+):(\d+)(/.*)?$", url)
        secure, host, port, path = m.group(1) == "wss", m.group(2), int(m.group(3)), m.group(4) or "/"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if bind:
            bip, bport = bind.rsplit(":", 1)
            self.sock.bind((bip, int(bport)))
        self.sock.settimeout(10)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if secure:
            self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=host)
        self.local = "%s:%d" % self.sock.getsockname()
        key = base64.b64encode(bytes(rng.randrange(256) for _ in range(16))).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n"
               f"Origin: http://{host}\r\nUser-Agent: siplab-ws-client/1.0\r\n\r\n")
        self.sock.sendall(req.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SystemExit("connection closed during the handshake")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        log(f"handshake: {lines[0]}")
        hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if not lines[0].startswith("HTTP/1.1 101") or hdrs.get("sec-websocket-accept") != want:
            raise SystemExit(f"bad handshake answer: {lines}")
        if hdrs.get("sec-websocket-protocol", "").lower() != "sip":
            raise SystemExit(f"server did not accept sub-protocol sip: {hdrs}")

    def send_frames(self, frames):
        for i, f in enumerate(frames):
            if i:
                time.sleep(0.05)    # separate TCP segments, one frame each
            self.sock.sendall(f)

    def send_sip(self, text, how):
        data = text.replace("\n", "\r\n").encode()
        if how == "text":
            frames = [frame(OP_TEXT, data)]
        elif how == "binary":
            frames = [frame(OP_BIN, data)]
        elif how == "fragmented":
            a, b = 200, 260          # 200 bytes (16-bit len), 60 bytes (7-bit len), rest (16-bit len)
            frames = [frame(OP_TEXT, data[:a], fin=False), frame(OP_CONT, data[a:b], fin=False),
                      frame(OP_CONT, data[b:], fin=True)]
        else:
            raise ValueError(how)
        self.send_frames(frames)
        log(f"sent {text.split(chr(10))[0]!r} ({len(data)} bytes) as {how}: {[len(f) for f in frames]} frame bytes")

    def parse_frame(self):
        """one complete frame from the receive buffer, or None if more bytes are needed"""
        b = self.buf
        if len(b) < 2:
            return None
        n, pos = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, pos = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, pos = struct.unpack("!Q", b[2:10])[0], 10
        key = None
        if b[1] & 0x80:
            key, pos = b[pos:pos + 4], pos + 4
        if len(b) < pos + n:
            return None
        payload = b[pos:pos + n]
        if key:
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        self.buf = b[pos + n:]
        return b[0] & 0x0F, bool(b[0] & 0x80), payload

    def recv_frame(self):
        while True:
            f = self.parse_frame()
            if f:
                return f
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            self.buf += chunk

    def recv_sip(self):
        parts = []
        while True:
            op, fin, payload = self.recv_frame()
            if op == OP_PING:
                self.send_frames([frame(OP_PONG, payload)])
                continue
            if op == OP_CLOSE:
                raise SystemExit("server closed the WebSocket")
            parts.append(payload)
            if fin:
                text = b"".join(parts).decode()
                log(f"received {text.split(chr(13))[0]!r} (opcode {op})")
                return text


def header(msg, name):
    m = re.search(r"^" + name + r":\s*(.*?)\r$", msg, re.M | re.I)
    return m.group(1) if m else None


def all_headers(msg, name):
    return re.findall(r"^" + name + r":\s*(.*?)\r$", msg, re.M | re.I)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--callee", required=True)
    ap.add_argument("--call-id", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--bind", default=None, help="local IP:PORT of the client socket")
    args = ap.parse_args()

    host = "r7kq2m9x4c.invalid"                 # RFC 7118 style: the client does not know its address
    ws = WS(args.url, args.bind)
    proxy = re.match(r"wss?://([^/]+)", args.url).group(1)
    via = "WSS" if args.url.startswith("wss:") else "WS"
    domain = args.callee.split("@", 1)[1]
    aor = f"sip:alice@{domain}"
    contact = f"<sip:alice@{host};transport=ws>"

    def br():
        return "z9hG4bK" + "".join(rng.choice("0123456789abcdef") for _ in range(12))

    # REGISTER (own Call-ID) --------------------------------------------------------------------
    reg_cid = args.call_id.replace("@", "") + "-reg"
    ws.send_sip(f"""REGISTER sip:{domain} SIP/2.0
Via: SIP/2.0/{via} {host};branch={br()}
Max-Forwards: 70
From: "Alice (ws)" <{aor}>;tag={args.tag}r
To: <{aor}>
Call-ID: {reg_cid}
CSeq: 1 REGISTER
Contact: {contact};expires=600
Expires: 600
User-Agent: siplab-ws-client/1.0
Content-Length: 0

""", "text")
    r = ws.recv_sip()
    if not r.startswith("SIP/2.0 200"):
        raise SystemExit("REGISTER failed")

    # INVITE -------------------------------------------------------------------------------------
    sdp = ("v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 16400 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    inv_branch = br()
    ws.send_sip(f"""INVITE {args.callee} SIP/2.0
Via: SIP/2.0/{via} {host};branch={inv_branch}
Max-Forwards: 70
From: "Alice (ws)" <{aor}>;tag={args.tag}
To: <{args.callee}>
Call-ID: {args.call_id}
CSeq: 1 INVITE
Contact: {contact}
Supported: outbound
User-Agent: siplab-ws-client/1.0
Content-Type: application/sdp
Content-Length: {len(sdp)}

""" + sdp.replace("\r\n", "\n"), "fragmented")
    final = None
    while final is None:
        r = ws.recv_sip()
        code = int(r.split(" ", 2)[1])
        if code >= 200:
            final = r
    if code != 200:
        raise SystemExit(f"call failed: {final.splitlines()[0]}")
    to = header(final, "To")
    target = re.search(r"<([^>]+)>", header(final, "Contact")).group(1)
    rr = []
    for v in all_headers(final, "Record-Route"):
        rr += [x.strip() for x in v.split(",")]
    routes = "".join(f"Route: {x}\n" for x in reversed(rr))

    # ACK as a binary frame ------------------------------------------------------------------------
    ws.send_sip(f"""ACK {target} SIP/2.0
Via: SIP/2.0/{via} {host};branch={br()}
{routes}Max-Forwards: 70
From: "Alice (ws)" <{aor}>;tag={args.tag}
To: {to}
Call-ID: {args.call_id}
CSeq: 1 ACK
Content-Length: 0

""", "binary")
    time.sleep(2)

    # BYE -------------------------------------------------------------------------------------------
    ws.send_sip(f"""BYE {target} SIP/2.0
Via: SIP/2.0/{via} {host};branch={br()}
{routes}Max-Forwards: 70
From: "Alice (ws)" <{aor}>;tag={args.tag}
To: {to}
Call-ID: {args.call_id}
CSeq: 2 BYE
User-Agent: siplab-ws-client/1.0
Content-Length: 0

""", "text")
    r = ws.recv_sip()
    if not r.startswith("SIP/2.0 200"):
        raise SystemExit("BYE failed")

    # close -------------------------------------------------------------------------------------------
    ws.send_frames([frame(OP_CLOSE, struct.pack("!H", 1000) + b"bye")])
    try:
        while True:
            op, fin, payload = ws.recv_frame()
            if op == OP_CLOSE:
                log(f"close acknowledged: {struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else '-'}")
                break
    except (SystemExit, OSError):
        pass
    ws.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
