#!/usr/bin/env python3
"""A SIP UAC that ends up in two dialogs and keeps the unwanted one (S17), python3 stdlib only
(sipp handles one dialog per call: a second 2xx with another To tag looks like a retransmission).

It sends one INVITE to a forking proxy, acknowledges every 2xx it gets (one dialog per To tag, ACK
to the 2xx's Contact through its Record-Route set, RFC 3261 13.2.2.4), re-sends the ACK for a
retransmitted 2xx, then talks on the first dialog for --hold seconds and hangs it up with BYE. The
other dialogs are never ended: RFC 3261 13.2.2.4 says a UAC that does not want a dialog MUST send it
a BYE.

usage: two_dialog_uac.py --bind 127.0.0.2:5060 --proxy 127.0.0.1:5060 --to sip:bob@127.0.0.1
                         --call-id ID --tag TAG --branch z9hG4bK... [--answers 2] [--hold 34]
"""
import argparse
import re
import socket
import sys
import time


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def parse(data):
    """(start line, {lower-case name: [values]}) of a SIP message"""
    head = data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0].split("\r\n")
    fields = {}
    for line in head[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields.setdefault(name.strip().lower(), []).append(value.strip())
    return head[0], fields


def log(line):
    print(f"{time.time():.3f} {line}", flush=True)


class UAC:
    def __init__(self, args):
        self.args = args
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(args.bind)
        self.host, self.port = args.bind
        self.from_header = f'"Alice" <sip:alice@{self.host}>;tag={args.tag}'
        self.sequence = 0

    def request(self, method, uri, to, cseq, routes=(), body=""):
        self.sequence += 1
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.host}:{self.port};branch={self.args.branch}{self.sequence};rport",
                 "Max-Forwards: 70", f"From: {self.from_header}", f"To: {to}", f"Call-ID: {self.args.call_id}",
                 f"CSeq: {cseq}"]
        lines += [f"Route: {route}" for route in routes]
        if method == "INVITE":
            lines += [f"Contact: <sip:alice@{self.host}:{self.port};transport=udp>", "User-Agent: two-dialog-uac"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    def send(self, data):
        self.sock.sendto(data, self.args.proxy)
        log("-> " + data.split(b"\r\n", 1)[0].decode())

    def receive(self, timeout):
        self.sock.settimeout(timeout)
        data, _ = self.sock.recvfrom(65535)
        start, fields = parse(data)
        log(f"<- {start}")
        return start, fields

    def run(self):
        args = self.args
        sdp = "\r\n".join(["v=0", f"o=alice 2890844526 2890844526 IN IP4 {self.host}", "s=-",
                           f"c=IN IP4 {self.host}", "t=0 0", "m=audio 16000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""])
        self.send(self.request("INVITE", args.to, f"<{args.to}>", "1 INVITE", body=sdp))
        dialogs = {}   # To tag -> (ACK bytes, remote target, route set, To header)
        deadline = time.monotonic() + 10
        while len(dialogs) < args.answers:
            start, fields = self.receive(max(0.05, deadline - time.monotonic()))
            if not start.startswith("SIP/2.0 2") or not fields.get("cseq", [""])[0].endswith("INVITE"):
                continue
            to = fields["to"][0]
            tag = re.search(r";tag=([^;>\s]+)", to).group(1)
            if tag not in dialogs:
                target = re.search(r"<([^>]+)>", fields["contact"][0]).group(1)
                routes = list(reversed([r.strip() for value in fields.get("record-route", [])
                                        for r in value.split(",")]))
                dialogs[tag] = (self.request("ACK", target, to, "1 ACK", routes), target, routes, to)
            self.send(dialogs[tag][0])   # first ACK, or again for a retransmitted 2xx
        # keep every dialog; talk on the first one, then hang up that one only
        first = next(iter(dialogs.values()))
        end = time.monotonic() + args.hold
        while time.monotonic() < end:
            try:
                start, fields = self.receive(end - time.monotonic())
            except socket.timeout:
                break
            if start.startswith("SIP/2.0 2") and fields.get("cseq", [""])[0].endswith("INVITE"):
                tag = re.search(r";tag=([^;>\s]+)", fields["to"][0]).group(1)
                self.send(dialogs[tag][0])
        _, target, routes, to = first
        self.send(self.request("BYE", target, to, "2 BYE", routes))
        while True:
            start, fields = self.receive(5)
            if fields.get("cseq", [""])[0].endswith("BYE") and start.startswith("SIP/2.0 2"):
                return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", type=endpoint, required=True)
    parser.add_argument("--proxy", type=endpoint, required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--call-id", required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--branch", required=True)
    parser.add_argument("--answers", type=int, default=2)
    parser.add_argument("--hold", type=float, default=34.0)
    return UAC(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
