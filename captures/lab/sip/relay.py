#!/usr/bin/env python3
"""Tiny TCP relay that re-cuts a byte stream (python3 stdlib only).

sipp writes every SIP message with one send(), so its TCP segments always hold exactly one
message. This relay sits in the middle and re-cuts the stream so that a capture shows SIP
messages split over several segments and segments that carry more than one message.

For each direction it collects what arrives for a window of milliseconds after the first byte of
a burst (so messages sent close together are coalesced; the windows are a ';' list, cycled per
burst), then writes the burst in pieces given by the next entry of that direction's cut plan
(also cycled):
    "all"      one write with the whole burst
    "300"      300 bytes, then the rest
    "150,150"  150, 150, then the rest
Pieces are written with TCP_NODELAY and a short pause between them, so each is its own segment.

usage: relay.py --listen IP:PORT --connect IP:PORT [--bind IP[:PORT]] [--up PLAN;PLAN..] [--down PLAN;PLAN..]
                [--window-up MS;MS..] [--window-down MS;MS..] [--log FILE]
"up" is the direction from the accepted (listening) side to the connected side.
"""
import argparse
import select
import socket
import sys
import threading
import time


def parse_plan(text):
    plans = []
    for entry in (text or "all").split(";"):
        entry = entry.strip()
        plans.append([] if entry in ("", "all") else [int(x) for x in entry.split(",")])
    return plans


class Pump(threading.Thread):
    def __init__(self, name, src, dst, plans, windows, log):
        super().__init__(daemon=True)
        self.name, self.src, self.dst, self.plans, self.windows, self.log = name, src, dst, plans, windows, log
        self.burst = 0

    def run(self):
        try:
            while True:
                first = self.src.recv(65536)
                if not first:
                    break
                buf = bytearray(first)
                deadline = time.monotonic() + self.windows[self.burst % len(self.windows)]
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    ready, _, _ = select.select([self.src], [], [], left)
                    if not ready:
                        break
                    more = self.src.recv(65536)
                    if not more:
                        break
                    buf += more
                self.flush(bytes(buf))
        except OSError:
            pass
        finally:
            try:
                self.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def flush(self, data):
        plan = self.plans[self.burst % len(self.plans)]
        self.burst += 1
        pieces, pos = [], 0
        for size in plan:
            if pos + size >= len(data):
                break
            pieces.append(data[pos:pos + size])
            pos += size
        pieces.append(data[pos:])
        self.log(f"{self.name} burst {self.burst}: {len(data)} bytes -> pieces {[len(p) for p in pieces]}")
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(0.03)
            self.dst.sendall(piece)


def windows(text):
    return [float(x) / 1000.0 for x in text.split(";")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", required=True)
    ap.add_argument("--connect", required=True)
    ap.add_argument("--bind", default=None, help="source IP[:PORT] for the outgoing connection")
    ap.add_argument("--up", default="all")
    ap.add_argument("--down", default="all")
    ap.add_argument("--window-up", default="50")
    ap.add_argument("--window-down", default="50")
    ap.add_argument("--log", default=None)
    args = ap.parse_args()

    logf = open(args.log, "a") if args.log else sys.stderr

    def log(line):
        logf.write(f"{time.time():.6f} {line}\n")
        logf.flush()

    lhost, lport = args.listen.rsplit(":", 1)
    chost, cport = args.connect.rsplit(":", 1)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((lhost, int(lport)))
    srv.listen(4)
    log(f"listening on {args.listen}, relaying to {args.connect}")
    while True:
        down_side, peer = srv.accept()
        up_side = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if args.bind:
            bip, _, bport = args.bind.partition(":")
            up_side.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            up_side.bind((bip, int(bport or 0)))
        up_side.connect((chost, int(cport)))
        for s in (down_side, up_side):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log(f"accepted {peer}, connected {up_side.getsockname()} -> {args.connect}")
        Pump("up", down_side, up_side, parse_plan(args.up), windows(args.window_up), log).start()
        Pump("down", up_side, down_side, parse_plan(args.down), windows(args.window_down), log).start()


if __name__ == "__main__":
    main()
