#!/usr/bin/env python3
"""A SIP UAS that follows its clock rather than its input, python3 stdlib only, for the two shapes
sipp cannot make:

- a server that answers from a sibling address (--answer-from): it receives requests on --listen and
  sends every response but the first 100 Trying from a second address of the same server, as a
  cluster whose front door and call-handling node differ does; the responses go where the top Via
  says (RFC 3261 18.2.2) and belong to their requests by transaction, not by address;
- a device whose answer crosses the proxy's CANCEL: the 200 OK goes out --answer seconds after the
  INVITE whatever arrives meanwhile (the user pressed answer as the CANCEL came in), and a CANCEL is
  answered 200 only once that 200 is out (it then has no effect, RFC 3261 9.2). sipp would take the
  CANCEL during its pause as unexpected.

Flow: INVITE -> 100 Trying (from --listen), 180 Ringing after --ring s and 200 OK with SDP at
--answer s (from --answer-from, Contact = --listen, Record-Route copied); ACK; BYE -> 200 OK. Exits
after the 200 to the BYE, or after the ACK with --until ack.

usage: timed_uas.py --listen IP:PORT [--answer-from IP:PORT] --tag TAG [--user bob] [--ring 0.3]
                    [--answer 1.5] [--until bye|ack]
"""
import argparse
import re
import select
import socket
import sys
import time


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def fields(message):
    """(start line, [(name, value)]) of a SIP message"""
    head = message.split("\r\n\r\n", 1)[0].split("\r\n")
    return head[0], [tuple(part.strip() for part in line.split(":", 1)) for line in head[1:] if ":" in line]


def response(request, status, tag, extra=(), body=""):
    """a response copying Via, Record-Route (1xx/2xx to INVITE), From, To, Call-ID and CSeq from the
    request (RFC 3261 8.2.6.2, 12.1.1)"""
    start, headers = fields(request)
    keep = {"via", "from", "to", "call-id", "cseq"}
    if start.startswith("INVITE ") and status[0] in "12" and not status.startswith("100"):
        keep.add("record-route")
    lines = [f"SIP/2.0 {status}"]
    for name, value in headers:
        if name.lower() == "to" and tag and ";tag=" not in value:
            value += f";tag={tag}"
        if name.lower() in keep:
            lines.append(f"{name}: {value}")
    lines += list(extra)
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def via_target(request):
    """where responses go: the top Via's sent-by, or its received/rport (RFC 3261 18.2.2, RFC 3581)"""
    _, headers = fields(request)
    via = next(value for name, value in headers if name.lower() == "via").split(",")[0]
    host, port = re.match(r"SIP/2\.0/UDP\s+([^;:\s]+)(?::(\d+))?", via).groups()
    received = re.search(r";received=([^;\s]+)", via)
    rport = re.search(r";rport=(\d+)", via)
    return (received.group(1) if received else host), int(rport.group(1) if rport else port or 5060)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=endpoint, required=True)
    parser.add_argument("--answer-from", type=endpoint)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--user", default="bob")
    parser.add_argument("--ring", type=float, default=0.3)
    parser.add_argument("--answer", type=float, default=1.5)
    parser.add_argument("--until", choices=("bye", "ack"), default="bye")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(args.listen)
    node = front
    if args.answer_from and args.answer_from != args.listen:
        node = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        node.bind(args.answer_from)
    host, port = args.listen
    contact = f"Contact: <sip:{args.user}@{host}:{port};transport=UDP>"
    sdp = "\r\n".join(["v=0", f"o={args.user} 2890844527 2890844527 IN IP4 {host}", "s=-", f"c=IN IP4 {host}",
                       "t=0 0", "m=audio 17000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""])
    timeline = []        # (when, socket, bytes, target): responses waiting for their time
    answered = False     # the 200 to the INVITE is out
    held_cancels = []    # CANCELs that came before it, answered once it is out
    seen = set()
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        now = time.monotonic()
        while timeline and timeline[0][0] <= now:
            _, sock, data, target = timeline.pop(0)
            sock.sendto(data, target)
            if data.startswith(b"SIP/2.0 200") and b" INVITE\r\n" in data:
                answered = True
                for cancel in held_cancels:
                    node.sendto(response(cancel, "200 OK", args.tag), via_target(cancel))
                held_cancels.clear()
        wait = min([timeline[0][0] - now] if timeline else [1.0])
        if not select.select([front], [], [], max(0.0, wait))[0]:
            continue
        data, source = front.recvfrom(65535)
        message = data.decode("utf-8", "replace")
        start, _ = fields(message)
        method = start.split(" ", 1)[0]
        print(f"{time.time():.3f} {source} {start}", flush=True)
        if message in seen:   # a retransmission: its answers are out or scheduled
            continue
        seen.add(message)
        target = via_target(message)
        if method == "INVITE":
            front.sendto(response(message, "100 Trying", None), target)
            t0 = time.monotonic()
            timeline += [(t0 + args.ring, node, response(message, "180 Ringing", args.tag, [contact]), target),
                         (t0 + args.answer, node, response(message, "200 OK", args.tag,
                                                           [contact, f"User-Agent: timed-uas-{args.user}",
                                                            "Content-Type: application/sdp"], sdp), target)]
        elif method == "CANCEL":
            if answered:
                node.sendto(response(message, "200 OK", args.tag), target)
            else:
                held_cancels.append(message)
        elif method == "ACK":
            if args.until == "ack":
                return 0
        elif method == "BYE":
            node.sendto(response(message, "200 OK", None), target)
            return 0
        else:
            node.sendto(response(message, "501 Not Implemented", args.tag), target)
    print("timed out", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
