#!/usr/bin/env python3
"""Writes NAME.expect.json for one SIP lab capture (python3 stdlib + tshark).

usage: expect.py DIR NAME      reads DIR/NAME.pcap, writes DIR/NAME.expect.json

What comes from where:
  - from the capture (tshark -T pdml): every SIP message in frame order with its frame number,
    transport source/destination, label (method, or "code reason" exactly as on the wire), Call-ID,
    and the transaction keys used to mark UDP retransmissions; TCP segments / IP fragments that
    made up a message;
  - from intents.py (what make.sh made the software do): the scenario line, per call the method,
    outcome, per-device outcomes and the planted rule numbers (findings), and the message flow the
    scenario was meant to put on the wire.
The observed flow is checked against the intended one (per direction, in order, retransmissions
left out; strict scenarios also in global order). Any mismatch is an error: fix the scenario,
never the expectation.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intents import INTENTS, NAMES  # noqa: E402

COMPACT = {"i": "call-id", "v": "via", "t": "to", "f": "from", "l": "content-length", "m": "contact",
           "c": "content-type", "s": "subject", "k": "supported", "e": "content-encoding", "o": "event"}


def parse_headers(block):
    """raw header block (bytes) -> list of (lower-case full name, value); folded lines unfolded"""
    text = block.decode("utf-8", "replace")
    lines = text.split("\r\n")
    out = []
    for line in lines:
        if not line:
            continue
        if line[0] in " \t" and out:
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip())
            continue
        if ":" not in line:
            continue
        name, value = line.split(":", 1)
        name = name.strip().lower()
        out.append((COMPACT.get(name, name), value.strip()))
    return out


def strip_quoted_and_uri(value):
    value = re.sub(r'"(?:[^"\\]|\\.)*"', '""', value)
    return re.sub(r"<[^>]*>", "<>", value)


def param(value, name):
    m = re.search(r";\s*" + name + r"\s*=\s*([^;,\s]+)", strip_quoted_and_uri(value), re.I)
    return m.group(1) if m else None


def hx(field):
    return bytes.fromhex(field.get("value", "")) if field is not None and field.get("value") else b""


class Msg:
    pass


def sip_messages(pcap):
    """every SIP PDU that tshark decodes, in frame order"""
    args = ["tshark", "-r", pcap, "-T", "pdml", "-Y", "sip",
            "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "ip.defragment:TRUE",
            "-o", "sip.desegment_headers:TRUE", "-o", "sip.desegment_body:TRUE"]
    pdml = subprocess.run(args, check=True, capture_output=True).stdout
    root = ET.fromstring(pdml)
    reassembled_in = reassembly_map(pcap)
    ws_opcode = websocket_opcodes(pcap)
    msgs = []
    for pkt in root.iter("packet"):
        fields = {}
        for f in pkt.iter("field"):
            fields.setdefault(f.get("name"), f)
        frame = int(fields["frame.number"].get("show"))
        when = float(fields["frame.time_epoch"].get("show"))
        src_ip, dst_ip = fields["ip.src"].get("show"), fields["ip.dst"].get("show")
        proto = "udp" if "udp.srcport" in fields else "tcp"
        sport, dport = fields[proto + ".srcport"].get("show"), fields[proto + ".dstport"].get("show")
        ip_frags = [int(f.get("show")) for f in pkt.iter("field") if f.get("name") == "ip.fragment"]
        ws = [p for p in pkt.iter("proto") if p.get("name") == "websocket"]
        for idx, sp in enumerate(p for p in pkt.iter("proto") if p.get("name") == "sip"):
            m = Msg()
            m.frame, m.time, m.transport = frame, when, proto
            m.src, m.dst = f"{src_ip}:{sport}", f"{dst_ip}:{dport}"
            first = None
            for f in sp:
                if f.get("name") in ("sip.Request-Line", "sip.Status-Line"):
                    first = f
            hdr = next((f for f in sp if f.get("name") == "sip.msg_hdr"), None)
            if first is None or hdr is None:
                raise SystemExit(f"frame {frame}: SIP PDU without start line or headers")
            start = hx(first)
            # tshark ends a line at a lone CR too; SIP lines end at CRLF (terminal-controls' reason phrase
            # holds a CR): take the start line from the datagram when it is there
            payload = hx(fields.get("udp.payload"))
            if payload.startswith(start.rstrip(b"\r\n")):
                start = payload.split(b"\r\n", 1)[0]
            m.start = start.decode("utf-8", "replace").rstrip("\r\n")
            m.is_request = first.get("name") == "sip.Request-Line"
            raw_hdr = hx(hdr)
            body = next((f for f in sp if f.get("name") == "sip.msg_body"), None)
            # what the body says, field by field (tshark gives the body's bytes only as decoded fields)
            m.body = "|".join(f.get("show", "") for f in body.iter("field")) if body is not None else ""
            m.headers = parse_headers(raw_hdr)
            m.size = int(sp.get("size"))
            start_len = int(hdr.get("pos")) - int(sp.get("pos"))
            m.body_on_wire = m.size - start_len - int(hdr.get("size"))
            h = {}
            for n, v in m.headers:
                h.setdefault(n, []).append(v)
            m.h = h
            if m.is_request:
                m.method = m.start.split(" ", 1)[0]
                m.label = m.method
                m.code = None
            else:
                parts = m.start.split(" ", 2)
                m.code = int(parts[1])
                m.label = parts[1] + (" " + parts[2] if len(parts) > 2 else "")
            m.call_id = h.get("call-id", [""])[0]
            cseq = h.get("cseq", ["0 ?"])[0].split()
            m.cseq_num, m.cseq_method = int(cseq[0]), cseq[1] if len(cseq) > 1 else "?"
            if not m.is_request:
                m.method = m.cseq_method
            vias = ",".join(h.get("via", [""]))
            m.top_via = vias.split(",")[0].strip()
            m.branch = param(m.top_via, "branch")
            m.to_tag = param(h.get("to", [""])[0], "tag")
            m.from_tag = param(h.get("from", [""])[0], "tag")
            cl = h.get("content-length")
            m.content_length = int(cl[0]) if cl and cl[0].strip().isdigit() else None
            m.reason_hdr = h.get("reason", [])
            # evidence of transport-level cutting
            m.tcp_segments = None
            if proto == "tcp" and not ws:
                segs = sorted(f for f, n in reassembled_in.items() if n == frame)
                m.tcp_segments = (segs + [frame]) if (idx == 0 and segs) else [frame]
            m.ip_fragments = ip_frags or None
            m.ws_frames = m.ws_opcode = None
            if ws:
                frags = [int(f.get("show")) for f in pkt.iter("field") if f.get("name") == "websocket.fragment"]
                m.ws_frames = frags or [frame]
                m.ws_opcode = ws_opcode.get(m.ws_frames[0])
            msgs.append(m)
    return msgs


def websocket_opcodes(pcap):
    """frame -> opcode name of the (first) WebSocket frame it carries"""
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "websocket.opcode",
                          "-Y", "websocket"], capture_output=True, text=True, check=True).stdout
    names = {"0": "continuation", "1": "text", "2": "binary", "8": "close", "9": "ping", "10": "pong"}
    res = {}
    for line in out.splitlines():
        a, b = (line.split("\t") + [""])[:2]
        if b:
            res[int(a)] = names.get(b.split(",")[0], b)
    return res


def reassembly_map(pcap):
    """frame -> frame in which the TCP PDU it carries (the start of) is reassembled"""
    out = subprocess.run(["tshark", "-2", "-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "tcp.reassembled_in",
                          "-Y", "tcp.reassembled_in"], capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        a, b = (line.split("\t") + [""])[:2]
        if b:
            res[int(a)] = int(b.split(",")[0])
    return res


MEDIA_GAP = 3.0   # seconds of silence that end a media segment (sigflow's MediaSegment.gap)


def rtp_packets(pcap):
    """every RTP packet (heuristic decoding, so streams no SDP set up count too) in frame order:
    (frame, epoch time, src, dst, UDP payload bytes)"""
    out = subprocess.run(["tshark", "-r", pcap, "-o", "rtp.heuristic_rtp:TRUE", "-Y", "rtp", "-T", "fields",
                          "-e", "frame.number", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "udp.srcport",
                          "-e", "ip.dst", "-e", "udp.dstport", "-e", "udp.length"],
                         capture_output=True, text=True, check=True).stdout
    packets = []
    for line in out.splitlines():
        frame, when, sip_, sport, dip, dport, length = line.split("\t")
        packets.append((int(frame), float(when), f"{sip_}:{sport}", f"{dip}:{dport}", int(length) - 8))
    return packets


def media_rows(packets):
    """sigflow's media steps: per path (source -> destination) and segment, "RTP starts" at its first
    packet and "RTP stops: N packets in D s" at its last"""
    segments = {}
    for frame, when, src, dst, size in packets:
        path = segments.setdefault((src, dst), [])
        if path and when - path[-1]["last_time"] <= MEDIA_GAP:
            path[-1].update(last=frame, last_time=when, packets=path[-1]["packets"] + 1)
        else:
            path.append({"first": frame, "first_time": when, "last": frame, "last_time": when, "packets": 1})
    rows = []
    for (src, dst), path in segments.items():
        for seg in path:
            tenths = round((seg["last_time"] - seg["first_time"]) * 10)
            rows.append({"frame": seg["first"], "src": src, "dst": dst, "label": "RTP starts"})
            rows.append({"frame": seg["last"], "src": src, "dst": dst,
                         "label": f"RTP stops: {seg['packets']} packets in {tenths // 10}.{tenths % 10} s"})
    return rows


def check_media(call, observed, packets, names):
    """each intended stream ("alice>bob": "before-bye" or "after-bye") is on the wire, and nothing else"""
    problems = []
    byes = [m for m in observed if m.label == "BYE" and not m.retrans]
    bye_frame = byes[0].frame if byes else None
    want = call.get("media", {})
    got = {}
    for frame, _, src, dst, _ in packets:
        got.setdefault(f"{name_of(src, names)}>{name_of(dst, names)}", []).append(frame)
    if set(got) != set(want):
        problems.append(f"RTP streams {sorted(got)}, want {sorted(want)}")
    for route, when in want.items():
        frames = got.get(route, [])
        if not frames or bye_frame is None:
            continue
        if when == "before-bye" and frames[-1] > bye_frame:
            problems.append(f"{route}: RTP continues after the BYE (frame {bye_frame})")
        if when == "after-bye" and frames[-1] < bye_frame:
            problems.append(f"{route}: RTP ends before the BYE (frame {bye_frame})")
    return problems


def mark_retransmissions(msgs):
    """a retransmission is the same message again: same transaction and, for a response, the same
    status line, To tag and body (100 Trying and 100 Giving a try are two messages)"""
    seen = set()
    for m in msgs:
        if m.is_request:
            key = ("req", m.src, m.dst, m.method, m.branch, m.cseq_num, m.cseq_method, m.call_id)
        else:
            key = ("rsp", m.src, m.dst, m.label, m.branch, m.cseq_num, m.cseq_method, m.to_tag, m.call_id, m.body)
        m.retrans = m.transport == "udp" and key in seen
        seen.add(key)


def name_of(endpoint, names):
    if endpoint in names:
        return names[endpoint]
    ip = endpoint.rsplit(":", 1)[0]
    return names.get(ip + ":*", endpoint)


def check_flow(cap, idx, call, observed, names):
    """observed: list of Msg of this call. Returns list of problems."""
    want = []
    # split at LF only: a label may hold a lone CR (terminal-controls)
    for line in call["flow"].strip().split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        route, label = line.split(" ", 1)
        src, dst = route.split(">")
        want.append((src, dst, label))
    got = [(name_of(m.src, names), name_of(m.dst, names), m.label) for m in observed if not m.retrans]
    problems = []
    if call.get("strict", True):
        if got != want:
            problems.append("flow differs (strict order)")
    else:
        dirs = sorted(set((s, d) for s, d, _ in want) | set((s, d) for s, d, _ in got))
        for s, d in dirs:
            w = [l for a, b, l in want if (a, b) == (s, d)]
            g = [l for a, b, l in got if (a, b) == (s, d)]
            if w != g:
                problems.append(f"{s}>{d}: want {w}, got {g}")
        for a, b in call.get("before", []):
            ia = next((i for i, x in enumerate(got) if " ".join([f"{x[0]}>{x[1]}", x[2]]) == a), None)
            ib = next((i for i, x in enumerate(got) if " ".join([f"{x[0]}>{x[1]}", x[2]]) == b), None)
            if ia is None or ib is None or ia > ib:
                problems.append(f"order: '{a}' must come before '{b}' (positions {ia}, {ib})")
        for a, b in call.get("not_before", []):
            ia = next((i for i, x in enumerate(got) if " ".join([f"{x[0]}>{x[1]}", x[2]]) == a), None)
            ib = next((i for i, x in enumerate(got) if " ".join([f"{x[0]}>{x[1]}", x[2]]) == b), None)
            if ia is not None and ib is not None and ia < ib:
                problems.append(f"order: '{a}' must not come before '{b}'")
    nre = sum(1 for m in observed if m.retrans)
    want_re = call.get("retransmissions", 0)
    if isinstance(want_re, int) and nre != want_re:
        problems.append(f"{nre} retransmissions, want {want_re}")
    if isinstance(want_re, str) and not eval(f"{nre} {want_re}"):
        problems.append(f"{nre} retransmissions, want {want_re}")
    if problems:
        print(f"--- {cap} call {idx}: intended flow", file=sys.stderr)
        for s, d, l in want:
            print(f"    {s}>{d} {l}", file=sys.stderr)
        print(f"--- observed", file=sys.stderr)
        for m in observed:
            print(f"    {m.frame:4} {name_of(m.src, names)}>{name_of(m.dst, names)} {m.label}"
                  f"{'  (retransmission)' if m.retrans else ''}", file=sys.stderr)
    return problems


def render(doc):
    """indented JSON, but each message and device object on one line (easier to read and diff)"""
    compact = {}
    for c in doc["calls"]:
        for key in ("messages", "devices"):
            for i, obj in enumerate(c[key]):
                token = f"@@{len(compact)}@@"
                compact[token] = json.dumps(obj, ensure_ascii=False)
                c[key][i] = token
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    for token, obj in compact.items():
        text = text.replace(json.dumps(token), obj)
    return text + "\n"


def main():
    folder, cap = sys.argv[1], sys.argv[2]
    intent = INTENTS[cap]
    names = dict(NAMES)
    names.update(intent.get("names", {}))
    pcap = os.path.join(folder, cap + ".pcap")
    msgs = sip_messages(pcap)
    mark_retransmissions(msgs)

    by_call, order = {}, []
    for m in msgs:
        if m.call_id not in by_call:
            by_call[m.call_id] = []
            order.append(m.call_id)
        by_call[m.call_id].append(m)

    packets = rtp_packets(pcap)
    calls_intent = intent["calls"]
    problems = []
    if len(order) != len(calls_intent):
        problems.append(f"{len(order)} Call-IDs on the wire, {len(calls_intent)} intended: {order}")
    calls = []
    for idx, (cid, ci) in enumerate(zip(order, calls_intent)):
        observed = by_call[cid]
        problems += [f"call {idx} ({cid}): {p}" for p in check_flow(cap, idx, ci, observed, names)]
        for check in ci.get("checks", []):
            err = check(observed)
            if err:
                problems.append(f"call {idx} ({cid}): {err}")
        if packets and "media" not in ci:
            problems.append(f"call {idx} ({cid}): RTP on the wire, none intended")
        if "media" in ci:
            problems += [f"call {idx} ({cid}): {p}" for p in check_media(ci, observed, packets, names)]
        entries = []
        for m in observed:
            e = {"frame": m.frame, "src": m.src, "dst": m.dst, "label": m.label}
            if m.retrans:
                e["retransmission"] = True
            if intent.get("segments") and m.tcp_segments and len(m.tcp_segments) > 1:
                e["tcp_segments"] = m.tcp_segments
            if intent.get("segments") and m.ip_fragments:
                e["ip_fragments"] = m.ip_fragments
            if m.ws_frames:
                e["ws_opcode"] = m.ws_opcode
                if len(m.ws_frames) > 1:
                    e["ws_frames"] = m.ws_frames
            for k, fn in intent.get("message_extras", {}).items():
                v = fn(m)
                if v is not None:
                    e[k] = v
            entries.append(e)
        if "media" in ci:
            # media steps between the SIP messages, in frame order (a step's first frame)
            entries = sorted(entries + media_rows(packets), key=lambda e: e["frame"])
        devices = []
        for dev in ci.get("devices", []):
            name, outcome = dev[0], dev[1]
            endpoint = next((ep for ep, n in names.items() if n == name and not ep.endswith(":*")), None)
            if endpoint is None:   # a device on an ephemeral port: take it from the wire
                endpoint = next((x for m in observed for x in (m.src, m.dst) if name_of(x, names) == name), name)
            devices.append({"endpoint": endpoint, "device": name, "outcome": outcome})
        call = {"protocol": "sip", "call_id": cid, "method": ci["method"], "outcome": ci["outcome"],
                "devices": devices, "messages": entries, "findings": ci.get("findings", [])}
        if "inferred" in ci:   # responses to the call's request that the capture lacks but its later messages prove
            endpoints = {n: ep for ep, n in names.items() if not ep.endswith(":*")}
            call["inferred"] = []
            for line in ci["inferred"]:
                route, label = line.split(" ", 1)
                src, dst = route.split(">")
                if any(name_of(m.src, names) == src and name_of(m.dst, names) == dst and m.label == label
                       and m.cseq_method == ci["method"] for m in observed):
                    problems.append(f"call {idx} ({cid}): '{line}' is in the capture, not missing")
                call["inferred"].append({"src": endpoints[src], "dst": endpoints[dst], "label": label})
        if "linked" in ci:   # the other calls (by index) this one is a leg of, as Call-IDs
            call["linked_calls"] = sorted(order[i] for i in ci["linked"] if i < len(order))
        calls.append(call)

    for check in intent.get("capture_checks", []):
        err = check(msgs)
        if err:
            problems.append(err)
    if problems:
        for p in problems:
            print(f"{cap}: {p}", file=sys.stderr)
        sys.exit(1)

    doc = {"capture": cap + ".pcap", "scenario": " ".join(intent["scenario"].split()), "calls": calls}
    if intent.get("notes"):
        notes = intent["notes"](msgs) if callable(intent["notes"]) else intent["notes"]
        doc["notes"] = notes
    with open(os.path.join(folder, cap + ".expect.json"), "w") as f:
        f.write(render(doc))
    n = len(msgs)
    print(f"    {cap}.expect.json: {len(calls)} call(s), {n} SIP messages, "
          f"{sum(1 for m in msgs if m.retrans)} retransmissions, findings "
          f"{sorted(set(x for c in calls for x in c['findings'])) or '[]'}")


if __name__ == "__main__":
    main()
