#!/usr/bin/env python3
"""Independent reader for the fixtures: parses every log with the rules of FORMATS.md (not with
make.py's renderers) and checks that each <call>/<ack>/<receipt> stanza it finds is in expect.json
on the same line with the same direction, tag, action, id and time, and that nothing in
expect.json is missed.  Usage: python3 check.py   (exit 1 on any mismatch)

It doubles as a reference for a decoder writer: the regular expressions below are the ones
FORMATS.md gives.
"""

import datetime as dt
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc

# --- whatsmeow waLog.Stdout --------------------------------------------------------------------
WM_TEXT_START = re.compile(
    r"^(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})\.(?P<ms>\d{3})(?:\x1b\[[0-9;]*m)? "
    r"\[(?P<module>[^\]]*?) (?P<level>DEBUG|INFO|WARN|ERROR)\] (?P<msg>.*)$")
ANSI_RESET_END = re.compile(r"\x1b\[0m$")

# --- XML (both quote styles, values unescaped) ---------------------------------------------------
NAME = r"[A-Za-z_][\w:.\-]*"
ATTR = {q: re.compile(r"\s+(" + NAME + r")=" + q + r"(.*?)" + q + r"(?=\s+" + NAME + r"=" + q + r"|\s*/?>)",
                      re.S) for q in ("\"", "'")}
OPEN = re.compile(r"\s*<(" + NAME + r")")


def parse_element(s, pos, quote):
    """Parse '<tag a="v" ...' at pos; return (tag, attrs, pos after the attributes) or None."""
    m = OPEN.match(s, pos)
    if not m:
        return None
    tag, pos, attrs = m.group(1), m.end(), {}
    while True:
        a = ATTR[quote].match(s, pos)
        if not a:
            break
        attrs[a.group(1)] = a.group(2)
        pos = a.end()
    return tag, attrs, pos


def parse_stanza(xml, quote):
    root = parse_element(xml, 0, quote)
    if not root:
        return None
    tag, attrs, pos = root
    rest = xml[pos:].lstrip()
    child = None
    if rest.startswith(">"):
        c = parse_element(xml, pos + xml[pos:].index(">") + 1, quote)
        if c:
            child = (c[0], c[1])
    return {"tag": tag, "attrs": attrs, "child": child}


# --- readers -----------------------------------------------------------------------------------


def read_lines(path):
    data = open(path, "rb").read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]


def sniff(lines):
    for ln in lines[:20]:
        try:
            d = json.loads(ln)
        except ValueError:
            continue
        if isinstance(d, dict):
            if "msg" in d or isinstance(d.get("level"), int):
                return "pino"
            if "message" in d or isinstance(d.get("level"), str):
                return "zerolog"
    return "text"


def parse_rfc3339(s):
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$", s)
    base = dt.datetime.fromisoformat(m.group(1))
    frac = (m.group(2) or "0")[:6].ljust(6, "0")
    tz = UTC if m.group(3) == "Z" else dt.datetime.strptime(m.group(3).replace(":", ""), "%z").tzinfo
    return base.replace(microsecond=int(frac), tzinfo=tz).astimezone(UTC)


