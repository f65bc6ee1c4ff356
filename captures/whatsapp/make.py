#!/usr/bin/env python3
"""Regenerate the WhatsApp client-log fixtures in this folder (python3, stdlib only).

Usage:  python3 make.py          (writes every fixture folder next to this script)

The fixtures are hand-designed call scenarios rendered in the three debug-log formats described
in FORMATS.md (whatsmeow stdout text, whatsmeow via the zerolog adapter, Baileys/pino JSON).
The renderers below re-implement, from reading the libraries, exactly how each library prints
a node; they are written for this project, not copied:

  * whatsmeow  binary/xml.go  (*Node).XMLString: attributes sorted, double quotes, values
    unescaped, bytes printable->raw / <=128 bytes->hex / else "<!-- N bytes -->",
    IndentXML=true -> one child per line, two-space indent, hex cut into 80-char lines.
  * whatsmeow  util/log/log.go stdoutLogger.outputf: "15:04:05.000" + colour + " [mod LEVEL] " + msg + reset.
  * whatsmeow  util/log/zerolog.go + rs/zerolog field order: level, context fields, time, message.
  * Baileys    src/WABinary/generic-utils.ts binaryNodeToString: insertion order, k='v',
    children on new lines indented with two TABs per level, bytes as hex.
  * Baileys    src/Socket/socket.ts logger.trace({ xml, msg: 'recv xml' | 'xml send' }) through pino.

Every fixture folder gets its logs, and NAME.expect.json beside it (ground truth: which stanza is on which line,
what the call's outcome is and which W-rules are planted). Everything is deterministic.
"""

import datetime as dt
import hashlib
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc


# ----------------------------------------------------------------------------------------------
# nodes


class N:
    """A WABinary node: tag, ordered attributes, content (None | [N] | bytes | str)."""

    def __init__(self, tag, attrs=(), content=None):
        self.tag = tag
        self.attrs = list(attrs)
        self.content = content

    def attr(self, k, default=None):
        for key, v in self.attrs:
            if key == k:
                return v
        return default

    def children(self):
        return self.content if isinstance(self.content, list) else []