def iso_ms(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def records_text(lines):
    """whatsmeow stdout: a record starts at WM_TEXT_START; an XML message continues on following lines
    (IndentXML) until the root element is closed; anything else that does not match is junk."""
    recs, cur = [], None
    for i, raw in enumerate(lines, 1):
        line = raw.decode("utf-8", "replace")
        m = WM_TEXT_START.match(line)
        if m:
            closed = bool(ANSI_RESET_END.search(line))
            msg = ANSI_RESET_END.sub("", m.group("msg"))
            cur = {"line": i, "end": i, "tod": (int(m["h"]), int(m["m"]), int(m["s"]), int(m["ms"])),
                   "module": m["module"], "level": m["level"], "msg": msg}
            recs.append(cur)
            root = re.match(r"<(" + NAME + ")", msg)
            cur["open"] = bool(root) and not closed and not (msg.endswith("/>") or msg.endswith(f"</{root.group(1)}>"))
            cur["root"] = root.group(1) if root else None
            continue
        if cur is not None and cur["open"]:
            closed = bool(ANSI_RESET_END.search(line))
            line = ANSI_RESET_END.sub("", line)
            cur["msg"] += "\n" + line
            cur["end"] = i
            if closed or line == f"</{cur['root']}>":
                cur["open"] = False
    return recs


def text_times(recs):
    """Give every record a UTC datetime: infer the UTC offset and the date from the t attribute of a
    received stanza (t is unix seconds, the log only has local time of day)."""
    anchor = None
    for r in recs:
        if r["module"].endswith("/Recv") and r["msg"].startswith("<"):
            st = parse_stanza(r["msg"], '"')
            if st and "t" in st["attrs"] and st["attrs"]["t"].isdigit():
                anchor = (r, int(st["attrs"]["t"]))
                break
    if anchor is None:
        return False
    r0, t = anchor
    h, m, s, ms = r0["tod"]
    tod = h * 3600 + m * 60 + s + ms / 1000
    diff = (tod - (t % 86400)) % 86400
    if diff > 14 * 3600:
        diff -= 86400
    offset = dt.timedelta(minutes=round(diff / 900) * 15)
    guess = dt.datetime.fromtimestamp(t, UTC) + offset
    best = None
    for dd in (-1, 0, 1):
        d = (guess + dt.timedelta(days=dd)).date()
        cand = dt.datetime(d.year, d.month, d.day, h, m, s, ms * 1000, tzinfo=UTC)
        if best is None or abs(cand - guess) < abs(best - guess):
            best = cand
    idx = recs.index(r0)
    recs[idx]["local"] = best

    def step(prev_rec, rec, forward):
        ph, pm, ps, pms = prev_rec["tod"]
        h, m, s, ms = rec["tod"]
        a = (h * 3600 + m * 60 + s) * 1000 + ms
        b = (ph * 3600 + pm * 60 + ps) * 1000 + pms
        delta = (a - b) % 86_400_000 if forward else -((b - a) % 86_400_000)
        rec["local"] = prev_rec["local"] + dt.timedelta(milliseconds=delta)

    for k in range(idx + 1, len(recs)):
        step(recs[k - 1], recs[k], True)
    for k in range(idx - 1, -1, -1):
        step(recs[k + 1], recs[k], False)
    for r in recs:
        r["utc"] = r["local"] - offset
    return True


def stanzas_of(path):
    lines = read_lines(path)
    fmt = sniff(lines)
    out = []
    if fmt == "text":
        recs = records_text(lines)
        text_times(recs)
        for r in recs:
            if r["module"].endswith("/Recv") or r["module"].endswith("/Send"):
                if r["msg"].startswith("<"):
                    st = parse_stanza(r["msg"], '"')
                    if st:
                        st.update(line=r["line"], end=r["end"], time=r.get("utc"),
                                  direction="recv" if r["module"].endswith("/Recv") else "send")
                        out.append(st)
    else:
        for i, raw in enumerate(lines, 1):
            try:
                d = json.loads(raw)
            except ValueError:
                continue  # console.log output, truncated line, garbage
            if fmt == "zerolog":
                sub, xml = d.get("sublogger", ""), d.get("message", "")
                if not (re.search(r"(^|/)(Recv|Send)$", sub) and xml.startswith("<")):
                    continue
                direction = "recv" if sub.endswith("Recv") else "send"
                t = parse_rfc3339(d["time"]) if isinstance(d.get("time"), str) else None
                quote = '"'
            else:
                if d.get("msg") not in ("recv xml", "xml send") or "xml" not in d:
                    continue
                direction = "recv" if d["msg"] == "recv xml" else "send"
                tv = d.get("time")
                t = (dt.datetime.fromtimestamp(tv / 1000, UTC) if isinstance(tv, (int, float))
                     else parse_rfc3339(tv))
                xml, quote = d["xml"], "'"
            st = parse_stanza(xml, quote)
            if st:
                st.update(line=i, end=i, time=t, direction=direction)
                out.append(st)
    return fmt, out


def main():
    bad = 0
    for exp_path in sorted(glob.glob(os.path.join(HERE, "*.expect.json"))):
        folder = os.path.dirname(exp_path)
        exp = json.load(open(exp_path, encoding="utf-8"))
        expected = {}
        for c in exp["calls"]:
            for e in c["stanzas"]:
                expected[(e["log"], e["line"])] = e
        seen = set()
        for lg in exp["logs"]:
            fmt, sts = stanzas_of(os.path.join(folder, lg["file"]))
            for st in sts:
                if st["tag"] not in ("call", "ack", "receipt"):
                    continue
                key = (lg["file"], st["line"])
                e = expected.get(key)
                if e is None:
                    print(f"{exp['fixture']}/{lg['file']}:{st['line']}: stanza not in expect.json")
                    bad += 1
                    continue
                seen.add(key)
                a = st["attrs"]
                action = st["child"][0] if st["tag"] in ("call", "receipt") and st["child"] else a.get("type")
                got = {"end_line": st["end"], "direction": st["direction"], "tag": st["tag"], "action": action,
                       "id": a.get("id"), "time": iso_ms(st["time"]) if st["time"] else None}
                for k, v in got.items():
                    if e.get(k) != v:
                        print(f"{exp['fixture']}/{lg['file']}:{st['line']}: {k} {v!r} != expected {e.get(k)!r}")
                        bad += 1
                if st["tag"] == "call" and st["child"]:
                    cid = st["child"][1].get("call-id")
                    owner = [c["call_id"] for c in exp["calls"] if e in c["stanzas"]][0]
                    if cid != owner:
                        print(f"{exp['fixture']}/{lg['file']}:{st['line']}: call-id {cid!r} != {owner!r}")
                        bad += 1
        for key in expected:
            if key not in seen:
                print(f"{exp['fixture']}/{key[0]}:{key[1]}: expected stanza not found by the reader")
                bad += 1
        print(f"{exp['fixture']}: {len(seen)}/{len(expected)} stanzas matched")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