def blob(label, n):
    """Deterministic pseudo-random bytes (stand-in for ciphertext/keys)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return out[:n]


def hexid(label, nbytes):
    return hashlib.sha256(label.encode()).hexdigest()[: nbytes * 2].upper()


def call_id(label):
    """call-id: 32 upper-case hex characters (observed shape, [U])."""
    return hexid("call-id/" + label, 16)


def wm_msg_id(label):
    """whatsmeow GenerateMessageID: "3EB0" + 18 upper-case hex."""
    return "3EB0" + hexid("wm-id/" + label, 9)


# ----------------------------------------------------------------------------------------------
# renderers


def _go_isprint(ch):
    # Go unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space.
    import unicodedata

    if ch == " ":
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "LMNPS"


def _go_printable(data):
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    for c in s:
        if not _go_isprint(c):
            return ""
    return s


def wm_xml(node, indent):
    """whatsmeow (*Node).XMLString with MaxBytesToPrintAsHex = 128."""
    content = _wm_content(node, indent)
    attrs = _wm_attrs(node)
    if not content:
        return f"<{node.tag}{attrs}/>"
    nl = "" if (len(content) == 1 or not indent) else "\n"
    return f"<{node.tag}{attrs}>{nl}{nl.join(content)}{nl}</{node.tag}>"


def _wm_attrs(node):
    if not node.attrs:
        return ""
    parts = [""] + [f'{k}="{v}"' for k, v in node.attrs]
    parts.sort()  # sort.Strings on the whole `key="value"` strings, the empty first slot gives the leading space
    return " ".join(parts)


def _wm_content(node, indent):
    split = []
    c = node.content
    if isinstance(c, list):
        for item in c:
            split.extend(wm_xml(item, indent).split("\n"))
    elif isinstance(c, (bytes, bytearray)):
        s = _go_printable(bytes(c))
        if s:
            if indent:
                split.extend(s.split("\n"))
            else:
                split.append(s.replace("\n", "\\n"))
        elif len(c) > 128:
            split.append(f"<!-- {len(c)} bytes -->")
        elif not indent:
            split.append(bytes(c).hex())
        else:
            h = bytes(c).hex()
            for i in range(0, len(h), 80):
                split.append(h[i : i + 80])
    elif c is None:
        pass
    else:
        s = str(c)
        split.extend(s.split("\n") if indent else [s.replace("\n", "\\n")])
    if len(split) > 1 and indent:
        split = ["  " + line for line in split]
    return split


def bl_xml(node, i=0):
    """Baileys binaryNodeToString."""
    return _bl(node, i)


def _bl(node, i):
    tabs = lambda n: "\t" * n  # noqa: E731
    if node is None:
        return None
    if isinstance(node, str):
        return tabs(i) + node if node else ""
    if isinstance(node, (bytes, bytearray)):
        return tabs(i) + bytes(node).hex()
    if isinstance(node, list):
        return "\n".join(tabs(i + 1) + _bl(x, i + 1) for x in node)
    children = _bl(node.content, i + 1)
    attrs = " ".join(f"{k}='{v}'" for k, v in node.attrs if v is not None)
    tag = f"<{node.tag} {attrs}"
    content = f">\n{children}\n{tabs(i)}</{node.tag}>" if children else "/>"
    return tag + content


# ----------------------------------------------------------------------------------------------
# time helpers


def ts(s):
    """'2026-03-12T14:07:12.104250' (UTC) -> aware datetime."""
    return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)


def iso_ms(t):
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def rfc3339nano(t, tz):
    """Go time.RFC3339Nano: fraction with trailing zeros removed (and no dot if zero)."""
    t = t.astimezone(tz)
    frac = f"{t.microsecond:06d}000".rstrip("0")
    base = t.strftime("%Y-%m-%dT%H:%M:%S") + (("." + frac) if frac else "")
    off = t.utcoffset()
    if off == dt.timedelta(0):
        return base + "Z"
    total = int(off.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return base + f"{sign}{total // 60:02d}:{total % 60:02d}"


def js_json(s):
    """JSON.stringify(string) / zerolog string escaping (both leave < > & ' unescaped)."""
    return json.dumps(s, ensure_ascii=False)


# ----------------------------------------------------------------------------------------------
# log writers. Each keeps a byte buffer and the current line number; node() returns
# (first_line, last_line) of the record it wrote.


class LogFile:
    def __init__(self, name, device, role, fmt, skew_ms=0, newline="\n"):
        self.name = name
        self.device = device
        self.role = role
        self.fmt = fmt
        self.skew = dt.timedelta(milliseconds=skew_ms)
        self.skew_ms = skew_ms
        self.newline = newline
        self.buf = bytearray()
        self.line = 1  # number of the line the next write starts on
        self.records = []  # stanza records for expect.json

    def _write_text(self, text):
        start = self.line
        lines = text.split("\n")
        data = self.newline.join(lines) + self.newline
        self.buf += data.encode("utf-8")
        self.line += len(lines)
        return start, self.line - 1

    def raw_bytes(self, data, terminate=True):
        start = self.line
        self.buf += data
        if terminate:
            self.buf += self.newline.encode()
            self.line += 1
        return start

    def clock(self, true_time):
        return true_time + self.skew

    def meta(self):
        return {"file": self.name, "format": self.fmt, "device": self.device, "role": self.role,
                "clock_skew_ms": self.skew_ms}

    def save(self, folder):
        with open(os.path.join(folder, self.name), "wb") as f:
            f.write(bytes(self.buf))


class WMText(LogFile):
    """whatsmeow waLog.Stdout(module, "DEBUG", color) + binary.IndentXML."""

    def __init__(self, name, device, role, *, module="Client", color=True, indent=True, utc_offset_min=0,
                 skew_ms=0, newline="\n"):
        super().__init__(name, device, role, "whatsmeow-text", skew_ms, newline)
        self.module = module
        self.color = color
        self.indent = indent
        self.tz = dt.timezone(dt.timedelta(minutes=utc_offset_min))
        self.utc_offset_min = utc_offset_min

    def log(self, true_time, level, msg, sub=None):
        t = self.clock(true_time).astimezone(self.tz)
        stamp = t.strftime("%H:%M:%S.") + f"{t.microsecond // 1000:03d}"
        colors = {"INFO": "\x1b[36m", "WARN": "\x1b[33m", "ERROR": "\x1b[31m"}
        cstart = colors.get(level, "") if self.color else ""
        creset = "\x1b[0m" if self.color else ""
        mod = self.module + ("/" + sub if sub else "")
        return self._write_text(f"{stamp}{cstart} [{mod} {level}] {msg}{creset}")

    def node(self, true_time, direction, n):
        return self.log(true_time, "DEBUG", wm_xml(n, self.indent), sub="Recv" if direction == "recv" else "Send")

    def meta(self):
        m = super().meta()
        m.update({"module": self.module, "color": self.color, "indent_xml": self.indent,
                  "utc_offset": _fmt_off(self.utc_offset_min), "date_from": "t attributes of received stanzas",
                  "line_endings": "CRLF" if self.newline == "\r\n" else "LF"})
        return m


def _fmt_off(minutes):
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


class WMZero(LogFile):
    """whatsmeow waLog.Zerolog(zerolog.New(w).With().Timestamp()...Logger()), JSON lines."""

    def __init__(self, name, device, role, *, context=(), sub_prefix="", indent=False, utc_offset_min=0,
                 skew_ms=0):
        super().__init__(name, device, role, "whatsmeow-zerolog", skew_ms)
        self.context = list(context)
        self.sub_prefix = sub_prefix
        self.indent = indent
        self.tz = dt.timezone(dt.timedelta(minutes=utc_offset_min))
        self.utc_offset_min = utc_offset_min

    def log(self, true_time, level, msg, sub=None, fields=()):
        parts = [f'"level":{js_json(level)}']
        for k, v in self.context:
            parts.append(f"{js_json(k)}:{js_json(v)}")
        if sub is not None or self.sub_prefix:
            s = "/".join(x for x in (self.sub_prefix, sub) if x)
            parts.append(f'"sublogger":{js_json(s)}')
        for k, v in fields:
            parts.append(f"{js_json(k)}:{json.dumps(v, ensure_ascii=False, separators=(',', ':'))}")
        parts.append(f'"time":{js_json(rfc3339nano(self.clock(true_time), self.tz))}')
        parts.append(f'"message":{js_json(msg)}')
        return self._write_text("{" + ",".join(parts) + "}")

    def node(self, true_time, direction, n):
        return self.log(true_time, "debug", wm_xml(n, self.indent), sub="Recv" if direction == "recv" else "Send")

    def meta(self):
        m = super().meta()
        m.update({"sublogger_prefix": self.sub_prefix, "indent_xml": self.indent,
                  "time_format": "RFC3339Nano (zerolog.TimeFieldFormat set by the app)",
                  "utc_offset": _fmt_off(self.utc_offset_min)})
        return m


class Pino(LogFile):
    """Baileys logger: pino({ timestamp: () => `,"time":"${new Date().toJSON()}"` }), level 'trace'."""

    PINO_LEVELS = {"trace": 10, "debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}

    def __init__(self, name, device, role, *, pid=4242, hostname="vps-baileys", bindings=(), skew_ms=0,
                 fmt="baileys-pino"):
        super().__init__(name, device, role, fmt, skew_ms)
        self.pid = pid
        self.hostname = hostname
        self.bindings = list(bindings)

    def log(self, true_time, level, fields, msg=None):
        parts = [f'"level":{self.PINO_LEVELS[level]}', f'"time":"{iso_ms(self.clock(true_time))}"',
                 f'"pid":{self.pid}', f'"hostname":{js_json(self.hostname)}']
        for k, v in self.bindings:
            parts.append(f"{js_json(k)}:{json.dumps(v, ensure_ascii=False)}")
        for k, v in fields:
            parts.append(f"{js_json(k)}:{json.dumps(v, ensure_ascii=False, separators=(',', ':'))}")
        if msg is not None:
            parts.append(f'"msg":{js_json(msg)}')
        return self._write_text("{" + ",".join(parts) + "}")

    def node(self, true_time, direction, n):
        # logger.trace({ xml: binaryNodeToString(frame), msg: 'recv xml' }): msg is an ordinary property here
        return self.log(true_time, "trace", [("xml", bl_xml(n)), ("msg", "recv xml" if direction == "recv" else
                                                                   "xml send")])

    def sent_ack(self, true_time, recv_node, ack_node):
        """Baileys sendMessageAck: logger.debug({ recv: { tag, attrs }, sent: stanza.attrs }, 'sent ack')."""
        return self.log(true_time, "debug", [("recv", {"tag": recv_node.tag, "attrs": dict(recv_node.attrs)}),
                                             ("sent", dict(ack_node.attrs))], "sent ack")

    def console(self, text):
        """A console.log() line written to the same stdout (not pino)."""
        return self._write_text(text)

    def meta(self):
        m = super().meta()
        m.update({"pid": self.pid, "hostname": self.hostname, "time_format": "ISO 8601 UTC, ms (Date.toJSON)"})
        return m


# ----------------------------------------------------------------------------------------------
# stanza builders (shapes from whatsmeow call.go/receipt.go, Baileys messages-recv.ts and the
# whatsapp-rust builders quoted in meowcaller datasheets/signaling-stanza.md)

CAPABILITY_OFFER = bytes([0x01, 0x05, 0xF7, 0x09, 0xE4, 0xBB, 0x13])
CAPABILITY_PREACCEPT = bytes([0x01, 0x05, 0xF7, 0x09, 0xE4, 0xBB, 0x07])


def offer_children(label, encs, *, privacy=True):
    """encs: list of (device_jid or None, enc_type, nbytes). One entry and jid None -> bare <enc>."""
    ch = []
    if privacy:
        ch.append(N("privacy", [], blob(label + "/privacy", 24)))
    ch.append(N("audio", [("enc", "opus"), ("rate", "8000")]))
    ch.append(N("audio", [("enc", "opus"), ("rate", "16000")]))
    ch.append(N("net", [("medium", "3")]))
    ch.append(N("capability", [("ver", "1")], CAPABILITY_OFFER))
    if len(encs) == 1 and encs[0][0] is None:
        _, et, nb = encs[0]
        ch.append(N("enc", [("v", "2"), ("type", et), ("count", "0")], blob(label + "/enc", nb)))
    else:
        tos = [N("to", [("jid", j)], [N("enc", [("v", "2"), ("type", et), ("count", "0")],
                                         blob(label + "/enc/" + j, nb))]) for j, et, nb in encs]
        ch.append(N("destination", [], tos))
    ch.append(N("encopt", [("keygen", "2")]))
    ch.append(N("device-identity", [], blob(label + "/devid", 154)))
    return ch


def sent_offer(label, sid, to, cid, creator, encs):
    return N("call", [("id", sid), ("to", to)],
             [N("offer", [("call-id", cid), ("call-creator", creator)], offer_children(label, encs))])


def recv_offer(label, sid, frm, t, cid, creator, enc_type, nbytes, *, notify, platform, version, extra=(),
               offer_extra=()):
    offer = N("offer", [("call-id", cid), ("call-creator", creator)] + list(offer_extra),
              offer_children(label, [(None, enc_type, nbytes)]) +
              [N("voip_settings", [("uncompressed", "1")], blob(label + "/voip", 412))])
    attrs = [("from", frm), ("id", sid), ("t", str(t)), ("notify", notify), ("platform", platform),
             ("version", version)] + list(extra)
    return N("call", attrs, [offer])


def server_offer_ack(sid, callee_user, cid, creator, label):
    relay = N("relay", [("call-id", cid), ("call-creator", creator)],
              [N("key", [], blob(label + "/relaykey", 16)),
               N("te2", [("relay_id", "0"), ("relay_name", "fra3c01"), ("protocol", "1")], blob(label + "/te2", 6))])
    return N("ack", [("class", "call"), ("type", "offer"), ("id", sid), ("from", callee_user)], [relay])


def server_ack(sid, frm, action):
    """Server ack for a call stanza this client sent (typed with the action tag) [U]."""
    return N("ack", [("class", "call"), ("type", action), ("id", sid), ("from", frm)])


def wm_ack(recv):
    """whatsmeow sendAck: class=<tag>, id, to=<from>, [participant], [recipient], [type if the node had one]."""
    attrs = [("class", recv.tag), ("id", recv.attr("id")), ("to", recv.attr("from"))]
    for k in ("participant", "recipient"):
        if recv.attr(k) is not None:
            attrs.append((k, recv.attr(k)))
    if recv.attr("type") is not None and recv.tag != "message":
        attrs.append(("type", recv.attr("type")))
    return N("ack", attrs)


def bl_ack(recv):
    """Baileys buildAckStanza: id, to, class, [error], [participant], [recipient], [type]."""
    attrs = [("id", recv.attr("id")), ("to", recv.attr("from")), ("class", recv.tag)]
    for k in ("participant", "recipient", "type"):
        if recv.attr(k) is not None:
            attrs.append((k, recv.attr(k)))
    return N("ack", attrs)


def action_call(attrs, tag, cid, creator, extra=(), content=None):
    return N("call", attrs, [N(tag, [("call-id", cid), ("call-creator", creator)] + list(extra), content)])


def preaccept_children():
    return [N("audio", [("enc", "opus"), ("rate", "16000")]), N("encopt", [("keygen", "2")]),
            N("capability", [("ver", "1")], CAPABILITY_PREACCEPT)]


def accept_children(label):
    return [N("audio", [("enc", "opus"), ("rate", "16000")]),
            N("te", [("priority", "2")], blob(label + "/te", 6)),
            N("net", [("medium", "2")]), N("encopt", [("keygen", "2")]),
            N("capability", [("ver", "1")], CAPABILITY_OFFER)]


def unix(t):
    return int(t.timestamp())


# ----------------------------------------------------------------------------------------------
# fixture assembly


class Fixture:
    def __init__(self, folder, scenario):
        self.folder = folder
        self.scenario = scenario
        self.logs = []
        self.calls = {}  # call_id -> dict
        self.id_to_call = {}  # stanza id -> call_id
        self.extra = {}

    def add_log(self, lf):
        self.logs.append(lf)
        return lf

    def call(self, cid, creator, outcome, devices, findings, notes=None):
        self.calls[cid] = {"protocol": "whatsapp", "call_id": cid, "call_creator": creator, "outcome": outcome,
                           "devices": devices, "stanzas": [], "findings": findings}
        if notes:
            self.calls[cid]["notes"] = notes

    def stanza(self, lf, true_time, direction, n, *, cid=None):
        first, last = lf.node(true_time, direction, n)
        return self.record(lf, true_time, direction, n, first, last, cid=cid)

    def record(self, lf, true_time, direction, n, first, last, *, cid=None):
        if n.tag not in ("call", "ack", "receipt"):
            return None
        child = n.children()[0] if n.children() else None
        sid = n.attr("id")
        if n.tag == "call" and child is not None:
            cid = child.attr("call-id")
        elif n.tag == "receipt" and child is not None and child.attr("call-id"):
            cid = child.attr("call-id")
        if cid is None:
            cid = self.id_to_call.get(sid)
        if cid is None or cid not in self.calls:
            return None
        if n.tag == "call" and sid:
            self.id_to_call.setdefault(sid, cid)
        entry = {
            "log": lf.name,
            "line": first,
            "end_line": last,
            "direction": direction,
            "tag": n.tag,
            "action": (child.tag if (n.tag in ("call", "receipt") and child is not None) else n.attr("type")),
            "id": sid,
            "from": n.attr("from") if n.attr("from") is not None else (lf.device if direction == "send" else None),
            "to": n.attr("to") if n.attr("to") is not None else (lf.device if direction == "recv" else None),
            "time": iso_ms(lf.clock(true_time)),
            "_true": true_time,
        }
        if n.tag == "ack":
            entry["class"] = n.attr("class")
            if n.attr("error"):
                entry["error"] = n.attr("error")
        if n.attr("t") is not None:
            entry["t"] = int(n.attr("t"))
        if child is not None and child.attr("reason") is not None:
            entry["reason"] = child.attr("reason")
        self.calls[cid]["stanzas"].append(entry)
        return entry

    def evidence(self, cid, rule, why, entries):
        self.calls[cid].setdefault("finding_evidence", []).append(
            {"rule": rule, "why": why, "stanzas": entries})

    def write(self):
        folder = os.path.join(HERE, self.folder)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.makedirs(folder)
        for lf in self.logs:
            lf.save(folder)
        calls = []
        for c in self.calls.values():
            for ev in c.get("finding_evidence", []):
                ev["stanzas"] = [{"log": e["log"], "line": e["line"], "action": e["action"], "id": e["id"]}
                                 for e in ev["stanzas"]]
            c["stanzas"].sort(key=lambda e: (e["_true"], e["log"], e["line"]))
            for e in c["stanzas"]:
                del e["_true"]
            calls.append(c)
        metas = []
        for lf in self.logs:
            m = lf.meta()
            data = bytes(lf.buf)
            m["lines"] = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
            metas.append(m)
        doc = {"capture": self.folder + "/", "fixture": self.folder, "scenario": self.scenario, "logs": metas}
        doc.update(self.extra)
        doc["calls"] = calls
        with open(os.path.join(HERE, os.path.basename(folder) + ".expect.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")


# identities -----------------------------------------------------------------------------------
ALICE_PN = "4915112345678@s.whatsapp.net"
ALICE_DEV = "4915112345678:7@s.whatsapp.net"  # whatsmeow-based companion placing calls (meowcaller-style)
ALICE_LID = "187362541230123@lid"
ALICE_LID_DEV = "187362541230123:7@lid"
BOB_PN = "447700900123@s.whatsapp.net"
BOB_PHONE = "447700900123@s.whatsapp.net"  # device 0 prints without ":0"
BOB_DESKTOP = "447700900123:24@s.whatsapp.net"
BOB_WEB = "447700900123:12@s.whatsapp.net"
BOB_LID = "246813579024680@lid"
BOB_LID_PHONE = "246813579024680@lid"
BOB_LID_DESKTOP = "246813579024680:24@lid"
WEB_VERSION = "2.3000.1034562817"
ANDROID_VERSION = "2.26.8.74"
ZCTX = [("component", "whatsmeow")]


def at(base, ms):
    return base + dt.timedelta(microseconds=int(round(ms * 1000)))


def wm_ping(lf, fx, t, uid, n):
    """whatsmeow keepalive: <iq id=... to=s.whatsapp.net type=get xmlns=w:p/> and the result."""
    iq = N("iq", [("id", f"{uid}{n}"), ("to", "s.whatsapp.net"), ("type", "get"), ("xmlns", "w:p")])
    fx.stanza(lf, t, "send", iq)
    res = N("iq", [("from", "s.whatsapp.net"), ("id", f"{uid}{n}"), ("t", str(unix(t))), ("type", "result")])
    fx.stanza(lf, at(t, 143.2), "recv", res)


# ----------------------------------------------------------------------------------------------
# 1. seed-reject


def seed_reject():
    fx = Fixture("seed-reject", "Alice's whatsmeow-based companion calls Bob; Bob has two devices (phone, desktop). "
                 "The phone declines (<reject count=0>, no reason); the caller dismisses the desktop with "
                 "<terminate reason=rejected_elsewhere> and the desktop stops ringing.")
    base = ts("2026-03-12T14:07:12.104318")
    cid = call_id("seed")
    caller = fx.add_log(WMText("caller.log", ALICE_DEV, "caller", color=True, indent=True))
    phone = fx.add_log(Pino("callee-phone.jsonl", BOB_PHONE, "callee", pid=31337, hostname="bob-phone-bridge",
                            skew_ms=40))
    desk = fx.add_log(WMZero("callee-desktop.log", BOB_DESKTOP, "callee", context=ZCTX, skew_ms=-60))
    fx.call(cid, ALICE_DEV, "declined", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "declined"},
        {"device": BOB_PHONE, "log": "callee-phone.jsonl", "role": "callee", "outcome": "declined"},
        {"device": BOB_DESKTOP, "log": "callee-desktop.log", "role": "callee", "outcome": "declined-elsewhere"},
    ], [])
    offer_id = wm_msg_id("seed/offer")
    term_id = wm_msg_id("seed/terminate")
    reject_id = "41238.20561-9"  # Baileys query() id: generateMdTagPrefix() + epoch counter

    # context lines before the call
    caller.log(at(base, -5210.0), "INFO", "Successfully authenticated")
    wm_ping(caller, fx, at(base, -2931.7), "182.43-", 17)
    desk.log(at(base, -4000.0), "info", "Successfully authenticated")

    # t=0 caller sends the offer, fanned out to both of Bob's devices
    fx.stanza(caller, base, "send", sent_offer("seed", offer_id, BOB_PN, cid, ALICE_DEV,
                                               [(BOB_PHONE, "pkmsg", 302), (BOB_DESKTOP, "msg", 118)]))
    fx.stanza(caller, at(base, 287.4), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "seed"))
    t_off = unix(at(base, 300))
    o_phone = recv_offer("seed/phone", offer_id, ALICE_DEV, t_off, cid, ALICE_DEV, "pkmsg", 302, notify="Alice",
                         platform="web", version=WEB_VERSION)
    fx.stanza(phone, at(base, 351.2), "recv", o_phone)
    ack = bl_ack(o_phone)
    phone.sent_ack(at(base, 362.9), o_phone, ack)
    fx.stanza(phone, at(base, 363.4), "send", ack)
    o_desk = recv_offer("seed/desktop", offer_id, ALICE_DEV, t_off, cid, ALICE_DEV, "msg", 118, notify="Alice",
                        platform="web", version=WEB_VERSION)
    fx.stanza(desk, at(base, 366.0), "recv", o_desk)
    fx.stanza(desk, at(base, 371.8), "send", wm_ack(o_desk))

    # 4.4 s later the user declines on the phone: Baileys rejectCall(call.id, call.from)
    rej = N("call", [("from", BOB_PHONE), ("to", ALICE_DEV), ("id", reject_id)],
            [N("reject", [("call-id", cid), ("call-creator", ALICE_DEV), ("count", "0")])])
    fx.stanza(phone, at(base, 4797.6), "send", rej)
    fx.stanza(phone, at(base, 4874.1), "recv", N("ack", [("class", "call"), ("type", "reject"), ("id", reject_id),
                                                        ("from", ALICE_DEV)]))
    rej_in = N("call", [("from", BOB_PHONE), ("id", reject_id), ("t", str(unix(at(base, 4850))))],
               [N("reject", [("call-id", cid), ("call-creator", ALICE_DEV), ("count", "0")])])
    fx.stanza(caller, at(base, 4957.3), "recv", rej_in)
    fx.stanza(caller, at(base, 4959.0), "send", wm_ack(rej_in))
    # caller-driven sibling dismiss (whatsapp-rust dismiss_outgoing_siblings)
    term = action_call([("id", term_id), ("to", BOB_DESKTOP)], "terminate", cid, ALICE_DEV,
                       [("reason", "rejected_elsewhere")])
    fx.stanza(caller, at(base, 4967.5), "send", term)
    fx.stanza(caller, at(base, 5193.9), "recv", server_ack(term_id, BOB_DESKTOP, "terminate"))
    term_in = action_call([("from", ALICE_DEV), ("id", term_id), ("t", str(unix(at(base, 5100))))], "terminate",
                          cid, ALICE_DEV, [("reason", "rejected_elsewhere")])
    fx.stanza(desk, at(base, 5129.4), "recv", term_in)
    fx.stanza(desk, at(base, 5136.2), "send", wm_ack(term_in))
    wm_ping(caller, fx, at(base, 21877.0), "182.43-", 18)

    fx.extra["seed_answers"] = {
        "q1_decline_stanza": {
            "answer": "a dedicated <reject> child of <call> (call-id, call-creator, count=\"0\"), sent by the "
                      "declining device to the caller's device; no <terminate> is involved for the decliner",
            "source": "whatsmeow call.go RejectCall; Baileys messages-recv.ts rejectCall [impl]"},
        "q2_reject_reason_tokens": {
            "answer": "a user decline carries no reason attribute; the only reject reason seen in sources is "
                      "'busy' (per-device). It is a separate set from the terminate reasons accepted_elsewhere / "
                      "rejected_elsewhere / timeout / group_call_ended. The seed's reason='declined' appears in no source.",
            "source": "whatsapp-rust handlers/call.rs REJECT_REASON_BUSY, wacore stanza/call.rs [impl-3rd, U]"},
        "q3_rejected_elsewhere_origin": {
            "answer": "peer-originated: the CALLER's device sends <call to=<sibling device>><terminate "
                      "reason=\"rejected_elsewhere\"/></call>, one per still-ringing sibling, after it receives the "
                      "reject; the server only routes and acks it. The token is rejected_elsewhere (not reject_elsewhere).",
            "source": "whatsapp-rust handlers/call.rs dismiss_outgoing_siblings ('verified vs WA Web + APK') [impl-3rd, U]"},
        "server_ack_for_reject": {
            "answer": "assumed yes: the server answers the reject with <ack class=call type=reject id=<reject id>>",
            "source": "Baileys rejectCall uses query(), which waits for a reply with the same id; typed call acks as "
                      "in whatsapp-rust build_call_ack and the offer ack [U]"},
    }
    fx.write()


# ----------------------------------------------------------------------------------------------
# 2. accept-elsewhere (clean)


def accept_elsewhere():
    fx = Fixture("accept-elsewhere", "Alice (LID addressing) calls Bob's phone and desktop; the desktop sends an offer "
                 "receipt, preaccepts and accepts; the caller sends terminate accepted_elsewhere to the phone; "
                 "after 25 s Alice hangs up with a plain terminate to the desktop.")
    base = ts("2026-03-14T09:41:05.512904")
    cid = call_id("accept-elsewhere")
    caller = fx.add_log(WMText("caller.log", ALICE_LID_DEV, "caller", color=False, indent=False, utc_offset_min=60))
    desk = fx.add_log(WMZero("callee-desktop.log", BOB_LID_DESKTOP, "callee", context=ZCTX, sub_prefix="Client",
                             skew_ms=310, utc_offset_min=0))
    phone = fx.add_log(Pino("callee-phone.jsonl", BOB_LID_PHONE, "callee", pid=2207, hostname="bob-phone-bridge",
                            skew_ms=-180))
    fx.call(cid, ALICE_LID_DEV, "answered", [
        {"device": ALICE_LID_DEV, "log": "caller.log", "role": "caller", "outcome": "answered"},
        {"device": BOB_LID_DESKTOP, "log": "callee-desktop.log", "role": "callee", "outcome": "answered"},
        {"device": BOB_LID_PHONE, "log": "callee-phone.jsonl", "role": "callee", "outcome": "answered-elsewhere"},
    ], [])
    offer_id = wm_msg_id("ae/offer")
    pre_id = hexid("ae/preaccept-wrapper", 8)
    acc_id = wm_msg_id("ae/accept")
    dis_id = wm_msg_id("ae/dismiss")
    hang_id = wm_msg_id("ae/hangup")
    ox = [("caller_pn", ALICE_PN)]

    wm_ping(caller, fx, at(base, -8120.4), "77.201-", 41)
    fx.stanza(caller, base, "send", sent_offer("ae", offer_id, BOB_LID, cid, ALICE_LID_DEV,
                                               [(BOB_LID_PHONE, "msg", 120), (BOB_LID_DESKTOP, "msg", 120)]))
    fx.stanza(caller, at(base, 241.0), "recv", server_offer_ack(offer_id, BOB_LID, cid, ALICE_LID_DEV, "ae"))
    t_off = str(unix(at(base, 260)))
    o_desk = recv_offer("ae/desk", offer_id, ALICE_LID_DEV, t_off, cid, ALICE_LID_DEV, "msg", 120, notify="Alice",
                        platform="web", version=WEB_VERSION, offer_extra=ox)
    fx.stanza(desk, at(base, 322.5), "recv", o_desk)
    fx.stanza(desk, at(base, 329.9), "send", wm_ack(o_desk))
    rcpt = N("receipt", [("from", BOB_LID_DESKTOP), ("id", offer_id), ("to", ALICE_LID_DEV)],
             [N("offer", [("call-creator", ALICE_LID_DEV), ("call-id", cid)])])
    fx.stanza(desk, at(base, 336.1), "send", rcpt)
    o_phone = recv_offer("ae/phone", offer_id, ALICE_LID_DEV, t_off, cid, ALICE_LID_DEV, "msg", 120,
                         notify="Alice", platform="web", version=WEB_VERSION, offer_extra=ox)
    fx.stanza(phone, at(base, 340.7), "recv", o_phone)
    a = bl_ack(o_phone)
    phone.sent_ack(at(base, 352.0), o_phone, a)
    fx.stanza(phone, at(base, 352.6), "send", a)
    pre = action_call([("id", pre_id), ("to", ALICE_LID_DEV)], "preaccept", cid, ALICE_LID_DEV,
                      content=preaccept_children())
    fx.stanza(desk, at(base, 401.3), "send", pre)
    rc_in = N("receipt", [("from", BOB_LID_DESKTOP), ("id", offer_id), ("t", t_off)],
              [N("offer", [("call-creator", ALICE_LID_DEV), ("call-id", cid)])])
    fx.stanza(caller, at(base, 431.7), "recv", rc_in)
    fx.stanza(caller, at(base, 433.0), "send", wm_ack(rc_in))
    fx.stanza(desk, at(base, 470.2), "recv", server_ack(pre_id, ALICE_LID_DEV, "preaccept"))
    pre_in = action_call([("from", BOB_LID_DESKTOP), ("id", pre_id), ("platform", "web"), ("t", t_off),
                          ("version", WEB_VERSION)], "preaccept", cid, ALICE_LID_DEV, content=preaccept_children())
    fx.stanza(caller, at(base, 498.6), "recv", pre_in)
    fx.stanza(caller, at(base, 500.1), "send", wm_ack(pre_in))
    # user answers on the desktop after ~3.6 s
    acc = action_call([("id", acc_id), ("to", ALICE_LID_DEV)], "accept", cid, ALICE_LID_DEV,
                      content=accept_children("ae/acc"))
    fx.stanza(desk, at(base, 3910.4), "send", acc)
    fx.stanza(desk, at(base, 3988.8), "recv", server_ack(acc_id, ALICE_LID_DEV, "accept"))
    acc_in = action_call([("from", BOB_LID_DESKTOP), ("id", acc_id), ("platform", "web"),
                          ("t", str(unix(at(base, 3950)))), ("version", WEB_VERSION)], "accept", cid, ALICE_LID_DEV,
                         content=accept_children("ae/acc"))
    fx.stanza(caller, at(base, 4019.5), "recv", acc_in)
    fx.stanza(caller, at(base, 4021.2), "send", wm_ack(acc_in))
    dis = action_call([("id", dis_id), ("to", BOB_LID_PHONE)], "terminate", cid, ALICE_LID_DEV,
                      [("reason", "accepted_elsewhere")])
    fx.stanza(caller, at(base, 4030.8), "send", dis)
    fx.stanza(caller, at(base, 4266.3), "recv", server_ack(dis_id, BOB_LID_PHONE, "terminate"))
    dis_in = action_call([("from", ALICE_LID_DEV), ("id", dis_id), ("t", str(unix(at(base, 4200))))], "terminate",
                         cid, ALICE_LID_DEV, [("reason", "accepted_elsewhere")])
    fx.stanza(phone, at(base, 4233.9), "recv", dis_in)
    a = bl_ack(dis_in)
    phone.sent_ack(at(base, 4240.2), dis_in, a)
    fx.stanza(phone, at(base, 4240.8), "send", a)
    # Alice hangs up after ~25 s of talk
    hang = action_call([("id", hang_id), ("to", BOB_LID_DESKTOP)], "terminate", cid, ALICE_LID_DEV,
                       [("duration", "25"), ("audio_duration", "25")])
    fx.stanza(caller, at(base, 29133.0), "send", hang)
    fx.stanza(caller, at(base, 29372.6), "recv", server_ack(hang_id, BOB_LID_DESKTOP, "terminate"))
    hang_in = action_call([("from", ALICE_LID_DEV), ("id", hang_id), ("t", str(unix(at(base, 29300))))],
                          "terminate", cid, ALICE_LID_DEV, [("duration", "25"), ("audio_duration", "25")])
    fx.stanza(desk, at(base, 29318.0), "recv", hang_in)
    fx.stanza(desk, at(base, 29324.4), "send", wm_ack(hang_in))
    fx.write()


# ----------------------------------------------------------------------------------------------
# 3. busy-one-device (clean)


def busy_one_device():
    fx = Fixture("busy-one-device", "Alice calls Bob; Bob's desktop companion answers the offer at once with "
                 "<reject reason=busy> while the phone preaccepts (rings) and accepts 5 s later. The caller keeps "
                 "ringing after the busy reject, dismisses the desktop with accepted_elsewhere after the accept, and "
                 "hangs up after 12 s.")
    base = ts("2026-03-15T18:22:40.031777")
    cid = call_id("busy")
    caller = fx.add_log(WMZero("caller.log", ALICE_DEV, "caller", sub_prefix="Client", utc_offset_min=60))
    desk = fx.add_log(WMText("callee-desktop.log", BOB_DESKTOP, "callee", color=True, indent=False, skew_ms=-640))
    phone = fx.add_log(WMText("callee-phone.log", BOB_PHONE, "callee", color=False, indent=True, skew_ms=215))
    fx.call(cid, ALICE_DEV, "answered", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "answered"},
        {"device": BOB_DESKTOP, "log": "callee-desktop.log", "role": "callee", "outcome": "busy"},
        {"device": BOB_PHONE, "log": "callee-phone.log", "role": "callee", "outcome": "answered"},
    ], [], notes="busy is per-device: no rejected_elsewhere is sent and the phone keeps ringing; the busy desktop "
                 "is still in the rung set, so it gets accepted_elsewhere after the phone answers (whatsapp-rust "
                 "take_dismiss_targets is not consumed by a busy reject)")
    offer_id = wm_msg_id("busy/offer")
    busy_id = wm_msg_id("busy/reject")
    pre_id = hexid("busy/pre", 8)
    acc_id = hexid("busy/acc", 8)
    dis_id = wm_msg_id("busy/dismiss")
    hang_id = wm_msg_id("busy/hangup")

    fx.stanza(caller, base, "send", sent_offer("busy", offer_id, BOB_PN, cid, ALICE_DEV,
                                               [(BOB_PHONE, "msg", 96), (BOB_DESKTOP, "msg", 96)]))
    fx.stanza(caller, at(base, 262.2), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "busy"))
    t_off = str(unix(at(base, 280)))
    o_desk = recv_offer("busy/desk", offer_id, ALICE_DEV, t_off, cid, ALICE_DEV, "msg", 96, notify="Alice",
                        platform="web", version=WEB_VERSION)
    fx.stanza(desk, at(base, 318.4), "recv", o_desk)
    fx.stanza(desk, at(base, 322.0), "send", wm_ack(o_desk))
    busy = action_call([("id", busy_id), ("to", ALICE_DEV)], "reject", cid, ALICE_DEV,
                       [("count", "0"), ("reason", "busy")])
    fx.stanza(desk, at(base, 351.7), "send", busy)
    o_phone = recv_offer("busy/phone", offer_id, ALICE_DEV, t_off, cid, ALICE_DEV, "msg", 96, notify="Alice",
                         platform="web", version=WEB_VERSION)
    fx.stanza(phone, at(base, 355.3), "recv", o_phone)
    fx.stanza(phone, at(base, 359.9), "send", wm_ack(o_phone))
    fx.stanza(desk, at(base, 420.6), "recv", server_ack(busy_id, ALICE_DEV, "reject"))
    busy_in = action_call([("from", BOB_DESKTOP), ("id", busy_id), ("t", t_off)], "reject", cid, ALICE_DEV,
                          [("count", "0"), ("reason", "busy")])
    fx.stanza(caller, at(base, 446.1), "recv", busy_in)
    fx.stanza(caller, at(base, 447.5), "send", wm_ack(busy_in))
    pre = action_call([("id", pre_id), ("to", ALICE_DEV)], "preaccept", cid, ALICE_DEV,
                      content=preaccept_children())
    fx.stanza(phone, at(base, 452.8), "send", pre)
    fx.stanza(phone, at(base, 531.0), "recv", server_ack(pre_id, ALICE_DEV, "preaccept"))
    pre_in = action_call([("from", BOB_PHONE), ("id", pre_id), ("platform", "android"), ("t", t_off),
                          ("version", ANDROID_VERSION)], "preaccept", cid, ALICE_DEV, content=preaccept_children())
    fx.stanza(caller, at(base, 556.4), "recv", pre_in)
    fx.stanza(caller, at(base, 557.9), "send", wm_ack(pre_in))
    acc = action_call([("id", acc_id), ("to", ALICE_DEV)], "accept", cid, ALICE_DEV, content=accept_children("busy"))
    fx.stanza(phone, at(base, 5471.2), "send", acc)
    fx.stanza(phone, at(base, 5560.7), "recv", server_ack(acc_id, ALICE_DEV, "accept"))
    acc_in = action_call([("from", BOB_PHONE), ("id", acc_id), ("platform", "android"),
                          ("t", str(unix(at(base, 5520)))), ("version", ANDROID_VERSION)], "accept", cid, ALICE_DEV,
                         content=accept_children("busy"))
    fx.stanza(caller, at(base, 5577.3), "recv", acc_in)
    fx.stanza(caller, at(base, 5578.6), "send", wm_ack(acc_in))
    dis = action_call([("id", dis_id), ("to", BOB_DESKTOP)], "terminate", cid, ALICE_DEV,
                      [("reason", "accepted_elsewhere")])
    fx.stanza(caller, at(base, 5586.0), "send", dis)
    fx.stanza(caller, at(base, 5797.9), "recv", server_ack(dis_id, BOB_DESKTOP, "terminate"))
    dis_in = action_call([("from", ALICE_DEV), ("id", dis_id), ("t", str(unix(at(base, 5750))))], "terminate", cid,
                         ALICE_DEV, [("reason", "accepted_elsewhere")])
    fx.stanza(desk, at(base, 5771.0), "recv", dis_in)
    fx.stanza(desk, at(base, 5774.2), "send", wm_ack(dis_in))
    hang = action_call([("id", hang_id), ("to", BOB_PHONE)], "terminate", cid, ALICE_DEV,
                       [("duration", "12"), ("audio_duration", "12")])
    fx.stanza(caller, at(base, 17640.5), "send", hang)
    fx.stanza(caller, at(base, 17861.0), "recv", server_ack(hang_id, BOB_PHONE, "terminate"))
    hang_in = action_call([("from", ALICE_DEV), ("id", hang_id), ("t", str(unix(at(base, 17800))))], "terminate", cid,
                          ALICE_DEV, [("duration", "12"), ("audio_duration", "12")])
    fx.stanza(phone, at(base, 17835.6), "recv", hang_in)
    fx.stanza(phone, at(base, 17839.9), "send", wm_ack(hang_in))
    fx.write()


# ----------------------------------------------------------------------------------------------
# 4. timeout


def timeout():
    fx = Fixture("timeout", "Alice calls Bob's phone and web companion; the phone preaccepts (rings), nobody "
                 "answers; after 45 s the caller sends <terminate reason=timeout> to each rung device. Baileys "
                 "maps it to status 'timeout'.")
    base = ts("2026-03-16T07:58:19.400125")
    cid = call_id("timeout")
    caller = fx.add_log(WMText("caller.log", ALICE_DEV, "caller", color=False, indent=False))
    phone = fx.add_log(WMZero("callee-phone.log", BOB_PHONE, "callee", context=ZCTX, indent=True, skew_ms=530,
                              utc_offset_min=120))
    web = fx.add_log(Pino("callee-web.jsonl", BOB_WEB, "callee", pid=918, hostname="bob-web", skew_ms=-95))
    fx.call(cid, ALICE_DEV, "timed-out", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "timed-out"},
        {"device": BOB_PHONE, "log": "callee-phone.log", "role": "callee", "outcome": "timed-out"},
        {"device": BOB_WEB, "log": "callee-web.jsonl", "role": "callee", "outcome": "timed-out"},
    ], [])
    offer_id = wm_msg_id("to/offer")
    pre_id = hexid("to/pre", 8)
    t1 = wm_msg_id("to/term-phone")
    t2 = wm_msg_id("to/term-web")

    fx.stanza(caller, base, "send", sent_offer("to", offer_id, BOB_PN, cid, ALICE_DEV,
                                               [(BOB_PHONE, "msg", 100), (BOB_WEB, "pkmsg", 290)]))
    fx.stanza(caller, at(base, 233.3), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "to"))
    t_off = str(unix(at(base, 250)))
    o_ph = recv_offer("to/phone", offer_id, ALICE_DEV, t_off, cid, ALICE_DEV, "msg", 100, notify="Alice",
                      platform="web", version=WEB_VERSION)
    fx.stanza(phone, at(base, 301.5), "recv", o_ph)
    fx.stanza(phone, at(base, 306.2), "send", wm_ack(o_ph))
    o_web = recv_offer("to/web", offer_id, ALICE_DEV, t_off, cid, ALICE_DEV, "pkmsg", 290, notify="Alice",
                       platform="web", version=WEB_VERSION)
    fx.stanza(web, at(base, 309.0), "recv", o_web)
    a = bl_ack(o_web)
    web.sent_ack(at(base, 318.3), o_web, a)
    fx.stanza(web, at(base, 318.9), "send", a)
    pre = action_call([("id", pre_id), ("to", ALICE_DEV)], "preaccept", cid, ALICE_DEV, content=preaccept_children())
    fx.stanza(phone, at(base, 377.4), "send", pre)
    fx.stanza(phone, at(base, 455.2), "recv", server_ack(pre_id, ALICE_DEV, "preaccept"))
    pre_in = action_call([("from", BOB_PHONE), ("id", pre_id), ("platform", "android"), ("t", t_off),
                          ("version", ANDROID_VERSION)], "preaccept", cid, ALICE_DEV, content=preaccept_children())
    fx.stanza(caller, at(base, 470.0), "recv", pre_in)
    fx.stanza(caller, at(base, 471.4), "send", wm_ack(pre_in))
    caller.log(at(base, 45003.0), "INFO", f"Call {cid} was not answered in 45s, ending it")
    for tid, dev, d in ((t1, BOB_PHONE, 0.0), (t2, BOB_WEB, 6.2)):
        term = action_call([("id", tid), ("to", dev)], "terminate", cid, ALICE_DEV, [("reason", "timeout")])
        fx.stanza(caller, at(base, 45010.0 + d), "send", term)
    t_end = str(unix(at(base, 45190)))
    ph_in = action_call([("from", ALICE_DEV), ("id", t1), ("t", t_end)], "terminate", cid, ALICE_DEV,
                        [("reason", "timeout")])
    fx.stanza(phone, at(base, 45198.8), "recv", ph_in)
    fx.stanza(phone, at(base, 45203.1), "send", wm_ack(ph_in))
    web_in = action_call([("from", ALICE_DEV), ("id", t2), ("t", t_end)], "terminate", cid, ALICE_DEV,
                         [("reason", "timeout")])
    fx.stanza(web, at(base, 45211.6), "recv", web_in)
    a = bl_ack(web_in)
    web.sent_ack(at(base, 45219.0), web_in, a)
    fx.stanza(web, at(base, 45219.5), "send", a)
    fx.stanza(caller, at(base, 45236.7), "recv", server_ack(t1, BOB_PHONE, "terminate"))
    fx.stanza(caller, at(base, 45244.1), "recv", server_ack(t2, BOB_WEB, "terminate"))
    fx.write()


# ----------------------------------------------------------------------------------------------
# 5. anomalies


def w1_reject_without_offer():
    fx = Fixture("w1-reject-without-offer", "Bob's Baileys companion sends <reject> for a call-id it never received "
                 "an offer for (the app rejected a stale id). The log is continuous (keepalive pings before and "
                 "after, no offline replay), so the missing offer is not a log gap.")
    base = ts("2026-03-17T12:00:03.250000")
    cid = call_id("w1")
    web = fx.add_log(Pino("callee-web.jsonl", BOB_WEB, "callee", pid=7781, hostname="bob-web"))
    fx.call(cid, ALICE_DEV, "incomplete", [
        {"device": BOB_WEB, "log": "callee-web.jsonl", "role": "callee", "outcome": "incomplete"},
    ], ["W1"])
    prefix = "3194.50812-"
    for k, off in ((3, -25020.0), (4, -5011.0)):
        ping = N("iq", [("id", f"{prefix}{k}"), ("to", "s.whatsapp.net"), ("type", "get"), ("xmlns", "w:p")],
                 [N("ping")])
        web.node(at(base, off), "send", ping)
        web.node(at(base, off + 151.0), "recv", N("iq", [("from", "s.whatsapp.net"), ("type", "result"),
                                                         ("id", f"{prefix}{k}"), ("t", str(unix(at(base, off))))]))
    rid = f"{prefix}5"
    rej = N("call", [("from", BOB_WEB), ("to", ALICE_DEV), ("id", rid)],
            [N("reject", [("call-id", cid), ("call-creator", ALICE_DEV), ("count", "0")])])
    e = fx.stanza(web, base, "send", rej)
    fx.evidence(cid, "W1", "reject for a call-id with no offer/offer_notice anywhere in a continuous log", [e])
    fx.stanza(web, at(base, 82.4), "recv", N("ack", [("class", "call"), ("type", "reject"), ("id", rid),
                                                    ("from", ALICE_DEV)]))
    ping = N("iq", [("id", f"{prefix}6"), ("to", "s.whatsapp.net"), ("type", "get"), ("xmlns", "w:p")], [N("ping")])
    web.node(at(base, 24990.0), "send", ping)
    web.node(at(base, 25133.0), "recv", N("iq", [("from", "s.whatsapp.net"), ("type", "result"),
                                                ("id", f"{prefix}6"), ("t", str(unix(at(base, 24990))))]))
    fx.write()


def w2_accept_after_rejected_elsewhere():
    fx = Fixture("w2-accept-after-rejected-elsewhere", "Caller's log: the phone declines, the caller dismisses the "
                 "desktop with terminate rejected_elsewhere, and 2.1 s later an accept arrives from that same "
                 "desktop.")
    base = ts("2026-03-18T20:15:44.880400")
    cid = call_id("w2")
    caller = fx.add_log(WMText("caller.log", ALICE_DEV, "caller", color=True, indent=False))
    fx.call(cid, ALICE_DEV, "declined", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "declined"},
        {"device": BOB_PHONE, "log": None, "role": "callee", "outcome": "declined"},
        {"device": BOB_DESKTOP, "log": None, "role": "callee", "outcome": "declined-elsewhere"},
    ], ["W2", "W5"], notes="W5 comes with W2 here by construction: rejected_elsewhere is only sent after a "
                           "reason-less reject, so an accept after it is also an accept after a decline")
    offer_id = wm_msg_id("w2/offer")
    rid = hexid("w2/reject", 8)
    dis_id = wm_msg_id("w2/dismiss")
    acc_id = hexid("w2/accept", 8)
    fx.stanza(caller, base, "send", sent_offer("w2", offer_id, BOB_PN, cid, ALICE_DEV,
                                               [(BOB_PHONE, "msg", 100), (BOB_DESKTOP, "msg", 100)]))
    fx.stanza(caller, at(base, 250.0), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "w2"))
    rej_in = action_call([("from", BOB_PHONE), ("id", rid), ("t", str(unix(at(base, 3000))))], "reject", cid,
                         ALICE_DEV, [("count", "0")])
    e_rej = fx.stanza(caller, at(base, 3104.2), "recv", rej_in)
    fx.stanza(caller, at(base, 3106.0), "send", wm_ack(rej_in))
    dis = action_call([("id", dis_id), ("to", BOB_DESKTOP)], "terminate", cid, ALICE_DEV,
                      [("reason", "rejected_elsewhere")])
    e_dis = fx.stanza(caller, at(base, 3114.9), "send", dis)
    fx.stanza(caller, at(base, 3338.4), "recv", server_ack(dis_id, BOB_DESKTOP, "terminate"))
    acc_in = action_call([("from", BOB_DESKTOP), ("id", acc_id), ("platform", "web"),
                          ("t", str(unix(at(base, 5200)))), ("version", WEB_VERSION)], "accept", cid, ALICE_DEV,
                         content=accept_children("w2"))
    e_acc = fx.stanza(caller, at(base, 5251.7), "recv", acc_in)
    fx.evidence(cid, "W2", "accept from the desktop after the caller sent it terminate rejected_elsewhere",
                [e_dis, e_acc])
    fx.evidence(cid, "W5", "reason-less reject from the phone followed by an accept from the desktop",
                [e_rej, e_acc])
    fx.stanza(caller, at(base, 5253.3), "send", wm_ack(acc_in))
    fx.write()


def w5_accept_after_decline():
    fx = Fixture("w5-accept-after-decline", "Caller's log (zerolog JSON): Bob's phone declines (reject, no reason); "
                 "the caller sends no dismiss, and 1.4 s later Bob's desktop accepts the same call.")
    base = ts("2026-03-19T11:03:27.115006")
    cid = call_id("w5")
    caller = fx.add_log(WMZero("caller.log", ALICE_DEV, "caller", context=ZCTX))
    fx.call(cid, ALICE_DEV, "declined", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "declined"},
        {"device": BOB_PHONE, "log": None, "role": "callee", "outcome": "declined"},
        {"device": BOB_DESKTOP, "log": None, "role": "callee", "outcome": "incomplete"},
    ], ["W5"], notes="the caller never dismissed the desktop, so W2 does not apply; the caller ends the call with a "
                     "plain terminate to the desktop")
    offer_id = wm_msg_id("w5/offer")
    rid = hexid("w5/reject", 8)
    acc_id = hexid("w5/accept", 8)
    end_id = wm_msg_id("w5/end")
    fx.stanza(caller, base, "send", sent_offer("w5", offer_id, BOB_PN, cid, ALICE_DEV,
                                               [(BOB_PHONE, "msg", 100), (BOB_DESKTOP, "msg", 100)]))
    fx.stanza(caller, at(base, 244.4), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "w5"))
    rej_in = action_call([("from", BOB_PHONE), ("id", rid), ("t", str(unix(at(base, 2500))))], "reject", cid,
                         ALICE_DEV, [("count", "0")])
    e_rej = fx.stanza(caller, at(base, 2561.0), "recv", rej_in)
    fx.stanza(caller, at(base, 2562.9), "send", wm_ack(rej_in))
    acc_in = action_call([("from", BOB_DESKTOP), ("id", acc_id), ("platform", "web"),
                          ("t", str(unix(at(base, 3900)))), ("version", WEB_VERSION)], "accept", cid, ALICE_DEV,
                         content=accept_children("w5"))
    e_acc = fx.stanza(caller, at(base, 3977.2), "recv", acc_in)
    fx.evidence(cid, "W5", "reason-less reject from the phone followed by an accept from the desktop",
                [e_rej, e_acc])
    fx.stanza(caller, at(base, 3978.8), "send", wm_ack(acc_in))
    end = action_call([("id", end_id), ("to", BOB_DESKTOP)], "terminate", cid, ALICE_DEV)
    fx.stanza(caller, at(base, 3990.0), "send", end)
    fx.stanza(caller, at(base, 4209.7), "recv", server_ack(end_id, BOB_DESKTOP, "terminate"))
    fx.write()


def w6_accepted_elsewhere_to_answerer():
    fx = Fixture("w6-accepted-elsewhere-to-answerer", "Caller's log: Bob's desktop accepts; the caller dismisses the "
                 "phone (correct) but also sends terminate accepted_elsewhere to the desktop that answered.")
    base = ts("2026-03-20T16:47:02.009871")
    cid = call_id("w6")
    caller = fx.add_log(WMText("caller.log", ALICE_DEV, "caller", color=True, indent=True))
    fx.call(cid, ALICE_DEV, "answered", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "answered"},
        {"device": BOB_DESKTOP, "log": None, "role": "callee", "outcome": "answered"},
        {"device": BOB_PHONE, "log": None, "role": "callee", "outcome": "answered-elsewhere"},
    ], ["W6"])
    offer_id = wm_msg_id("w6/offer")
    pre_id = hexid("w6/pre", 8)
    acc_id = hexid("w6/acc", 8)
    d1 = wm_msg_id("w6/dismiss-phone")
    d2 = wm_msg_id("w6/dismiss-desktop")
    fx.stanza(caller, base, "send", sent_offer("w6", offer_id, BOB_PN, cid, ALICE_DEV,
                                               [(BOB_PHONE, "msg", 100), (BOB_DESKTOP, "msg", 100)]))
    fx.stanza(caller, at(base, 270.1), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "w6"))
    t_off = str(unix(at(base, 300)))
    pre_in = action_call([("from", BOB_DESKTOP), ("id", pre_id), ("platform", "web"), ("t", t_off),
                          ("version", WEB_VERSION)], "preaccept", cid, ALICE_DEV, content=preaccept_children())
    fx.stanza(caller, at(base, 512.0), "recv", pre_in)
    fx.stanza(caller, at(base, 513.6), "send", wm_ack(pre_in))
    acc_in = action_call([("from", BOB_DESKTOP), ("id", acc_id), ("platform", "web"),
                          ("t", str(unix(at(base, 6100)))), ("version", WEB_VERSION)], "accept", cid, ALICE_DEV,
                         content=accept_children("w6"))
    e_acc = fx.stanza(caller, at(base, 6170.4), "recv", acc_in)
    fx.stanza(caller, at(base, 6172.0), "send", wm_ack(acc_in))
    sent = []
    for k, (tid, dev) in enumerate(((d1, BOB_PHONE), (d2, BOB_DESKTOP))):
        sent.append(fx.stanza(caller, at(base, 6180.0 + 7.5 * k), "send",
                              action_call([("id", tid), ("to", dev)], "terminate", cid, ALICE_DEV,
                                          [("reason", "accepted_elsewhere")])))
    fx.evidence(cid, "W6", "terminate accepted_elsewhere addressed to the desktop, the device whose accept it "
                "answers", [e_acc, sent[1]])
    fx.stanza(caller, at(base, 6401.2), "recv", server_ack(d1, BOB_PHONE, "terminate"))
    fx.stanza(caller, at(base, 6409.9), "recv", server_ack(d2, BOB_DESKTOP, "terminate"))
    fx.write()


def w8_caller_rejects():
    fx = Fixture("w8-caller-rejects", "Caller's log: Alice's app cancels its own outgoing call with whatsmeow "
                 "RejectCall(<callee>, <call-id>) instead of a terminate, so the caller's device sends <reject> "
                 "(call-creator wrongly set to the callee, as RejectCall does).")
    base = ts("2026-03-21T08:30:11.700233")
    cid = call_id("w8")
    caller = fx.add_log(WMText("caller.log", ALICE_DEV, "caller", color=False, indent=True))
    fx.call(cid, ALICE_DEV, "cancelled", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "cancelled"},
        {"device": BOB_PHONE, "log": None, "role": "callee", "outcome": "cancelled"},
    ], ["W8"])
    offer_id = wm_msg_id("w8/offer")
    pre_id = hexid("w8/pre", 8)
    rej_id = wm_msg_id("w8/reject")
    fx.stanza(caller, base, "send", sent_offer("w8", offer_id, BOB_PN, cid, ALICE_DEV, [(BOB_PHONE, "msg", 100)]))
    fx.stanza(caller, at(base, 231.9), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "w8"))
    pre_in = action_call([("from", BOB_PHONE), ("id", pre_id), ("platform", "android"),
                          ("t", str(unix(at(base, 420)))), ("version", ANDROID_VERSION)], "preaccept", cid, ALICE_DEV,
                         content=preaccept_children())
    fx.stanza(caller, at(base, 455.5), "recv", pre_in)
    fx.stanza(caller, at(base, 457.0), "send", wm_ack(pre_in))
    # whatsmeow RejectCall: id, from=own non-AD JID, to=callFrom.ToNonAD(); call-creator=callFrom (here: the callee!)
    rej = N("call", [("id", rej_id), ("from", ALICE_PN), ("to", BOB_PN)],
            [N("reject", [("call-id", cid), ("call-creator", BOB_PN), ("count", "0")])])
    e = fx.stanza(caller, at(base, 3808.3), "send", rej)
    fx.evidence(cid, "W8", "<reject> sent by the call creator's own device (call-creator attribute even names "
                "the callee)", [e])
    fx.stanza(caller, at(base, 4031.6), "recv", server_ack(rej_id, BOB_PN, "reject"))
    fx.write()


def w9_action_after_terminate():
    fx = Fixture("w9-action-after-terminate", "Callee desktop's log (zerolog): it answered, the caller hung up "
                 "(terminate, no reason), the desktop acked it and 1.6 s later still sent a <relaylatency> for "
                 "the ended call.")
    base = ts("2026-03-22T22:05:58.310999")
    cid = call_id("w9")
    desk = fx.add_log(WMZero("callee-desktop.log", BOB_DESKTOP, "callee", context=ZCTX, utc_offset_min=-300))
    fx.call(cid, ALICE_DEV, "answered", [
        {"device": BOB_DESKTOP, "log": "callee-desktop.log", "role": "callee", "outcome": "answered"},
        {"device": ALICE_DEV, "log": None, "role": "caller", "outcome": "answered"},
    ], ["W9"])
    offer_id = wm_msg_id("w9/offer")
    pre_id = hexid("w9/pre", 8)
    acc_id = hexid("w9/acc", 8)
    hang_id = wm_msg_id("w9/hangup")
    rl_id = hexid("w9/relaylatency", 8)
    o = recv_offer("w9", offer_id, ALICE_DEV, unix(base), cid, ALICE_DEV, "msg", 100, notify="Alice", platform="web",
                   version=WEB_VERSION)
    fx.stanza(desk, base, "recv", o)
    fx.stanza(desk, at(base, 5.1), "send", wm_ack(o))
    fx.stanza(desk, at(base, 61.0), "send", action_call([("id", pre_id), ("to", ALICE_DEV)], "preaccept", cid,
                                                       ALICE_DEV, content=preaccept_children()))
    fx.stanza(desk, at(base, 140.8), "recv", server_ack(pre_id, ALICE_DEV, "preaccept"))
    fx.stanza(desk, at(base, 2950.2), "send", action_call([("id", acc_id), ("to", ALICE_DEV)], "accept", cid,
                                                         ALICE_DEV, content=accept_children("w9")))
    fx.stanza(desk, at(base, 3031.7), "recv", server_ack(acc_id, ALICE_DEV, "accept"))
    hang_in = action_call([("from", ALICE_DEV), ("id", hang_id), ("t", str(unix(at(base, 19400))))], "terminate",
                          cid, ALICE_DEV, [("duration", "16"), ("audio_duration", "16")])
    e_t = fx.stanza(desk, at(base, 19466.3), "recv", hang_in)
    fx.stanza(desk, at(base, 19471.0), "send", wm_ack(hang_in))
    rl = action_call([("id", rl_id), ("to", ALICE_DEV)], "relaylatency", cid, ALICE_DEV,
                     content=[N("te", [("latency", str(0x2000000 + 38)), ("relay_name", "fra3c01")],
                                blob("w9/rl", 6))])
    e_rl = fx.stanza(desk, at(base, 21090.6), "send", rl)
    fx.evidence(cid, "W9", "relaylatency sent 1.6 s after the call-ending terminate was received and acked",
                [e_t, e_rl])
    fx.stanza(desk, at(base, 21170.0), "recv", server_ack(rl_id, ALICE_DEV, "relaylatency"))
    fx.write()


def w10_no_ack():
    fx = Fixture("w10-no-ack", "Callee desktop's log (zerolog): an offer is received and never acked (no Send "
                 "<ack> for its id); the caller's later terminate is received and acked normally.")
    base = ts("2026-03-23T13:12:40.505050")
    cid = call_id("w10")
    desk = fx.add_log(WMZero("callee-desktop.log", BOB_DESKTOP, "callee", context=ZCTX))
    fx.call(cid, ALICE_DEV, "cancelled", [
        {"device": BOB_DESKTOP, "log": "callee-desktop.log", "role": "callee", "outcome": "cancelled"},
        {"device": ALICE_DEV, "log": None, "role": "caller", "outcome": "cancelled"},
    ], ["W10"], notes="the unacked stanza is the <offer> with id " + wm_msg_id("w10/offer"))
    offer_id = wm_msg_id("w10/offer")
    end_id = wm_msg_id("w10/end")
    desk.log(at(base, -30000.0), "info", "Successfully authenticated")
    o = recv_offer("w10", offer_id, ALICE_DEV, unix(base), cid, ALICE_DEV, "msg", 100, notify="Alice",
                   platform="web", version=WEB_VERSION)
    e = fx.stanza(desk, base, "recv", o)
    fx.evidence(cid, "W10", "received <call><offer> with no <ack class=call id=...> sent for it", [e])
    end_in = action_call([("from", ALICE_DEV), ("id", end_id), ("t", str(unix(at(base, 8000))))], "terminate", cid,
                         ALICE_DEV)
    fx.stanza(desk, at(base, 8030.3), "recv", end_in)
    fx.stanza(desk, at(base, 8035.9), "send", wm_ack(end_in))
    fx.write()


def _inspect_call(ev):
    """Node util.inspect of [WACallEvent] as console.log prints it (multi-line, breakLength exceeded)."""
    def val(v):
        if v is None:
            return "undefined"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dt.datetime):
            return iso_ms(v)
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    inner = ",\n".join(f"    {k}: {val(v)}" for k, v in ev)
    return "[\n  {\n" + inner + "\n  }\n]"


def w13_baileys_ringing():
    fx = Fixture("w13-baileys-ringing", "Callee's Baileys process stdout (pino JSON mixed with the example app's "
                 "console.log('recv call event', ...) lines): during ringing the caller sends <mute_v2>, which "
                 "Baileys' getCallStatusFromNode reports as status 'ringing'; then the caller hangs up.")
    base = ts("2026-03-24T19:20:01.777777")
    cid = call_id("w13")
    web = fx.add_log(Pino("callee-web.log", BOB_WEB, "callee", pid=1203, hostname="bob-web",
                          fmt="baileys-pino+console"))
    fx.call(cid, ALICE_DEV, "cancelled", [
        {"device": BOB_WEB, "log": "callee-web.log", "role": "callee", "outcome": "cancelled"},
        {"device": ALICE_DEV, "log": None, "role": "caller", "outcome": "cancelled"},
    ], ["W13"], notes="the console block after the <mute_v2> stanza shows status: 'ringing' although no ringing "
                      "action exists on the wire")
    offer_id = wm_msg_id("w13/offer")
    mute_id = wm_msg_id("w13/mute")
    end_id = wm_msg_id("w13/end")
    t0 = unix(base)
    o = recv_offer("w13", offer_id, ALICE_DEV, t0, cid, ALICE_DEV, "pkmsg", 288, notify="Alice", platform="web",
                   version=WEB_VERSION)
    fx.stanza(web, base, "recv", o)
    common = lambda status, tt: [("chatId", ALICE_DEV), ("from", ALICE_DEV), ("callerPn", None), ("id", cid),  # noqa
                                 ("date", dt.datetime.fromtimestamp(tt, UTC)), ("offline", False), ("status", status),
                                 ("isVideo", False), ("isGroup", False)]
    web.console("recv call event " + _inspect_call(common("offer", t0) + [("groupJid", None)]))
    a = bl_ack(o)
    web.sent_ack(at(base, 9.4), o, a)
    fx.stanza(web, at(base, 9.9), "send", a)
    t1 = unix(at(base, 1500))
    mute = action_call([("from", ALICE_DEV), ("id", mute_id), ("t", str(t1))], "mute_v2", cid, ALICE_DEV,
                       [("mute-state", "1")])
    e = fx.stanza(web, at(base, 1532.0), "recv", mute)
    first, _ = web.console("recv call event " + _inspect_call(common("ringing", t1)))
    fx.evidence(cid, "W13", f"Baileys reported status 'ringing' (console block starting at line {first}) for a "
                "<mute_v2>", [e])
    fx.calls[cid]["ringing_status_line"] = first + 8
    a = bl_ack(mute)
    web.sent_ack(at(base, 1540.1), mute, a)
    fx.stanza(web, at(base, 1540.6), "send", a)
    t2 = unix(at(base, 9800))
    end = action_call([("from", ALICE_DEV), ("id", end_id), ("t", str(t2))], "terminate", cid, ALICE_DEV)
    fx.stanza(web, at(base, 9861.4), "recv", end)
    web.console("recv call event " + _inspect_call(common("terminate", t2)))
    a = bl_ack(end)
    web.sent_ack(at(base, 9869.0), end, a)
    fx.stanza(web, at(base, 9869.5), "send", a)
    fx.write()


# ----------------------------------------------------------------------------------------------
# 6. hostile


def hostile():
    fx = Fixture("hostile", "Parser robustness: a declined call whose call-id, push name, version and platform "
                 "carry ; # | -->> %% backticks <script> and a newline; CRLF line endings, ANSI colour, a non-XML "
                 "line and a binary garbage line in caller.log; a truncated final line in callee.jsonl.")
    base = ts("2026-03-25T23:59:58.990000")
    cid = "DEADBEEF;#|-->>%%`id`<script>x</script>"
    caller = fx.add_log(WMText("caller.log", ALICE_DEV, "caller", color=True, indent=True, newline="\r\n"))
    web = fx.add_log(Pino("callee.jsonl", BOB_WEB, "callee", pid=666, hostname="evil|host;#", skew_ms=250))
    fx.call(cid, ALICE_DEV, "declined", [
        {"device": ALICE_DEV, "log": "caller.log", "role": "caller", "outcome": "declined"},
        {"device": BOB_WEB, "log": "callee.jsonl", "role": "callee", "outcome": "declined"},
    ], [], notes="the call crosses midnight UTC (23:59:58 -> 00:00:03): the whatsmeow text log's time of day "
                 "wraps; dates must come from t attributes")
    offer_id = wm_msg_id("hostile/offer")
    rid = "1.2-->>3"
    notify = "Bob \"the\" <script>alert(1)</script> `rm -rf` 100%% | ;#"
    version = "2.26.1|%%`uname -a`"
    platform = "web;#-->>"
    caller.log(at(base, -4000.0), "INFO", "Successfully authenticated")
    garbage = caller.raw_bytes(b"\x00\x17\xfe\xff\x9cWA\x06\x03\x00\x00*\xde\xad\xbe\xef\x1b[31m\xc3\x28 garbage")
    nonxml, _ = caller.log(at(base, -1000.0), "DEBUG", "Got 3 prekeys; count=%d |#| -->> done")
    fx.stanza(caller, base, "send", sent_offer("hostile", offer_id, BOB_PN, cid, ALICE_DEV, [(BOB_WEB, "pkmsg", 64)]))
    fx.stanza(caller, at(base, 244.0), "recv", server_offer_ack(offer_id, BOB_PN, cid, ALICE_DEV, "hostile"))
    o = recv_offer("hostile/web", offer_id, ALICE_DEV, unix(at(base, 260)), cid, ALICE_DEV, "pkmsg", 64,
                   notify="Alice\nline2 -->> Bob: <b>x</b>", platform=platform, version=version)
    fx.stanza(web, at(base, 300.2), "recv", o)
    a = bl_ack(o)
    web.sent_ack(at(base, 311.0), o, a)
    fx.stanza(web, at(base, 311.6), "send", a)
    rej = N("call", [("from", BOB_WEB), ("to", ALICE_DEV), ("id", rid)],
            [N("reject", [("call-id", cid), ("call-creator", ALICE_DEV), ("count", "0")])])
    fx.stanza(web, at(base, 3950.0), "send", rej)
    fx.stanza(web, at(base, 4031.0), "recv", N("ack", [("class", "call"), ("type", "reject"), ("id", rid),
                                                      ("from", ALICE_DEV)]))
    rej_in = N("call", [("from", BOB_WEB), ("id", rid), ("notify", notify), ("t", str(unix(at(base, 4000))))],
               [N("reject", [("call-id", cid), ("call-creator", ALICE_DEV), ("count", "0")])])
    fx.stanza(caller, at(base, 4102.8), "recv", rej_in)
    fx.stanza(caller, at(base, 4104.1), "send", wm_ack(rej_in))
    warn, _ = caller.log(at(base, 4110.0), "WARN", "Unknown call event <weird attr=\"a\"b\"> ; # | %% `x`")
    # truncated final line (no newline at EOF)
    trunc = ('{"level":10,"time":"' + iso_ms(web.clock(at(base, 4400.0))) + '","pid":666,"hostname":"evil|host;#",'
             '"xml":"<notification from=\'s.whatsapp.net\' type=\'server_sync\' id=\'2471')
    fx.extra["truncated"] = {"file": "callee.jsonl", "line": web.line}
    fx.extra["garbage_lines"] = [{"file": "caller.log", "line": garbage, "why": "binary bytes, not UTF-8"}]
    fx.extra["non_stanza_lines"] = [
        {"file": "caller.log", "line": nonxml, "why": "Client DEBUG line that is not XML"},
        {"file": "caller.log", "line": warn, "why": "Client WARN line whose text contains a fake tag"}]
    web.raw_bytes(trunc.encode(), terminate=False)
    fx.write()


def main():
    seed_reject()
    accept_elsewhere()
    busy_one_device()
    timeout()
    w1_reject_without_offer()
    w2_accept_after_rejected_elsewhere()
    w5_accept_after_decline()
    w6_accepted_elsewhere_to_answerer()
    w8_caller_rejects()
    w9_action_after_terminate()
    w10_no_ack()
    w13_baileys_ringing()
    hostile()


if __name__ == "__main__":
    main()
