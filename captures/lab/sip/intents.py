"""What each lab scenario was made to do (ground truth known from make.sh and the sipp scenarios).

Per capture: a one-line scenario, and per call (in order of first appearance of its Call-ID on the
wire): method, outcome, per-device outcomes, planted findings (rule numbers of
shared/reference/protocols.md section 4.8), and the intended flow "src>dst label" (retransmissions
left out) that expect.py checks against the capture.

Outcome words: answered, declined, busy, rejected, cancelled, redirected, unauthorized, timed-out,
incomplete (devices also: declined-elsewhere, answered-elsewhere). For non-INVITE requests a 2xx
final is "answered"; a challenge followed by success is "answered".
"""

NAMES = {
    "127.0.0.1:5060": "proxy",      # kamailio
    "127.0.0.2:5060": "alice",      # caller (sipp)
    "127.0.0.3:5060": "bob",        # callee (sipp)
    "127.0.0.4:5060": "badproxy",   # sipp playing a broken forking proxy
    "127.0.0.11:5060": "bob-dev1",  # bob's first registered device (sipp)
    "127.0.0.12:5060": "bob-dev2",  # bob's second registered device (sipp)
}

K100 = "100 trying -- your call is important to us"   # kamailio's own 100 reason phrase

BASIC = """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 200 OK
alice>bob ACK
alice>bob BYE
bob>alice 200 OK
"""


def reg(dev):
    return {"method": "REGISTER", "outcome": "answered", "devices": [], "findings": [],
            "flow": f"{dev}>proxy REGISTER\nproxy>{dev} 200 OK"}


def reg_auth(dev):
    """a device REGISTERs with kamailio WITH_REGISTER_AUTH: 401, then again with credentials, 200"""
    return {"method": "REGISTER", "outcome": "answered", "devices": [], "findings": [],
            "flow": f"{dev}>proxy REGISTER\nproxy>{dev} 401 Unauthorized\n{dev}>proxy REGISTER\nproxy>{dev} 200 OK"}


# alice's INVITE challenged by kamailio (auth_db, proxy_challenge) and sent again with credentials
CHALLENGE = """
alice>proxy INVITE
proxy>alice 407 Proxy Authentication Required
alice>proxy ACK
alice>proxy INVITE
"""


def challenge_check(msgs):
    """the challenge is a 407 with a Digest Proxy-Authenticate, answered by an INVITE of the same Call-ID
    with a higher CSeq, a new branch and Proxy-Authorization"""
    invites = [m for m in msgs if m.is_request and m.method == "INVITE" and m.src.startswith("127.0.0.2:")]
    challenge = next((m for m in msgs if m.code == 407), None)
    if len(invites) != 2 or challenge is None:
        return f"{len(invites)} INVITEs from alice, 407 {'present' if challenge else 'missing'}"
    first, retry = invites
    problems = []
    if not challenge.h.get("proxy-authenticate", [""])[0].startswith("Digest "):
        problems.append("the 407 carries no Digest challenge")
    if retry.cseq_num <= first.cseq_num or retry.branch == first.branch:
        problems.append("the retry is not a new transaction (CSeq, branch)")
    if "proxy-authorization" not in retry.h or "proxy-authorization" in first.h:
        problems.append("Proxy-Authorization is not (only) on the retry")
    return "; ".join(problems) or None


def auth_refusal(final, outcome, ring=False):
    """alice's challenged INVITE, sent again with credentials, relayed to bob-dev1, which refuses it
    with `final` (after ringing, with `ring`); kamailio ACKs and relays the refusal; alice ACKs"""
    ringing = "bob-dev1>proxy 180 Ringing\nproxy>alice 180 Ringing\n" if ring else ""
    return {"method": "INVITE", "outcome": outcome, "devices": [("bob-dev1", outcome)],
            "flow": CHALLENGE + f"""proxy>alice {K100}
proxy>bob-dev1 INVITE
bob-dev1>proxy 100 Trying
{ringing}bob-dev1>proxy {final}
proxy>bob-dev1 ACK
proxy>alice {final}
alice>proxy ACK"""}


def reason_check(dst_ip, want):
    """the CANCEL sent to dst_ip carries exactly this Reason header value"""
    def check(msgs):
        got = [r for m in msgs if m.is_request and m.method == "CANCEL" and m.dst.startswith(dst_ip + ":")
               and not m.retrans for r in m.reason_hdr]
        return None if got == [want] else f"CANCEL to {dst_ip}: Reason {got}, want [{want!r}]"
    return check


def rings_after_cancel_check(msgs):
    """bob-dev2 answers the CANCEL 200 and then sends its 180 Ringing once more (the same message)"""
    dev2 = [m for m in msgs if m.src.startswith("127.0.0.12:")]
    accepted = next((i for i, m in enumerate(dev2) if m.code == 200 and m.cseq_method == "CANCEL"), None)
    again = [m for m in dev2[accepted + 1:] if m.code == 180] if accepted is not None else []
    if not again or not all(m.retrans for m in again):
        return "bob-dev2 does not send its 180 again after its 200 to the CANCEL"
    return None


def two_100s_check(msgs):
    """two 100s to one INVITE that differ in reason phrase only, neither a retransmission"""
    trying = [m for m in msgs if m.code == 100]
    if [m.label for m in trying] != ["100 Trying", "100 Giving a try"] or any(m.retrans for m in trying):
        return f"100s on the wire: {[(m.label, m.retrans) for m in trying]}"
    if len({(m.branch, m.cseq_num, m.to_tag) for m in trying}) != 1:
        return "the two 100s are not of one transaction"
    return None


def sibling_check(msgs):
    """every response after the first 100 comes from the sibling address, no request goes to it"""
    to_sibling = [m for m in msgs if m.dst.startswith("127.0.0.33:")]
    from_sibling = [m for m in msgs if m.src.startswith("127.0.0.33:")]
    if to_sibling or any(m.is_request for m in from_sibling) or len(from_sibling) != 3:
        return f"{len(to_sibling)} messages to the sibling, {len(from_sibling)} from it"
    return None


def filtered_check(msgs):
    """the proxy's 200 to alice's INVITE is absent, the device's 200 to the proxy and alice's ACK are there"""
    oks = [(m.src, m.dst, m.cseq_method) for m in msgs if m.code == 200]
    if ("127.0.0.1:5060", "127.0.0.2:5060", "INVITE") in oks or ("127.0.0.3:5060", "127.0.0.1:5060", "INVITE") not in oks:
        return f"200 OKs on the wire: {oks}"
    return None


def covers_check(after_label, seconds):
    """the capture goes on at least `seconds` after the last `after_label` (a rule's judging time)"""
    def check(msgs):
        last = [m for m in msgs if m.label == after_label and m.cseq_method == "INVITE" and not m.retrans][-1]
        if msgs[-1].time - last.time < seconds:
            return f"the capture ends {msgs[-1].time - last.time:.1f} s after the last {after_label}, want {seconds}"
        return None
    return check


def short_body_check(msgs):
    inv = [m for m in msgs if m.is_request and m.method == "INVITE"]
    if not inv or inv[0].content_length is None or inv[0].body_on_wire >= inv[0].content_length:
        return "the INVITE body is not shorter than its Content-Length"
    return None


def tcp_recut_check(msgs):
    split = [m for m in msgs if m.tcp_segments and len(m.tcp_segments) > 1]
    frames = {}
    for m in msgs:
        frames.setdefault(m.frame, []).append(m)
    packed = [f for f, ms in frames.items() if len(ms) > 1]
    if not split or not packed:
        return f"relay did not re-cut: split={len(split)} packed frames={packed}"
    return None


def tcp_notes(msgs):
    frames = {}
    for m in msgs:
        frames.setdefault(m.frame, []).append(m.label)
    notes = ["frame = the TCP segment that completes the message (where tshark reassembles it)"]
    for m in msgs:
        if m.tcp_segments and len(m.tcp_segments) > 1:
            notes.append(f"{m.label} ({m.src} -> {m.dst}) is split over frames {m.tcp_segments}")
    for f, labels in sorted(frames.items()):
        if len(labels) > 1:
            notes.append(f"frame {f} carries {len(labels)} complete SIP messages: {', '.join(labels)}")
    for m in msgs:
        for seg in (m.tcp_segments or [])[:-1]:
            if seg in frames:
                notes.append(f"frame {seg} carries the whole {', '.join(frames[seg])} and the first part of {m.label}")
    return notes


def frag_check(msgs):
    inv = [m for m in msgs if m.is_request and m.method == "INVITE"]
    if not inv or not inv[0].ip_fragments or len(inv[0].ip_fragments) < 2 or inv[0].size <= 1500:
        return "the INVITE was not IP-fragmented"
    return None


def frag_notes(msgs):
    inv = [m for m in msgs if m.is_request and m.method == "INVITE"][0]
    return [f"the INVITE ({inv.size} bytes of SIP) travels in {len(inv.ip_fragments)} IP fragments, frames "
            f"{inv.ip_fragments}; frame = the last fragment, where tshark reassembles the datagram",
            "lo had MTU 1500 during this capture"]


def controls_check(msgs):
    """the wire carries controls.py's bytes exactly: Call-ID, From display name, User-Agent, reason"""
    from controls import CONTROLS_AGENT, CONTROLS_CALL_ID, CONTROLS_DISPLAY, CONTROLS_REASON
    inv = next(m for m in msgs if m.is_request and m.method == "INVITE")
    dec = next(m for m in msgs if m.code == 603)
    problems = []
    if inv.call_id != CONTROLS_CALL_ID.decode():
        problems.append(f"Call-ID is {inv.call_id!r}")
    if f'"{CONTROLS_DISPLAY.decode()}"' not in inv.h.get("from", [""])[0]:
        problems.append(f"From is {inv.h.get('from')!r}")
    if inv.h.get("user-agent") != [CONTROLS_AGENT.decode()]:
        problems.append(f"User-Agent is {inv.h.get('user-agent')!r}")
    if dec.label != "603 " + CONTROLS_REASON.decode():
        problems.append(f"603 label is {dec.label!r}")
    return "; ".join(problems) or None


def controls_flow():
    from controls import CONTROLS_REASON
    return "\n".join(["alice>bob INVITE", "bob>alice 100 Trying", "bob>alice 180 Ringing",
                      "bob>alice 603 " + CONTROLS_REASON.decode(), "alice>bob ACK"])


HOSTILE_STRINGS = [";", "#", ":", "|", "-->>", "%%", "`", "<script>alert(1)</script>", "&lt;b&gt;",
                   "{{mustache}}", "X" * 100 + "y" * 100 + "Z" * 100]


def hostile_check(msgs):
    inv = next(m for m in msgs if m.is_request and m.method == "INVITE")
    dec = next(m for m in msgs if m.code == 603)
    problems = []
    for hdr in ("from", "user-agent", "subject", "x-hostile"):
        val = inv.h.get(hdr, [""])[0]
        for s in HOSTILE_STRINGS[:-1]:
            if hdr == "from" and s == "<script>alert(1)</script>":
                continue
            if s not in val:
                problems.append(f"INVITE {hdr} lacks {s!r}")
    if inv.h.get("x-end") != ["end"]:
        problems.append("INVITE X-End is not 'end'")
    if HOSTILE_STRINGS[-1] not in inv.h.get("x-long-token", [""])[0]:
        problems.append("INVITE X-Long-Token lacks the 300-char token")
    for s in HOSTILE_STRINGS[:-1]:
        if s not in dec.label:
            problems.append(f"603 reason phrase lacks {s!r}")
    return "; ".join(problems) or None


def ws_check(msgs):
    ws = [m for m in msgs if m.ws_frames]
    frag = [m for m in ws if len(m.ws_frames) > 1]
    binary = [m for m in ws if m.ws_opcode == "binary"]
    if not frag or not binary:
        return f"WebSocket framing not as intended: fragmented={len(frag)} binary={len(binary)}"
    return None


def ws_notes(msgs):
    notes = ["SIP over WebSocket (RFC 7118) between the client 127.0.0.2:50080 and kamailio 127.0.0.1:8080, "
             "SIP over UDP between kamailio 127.0.0.1:5060 and bob 127.0.0.3:5060; frame = the WebSocket frame that "
             "completes the SIP message"]
    for m in msgs:
        if m.ws_frames and len(m.ws_frames) > 1:
            notes.append(f"{m.label} is one WebSocket message fragmented over frames {m.ws_frames} "
                         f"(text frame FIN=0 with 16-bit length, continuation FIN=0 with 7-bit length, "
                         f"continuation FIN=1 with 16-bit length)")
        elif m.ws_opcode == "binary":
            notes.append(f"{m.label} (frame {m.frame}) travels in a binary frame (opcode 2)")
    notes.append("every client frame is masked and longer than 125 bytes except the middle INVITE fragment "
                 "(so the 16-bit extended length is used); kamailio's frames are unmasked text frames")
    return notes


INTENTS = {
    "basic-call": {
        "scenario": "alice (127.0.0.2) calls bob (127.0.0.3) directly over UDP: 100, 180, 200, ACK, "
                    "3 s of call, alice hangs up with BYE, 200",
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": BASIC}],
    },
    "decline-603": {
        "scenario": "alice calls bob directly; bob rings (180) and declines with 603 Decline; alice ACKs",
        "calls": [{"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline
alice>bob ACK"""}],
    },
    "busy-486": {
        "scenario": "alice calls bob directly; bob answers 100 then 486 Busy Here without ringing; alice ACKs",
        "calls": [{"method": "INVITE", "outcome": "busy", "devices": [("bob", "busy")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 486 Busy Here
alice>bob ACK"""}],
    },
    "cancel-ringing": {
        "scenario": "alice calls bob directly and CANCELs while bob rings: 180, CANCEL, 200 (CANCEL), 487, ACK",
        "calls": [{"method": "INVITE", "outcome": "cancelled", "devices": [("bob", "cancelled")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
alice>bob CANCEL
bob>alice 200 OK
bob>alice 487 Request Terminated
alice>bob ACK"""}],
    },
    "fork-decline": {
        "scenario": "bob's two devices REGISTER with kamailio (127.0.0.1); alice calls sip:bob@127.0.0.1; "
                    "kamailio forks to both; device 1 rings and declines 603, device 2 has only sent 100 Trying "
                    "(never rang); kamailio CANCELs device 2 with 'Reason: SIP;cause=603', device 2 answers 200 "
                    "and 487, and only then kamailio relays the 603 to alice",
        "calls": [reg("bob-dev1"), reg("bob-dev2"), {
            "method": "INVITE", "outcome": "declined", "strict": False,
            "devices": [("bob-dev1", "declined"), ("bob-dev2", "declined-elsewhere")],
            "before": [("bob-dev1>proxy 603 Decline", "proxy>bob-dev2 CANCEL"),
                       ("bob-dev2>proxy 487 Request Terminated", "proxy>alice 603 Decline")],
            "checks": [reason_check("127.0.0.12", "SIP;cause=603")],
            "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev1>proxy 603 Decline
proxy>bob-dev1 ACK
proxy>bob-dev2 CANCEL
bob-dev2>proxy 200 OK
bob-dev2>proxy 487 Request Terminated
proxy>bob-dev2 ACK
proxy>alice 603 Decline
alice>proxy ACK"""}],
    },
    "fork-answer": {
        "scenario": "bob's two devices REGISTER with kamailio; alice calls bob; kamailio forks, both devices "
                    "ring; device 1 answers 200; kamailio relays it and CANCELs device 2 with "
                    "'Reason: SIP;cause=200;text=\"Call completed elsewhere\"'; device 2 answers 200 and 487; "
                    "alice ACKs, talks 3 s and hangs up (ACK and BYE routed through kamailio by Record-Route)",
        "calls": [reg("bob-dev1"), reg("bob-dev2"), {
            "method": "INVITE", "outcome": "answered", "strict": False,
            "devices": [("bob-dev1", "answered"), ("bob-dev2", "answered-elsewhere")],
            "before": [("bob-dev1>proxy 200 OK", "proxy>bob-dev2 CANCEL")],
            "checks": [reason_check("127.0.0.12", 'SIP;cause=200;text="Call completed elsewhere"')],
            "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev2>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev1>proxy 200 OK
proxy>alice 200 OK
proxy>bob-dev2 CANCEL
bob-dev2>proxy 200 OK
bob-dev2>proxy 487 Request Terminated
proxy>bob-dev2 ACK
alice>proxy ACK
proxy>bob-dev1 ACK
alice>proxy BYE
proxy>bob-dev1 BYE
bob-dev1>proxy 200 OK
proxy>alice 200 OK"""}],
    },
    "tcp-call": {
        "scenario": "basic call over TCP: alice's sipp -> re-cutting relay -> [captured TCP connection "
                    "127.0.0.2:40060 <-> 127.0.0.3:5060] -> re-cutting relay -> bob's sipp (127.0.0.3:5061); "
                    "some SIP messages are split over several TCP segments, some segments carry two messages",
        "names": {"127.0.0.2:40060": "alice", "127.0.0.3:5060": "bob"},
        "segments": True,
        "capture_checks": [tcp_recut_check],
        "notes": tcp_notes,
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": BASIC}],
    },
    "udp-fragmented": {
        "scenario": "basic call over UDP whose INVITE carries a ~2.9 kB SDP; with lo at MTU 1500 the INVITE "
                    "datagram is IP-fragmented",
        "segments": True,
        "capture_checks": [frag_check],
        "notes": frag_notes,
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": BASIC}],
    },
    "register-options-message": {
        "scenario": "non-INVITE transactions through kamailio (auth_db: www_authorize / www_challenge): bob "
                    "REGISTERs, gets 401, REGISTERs again with Authorization, 200; alice likewise (same Call-ID, CSeq "
                    "2, 200); alice OPTIONS-pings "
                    "kamailio, 200; alice sends a MESSAGE to bob, 200; alice SUBSCRIBEs to bob's presence, 200, "
                    "bob NOTIFYs back through kamailio, 200. Each has its own Call-ID",
        "calls": [
            reg_auth("bob"),
            {"method": "REGISTER", "outcome": "answered", "devices": [], "flow": """
alice>proxy REGISTER
proxy>alice 401 Unauthorized
alice>proxy REGISTER
proxy>alice 200 OK"""},
            {"method": "OPTIONS", "outcome": "answered", "devices": [], "flow": """
alice>proxy OPTIONS
proxy>alice 200 OK"""},
            {"method": "MESSAGE", "outcome": "answered", "devices": [("bob", "answered")], "flow": """
alice>proxy MESSAGE
proxy>bob MESSAGE
bob>proxy 200 OK
proxy>alice 200 OK"""},
            {"method": "SUBSCRIBE", "outcome": "answered", "devices": [("bob", "answered")], "flow": """
alice>proxy SUBSCRIBE
proxy>bob SUBSCRIBE
bob>proxy 200 OK
proxy>alice 200 OK
bob>proxy NOTIFY
proxy>alice NOTIFY
alice>proxy 200 OK
proxy>bob 200 OK"""},
        ],
    },
    "auth-invite": {
        "scenario": "alice calls bob through kamailio as outbound proxy; kamailio (auth_db: proxy_authorize / "
                    "proxy_challenge) challenges with 407, alice ACKs and re-sends the INVITE with "
                    "Proxy-Authorization (same Call-ID, CSeq 2); bob rings, answers; ACK, BYE. A challenge followed "
                    "by success is not a rejection",
        "capture_checks": [challenge_check],
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "strict": False,
                   "before": [("proxy>alice 407 Proxy Authentication Required", "proxy>bob INVITE")],
                   "flow": f"""
alice>proxy INVITE
proxy>alice 407 Proxy Authentication Required
alice>proxy ACK
alice>proxy INVITE
proxy>alice {K100}
proxy>bob INVITE
bob>proxy 100 Trying
bob>proxy 180 Ringing
proxy>alice 180 Ringing
bob>proxy 200 OK
proxy>alice 200 OK
alice>proxy ACK
proxy>bob ACK
alice>proxy BYE
proxy>bob BYE
bob>proxy 200 OK
proxy>alice 200 OK"""}],
    },
    "auth-fail": {
        "scenario": "alice calls bob directly; bob answers 401 Unauthorized with a Digest challenge; alice ACKs "
                    "and never retries",
        "calls": [{"method": "INVITE", "outcome": "unauthorized", "devices": [("bob", "unauthorized")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 401 Unauthorized
alice>bob ACK"""}],
    },
    "redirect-302": {
        "scenario": "alice calls bob directly; bob redirects with 302 Moved Temporarily "
                    "(Contact: <sip:bob@127.0.0.13:5060>); alice ACKs and does not follow the redirect",
        "calls": [{"method": "INVITE", "outcome": "redirected", "devices": [("bob", "redirected")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 302 Moved Temporarily
alice>bob ACK"""}],
    },
    "timeout-no-answer": {
        "scenario": "alice calls bob directly; bob sends 100 and 180 and never a final response; alice gives up "
                    "silently after 10 s (no CANCEL); the capture stops 2 s later with the INVITE still pending",
        "calls": [{"method": "INVITE", "outcome": "incomplete", "devices": [("bob", "incomplete")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing"""}],
    },
    "hostile-headers": {
        "scenario": "alice (display name 'Eve; #1: ...') calls bob; From display name, User-Agent, Subject, "
                    "X-Hostile, X-End ('end' alone), X-Long-Token (300 chars) and SDP s= carry hostile text; bob "
                    "rings and declines with a 603 whose reason phrase is hostile too; ACK",
        "capture_checks": [hostile_check],
        "calls": [{"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline ; # : | -->> %% ` <script>alert(1)</script> &lt;b&gt; {{mustache}} end
alice>bob ACK"""}],
    },
    "terminal-controls": {
        "scenario": "alice (display name 'Eve' with controls) calls bob over UDP from controls.py; the Call-ID, "
                    "From display name, User-Agent and bob's 603 reason phrase carry ESC sequences (SGR, clear "
                    "screen), OSC title sets ended by BEL and ST, BEL, BS, a lone CR and the 8-bit CSI (U+009B); "
                    "bob rings and declines; ACK",
        "capture_checks": [controls_check],
        "calls": [{"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")],
                   "flow": controls_flow()}],
    },
    # ------------------------------------------------------------------ challenged by auth_db, then ...
    "auth-fork-answer": {
        "scenario": "kamailio authenticates with auth_db (db_text subscriber table): bob's two devices REGISTER, "
                    "get 401 and REGISTER again with credentials; alice calls sip:bob@127.0.0.1, gets 407, ACKs and "
                    "sends the INVITE again with Proxy-Authorization; kamailio forks to both devices, both ring, "
                    "device 1 answers; kamailio CANCELs device 2 ('Reason: SIP;cause=200;text=\"Call completed "
                    "elsewhere\"'), 487; alice ACKs, talks 3 s and hangs up",
        "capture_checks": [challenge_check],
        "calls": [reg_auth("bob-dev1"), reg_auth("bob-dev2"), {
            "method": "INVITE", "outcome": "answered", "strict": False,
            "devices": [("bob-dev1", "answered"), ("bob-dev2", "answered-elsewhere")],
            "before": [("proxy>alice 407 Proxy Authentication Required", "proxy>bob-dev1 INVITE"),
                       ("bob-dev1>proxy 200 OK", "proxy>bob-dev2 CANCEL")],
            "checks": [reason_check("127.0.0.12", 'SIP;cause=200;text="Call completed elsewhere"')],
            "flow": CHALLENGE + f"""
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev2>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev1>proxy 200 OK
proxy>alice 200 OK
proxy>bob-dev2 CANCEL
bob-dev2>proxy 200 OK
bob-dev2>proxy 487 Request Terminated
proxy>bob-dev2 ACK
alice>proxy ACK
proxy>bob-dev1 ACK
alice>proxy BYE
proxy>bob-dev1 BYE
bob-dev1>proxy 200 OK
proxy>alice 200 OK"""}],
    },
    "auth-403-wrong-password": {
        "scenario": "kamailio with auth_db: bob's device REGISTERs (401, then with credentials, 200); alice calls "
                    "bob, gets 407, ACKs and sends the INVITE again with Proxy-Authorization computed from a wrong "
                    "password; kamailio refuses it with 403 Forbidden (it does not challenge again); alice ACKs",
        "capture_checks": [challenge_check],
        "calls": [reg_auth("bob-dev1"), {
            "method": "INVITE", "outcome": "rejected", "devices": [],
            "flow": CHALLENGE + """
proxy>alice 403 Forbidden
alice>proxy ACK"""}],
    },
    "auth-480-unavailable": {
        "scenario": "kamailio with auth_db: bob's device REGISTERs (401, then with credentials); alice's INVITE "
                    "is challenged (407) and sent again with credentials; kamailio relays it to the device, which "
                    "is in do-not-disturb and answers 100 then 480 Temporarily Unavailable; kamailio ACKs it and "
                    "relays the 480; alice ACKs",
        "capture_checks": [challenge_check],
        "calls": [reg_auth("bob-dev1"), auth_refusal("480 Temporarily Unavailable", "rejected")],
    },
    "auth-486-busy": {
        "scenario": "kamailio with auth_db: bob's device REGISTERs (401, then with credentials); alice's INVITE "
                    "is challenged (407) and sent again with credentials; the device answers 100 then 486 Busy "
                    "Here; kamailio relays it; alice ACKs",
        "capture_checks": [challenge_check],
        "calls": [reg_auth("bob-dev1"), auth_refusal("486 Busy Here", "busy")],
    },
    "auth-603-decline": {
        "scenario": "kamailio with auth_db: bob's device REGISTERs (401, then with credentials); alice's INVITE "
                    "is challenged (407) and sent again with credentials; the device rings and declines with 603 "
                    "Decline; kamailio relays it; alice ACKs",
        "capture_checks": [challenge_check],
        "calls": [reg_auth("bob-dev1"), auth_refusal("603 Decline", "declined", ring=True)],
    },
    "auth-fork-cancel": {
        "scenario": "kamailio with auth_db: bob's two devices REGISTER (401, then with credentials); alice's "
                    "INVITE is challenged (407) and sent again with credentials; kamailio forks to both devices, "
                    "both ring; alice CANCELs the second INVITE 1.5 s after the first 180; kamailio answers 200, "
                    "CANCELs both devices (200, 487, ACK each) and relays a 487; alice ACKs",
        "capture_checks": [challenge_check],
        "calls": [reg_auth("bob-dev1"), reg_auth("bob-dev2"), {
            "method": "INVITE", "outcome": "cancelled", "strict": False,
            "devices": [("bob-dev1", "cancelled"), ("bob-dev2", "cancelled")],
            "flow": CHALLENGE + f"""
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev2>proxy 180 Ringing
proxy>alice 180 Ringing
alice>proxy CANCEL
proxy>alice 200 canceling
proxy>bob-dev1 CANCEL
proxy>bob-dev2 CANCEL
bob-dev1>proxy 200 OK
bob-dev2>proxy 200 OK
bob-dev1>proxy 487 Request Terminated
proxy>bob-dev1 ACK
bob-dev2>proxy 487 Request Terminated
proxy>bob-dev2 ACK
proxy>alice 487 Request Terminated
alice>proxy ACK"""}],
    },
    # ------------------------------------------------------------------ hops and transactions
    "filtered-200-to-caller": {
        "scenario": "alice calls bob through kamailio (outbound proxy, Record-Route): 100, 180, bob's 200 OK, "
                    "alice's ACK, 3 s, BYE, 200; the capture filter drops kamailio's 200 OK to alice's INVITE "
                    "(payload 'SIP/2.0 200 ', over 450 bytes, from the proxy to alice), so the capture has the 2xx "
                    "only on the bob side, yet alice's ACK (new branch, bob's To tag) and BYE show she got it",
        "capture_checks": [filtered_check],
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "strict": False,
                   "inferred": ["proxy>alice 200 OK"],
                   "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob INVITE
bob>proxy 100 Trying
bob>proxy 180 Ringing
proxy>alice 180 Ringing
bob>proxy 200 OK
alice>proxy ACK
proxy>bob ACK
alice>proxy BYE
proxy>bob BYE
bob>proxy 200 OK
proxy>alice 200 OK"""}],
    },
    "sibling-address-response": {
        "scenario": "alice (sipp) calls bob, a two-address server (timed_uas.py): the INVITE, ACK and BYE go "
                    "to 127.0.0.3, which sends the 100 Trying; the 180, the 200 OK (Contact 127.0.0.3) and the 200 "
                    "to the BYE come from its sibling address 127.0.0.33; the responses belong to their requests "
                    "by transaction (Via branch, CSeq, Call-ID)",
        "names": {"127.0.0.33:5060": "bob-sibling"},
        "capture_checks": [sibling_check],
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob-sibling>alice 180 Ringing
bob-sibling>alice 200 OK
alice>bob ACK
alice>bob BYE
bob-sibling>alice 200 OK"""}],
    },
    "two-100s": {
        "scenario": "alice calls bob directly; bob sends two different 100s to the INVITE, as the OnSIP proxy "
                    "does: '100 Trying' then, 50 ms later, '100 Giving a try' (same transaction, other reason "
                    "phrase: not a retransmission); 180, 200, ACK, 3 s, BYE, 200",
        "capture_checks": [two_100s_check],
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 100 Giving a try
bob>alice 180 Ringing
bob>alice 200 OK
alice>bob ACK
alice>bob BYE
bob>alice 200 OK"""}],
    },
    # ------------------------------------------------------------------ misbehaving on purpose
    "s1-6xx-then-2xx": {
        "scenario": "S1: bob rings, declines 603 (ACKed) and then sends 200 OK for the same INVITE (same CSeq, "
                    "same To tag); alice ACKs the 200 and BYEs it at once",
        "calls": [{"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "findings": ["S1"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline
alice>bob ACK
bob>alice 200 OK
alice>bob ACK
alice>bob BYE
bob>alice 200 OK"""}],
    },
    "s2-6xx-forwarded-with-pending": {
        "scenario": "S2: a broken forking proxy (sipp at 127.0.0.4) forks alice's INVITE to bob-dev1 and "
                    "bob-dev2; dev1 rings and declines 603; the proxy ACKs dev1 and forwards the 603 to alice at "
                    "once while dev2 (100 Trying only) is still pending and is never CANCELled",
        "calls": [{"method": "INVITE", "outcome": "declined", "strict": False, "findings": ["S2"],
                   "devices": [("bob-dev1", "declined"), ("bob-dev2", "incomplete")],
                   "flow": """
alice>badproxy INVITE
badproxy>alice 100 Trying
badproxy>bob-dev1 INVITE
badproxy>bob-dev2 INVITE
bob-dev1>badproxy 100 Trying
bob-dev2>badproxy 100 Trying
bob-dev1>badproxy 180 Ringing
badproxy>alice 180 Ringing
bob-dev1>badproxy 603 Decline
badproxy>bob-dev1 ACK
badproxy>alice 603 Decline
alice>badproxy ACK"""}],
    },
    "s3-branch-after-6xx": {
        "scenario": "S3: a broken proxy (sipp at 127.0.0.4) sends alice's INVITE to bob-dev1, which rings and "
                    "declines 603; the proxy holds the 603 but then creates a new branch to bob-dev2 (same "
                    "Call-ID); dev2 rings and answers 486; the proxy forwards the 603 to alice",
        "calls": [{"method": "INVITE", "outcome": "declined", "strict": False, "findings": ["S3"],
                   "devices": [("bob-dev1", "declined"), ("bob-dev2", "busy")],
                   "before": [("bob-dev1>badproxy 603 Decline", "badproxy>bob-dev2 INVITE")],
                   "flow": """
alice>badproxy INVITE
badproxy>alice 100 Trying
badproxy>bob-dev1 INVITE
bob-dev1>badproxy 100 Trying
bob-dev1>badproxy 180 Ringing
badproxy>alice 180 Ringing
bob-dev1>badproxy 603 Decline
badproxy>bob-dev1 ACK
badproxy>bob-dev2 INVITE
bob-dev2>badproxy 100 Trying
bob-dev2>badproxy 180 Ringing
badproxy>alice 180 Ringing
bob-dev2>badproxy 486 Busy Here
badproxy>bob-dev2 ACK
badproxy>alice 603 Decline
alice>badproxy ACK"""}],
    },
    "s5-200-after-cancel": {
        "scenario": "S5: alice CANCELs while bob rings; bob answers 200 to the CANCEL and then 200 OK to the "
                    "INVITE instead of 487; alice ACKs and BYEs the unwanted dialog",
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "findings": ["S5"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
alice>bob CANCEL
bob>alice 200 OK
bob>alice 200 OK
alice>bob ACK
alice>bob BYE
bob>alice 200 OK"""}],
    },
    "s6-487-without-cancel": {
        "scenario": "S6: bob rings and then ends the INVITE with 487 Request Terminated although no CANCEL "
                    "(or BYE) was ever sent; alice ACKs",
        "calls": [{"method": "INVITE", "outcome": "rejected", "devices": [("bob", "rejected")], "findings": ["S6"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 487 Request Terminated
alice>bob ACK"""}],
    },
    "s7-cancel-before-provisional": {
        "scenario": "S7: bob is slow and sends nothing; alice CANCELs 500 ms after the INVITE before any "
                    "provisional response; bob answers 200 (CANCEL) and 487; ACK",
        "calls": [{"method": "INVITE", "outcome": "cancelled", "devices": [("bob", "cancelled")], "findings": ["S7"],
                   "flow": """
alice>bob INVITE
alice>bob CANCEL
bob>alice 200 OK
bob>alice 487 Request Terminated
alice>bob ACK"""}],
    },
    "s8-cancel-after-final": {
        "scenario": "S8: bob rings and answers 486 Busy Here; alice ACKs and then still sends a CANCEL for the "
                    "finished INVITE; bob answers the CANCEL 200 (no effect)",
        "calls": [{"method": "INVITE", "outcome": "busy", "devices": [("bob", "busy")], "findings": ["S8"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 486 Busy Here
alice>bob ACK
alice>bob CANCEL
bob>alice 200 OK"""}],
    },
    "s9-cancel-mismatch": {
        "scenario": "S9, two calls: (1) alice's first CANCEL has a different top Via branch than the INVITE, "
                    "bob answers it 481 while the INVITE still rings, the second (correct) CANCEL gets 200 and "
                    "487; (2) a correct CANCEL that bob answers 481 while ringing, then 487 anyway",
        "calls": [
            {"method": "INVITE", "outcome": "cancelled", "devices": [("bob", "cancelled")], "findings": ["S9"],
             "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
alice>bob CANCEL
bob>alice 481 Call/Transaction Does Not Exist
alice>bob CANCEL
bob>alice 200 OK
bob>alice 487 Request Terminated
alice>bob ACK"""},
            {"method": "INVITE", "outcome": "cancelled", "devices": [("bob", "cancelled")], "findings": ["S9"],
             "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
alice>bob CANCEL
bob>alice 481 Call/Transaction Does Not Exist
bob>alice 487 Request Terminated
alice>bob ACK"""},
        ],
    },
    "s10-completed-elsewhere-without-answer": {
        "scenario": "S10: a broken proxy (sipp at 127.0.0.4) forks to bob-dev1 and bob-dev2, both ring; alice "
                    "CANCELs; the proxy answers 200 and CANCELs both branches with 'Reason: SIP;cause=200;"
                    "text=\"Call completed elsewhere\"' although no branch ever sent a 2xx; 487s; 487 to alice",
        "calls": [{"method": "INVITE", "outcome": "cancelled", "strict": False, "findings": ["S10"],
                   "devices": [("bob-dev1", "cancelled"), ("bob-dev2", "cancelled")],
                   "checks": [reason_check("127.0.0.11", 'SIP;cause=200;text="Call completed elsewhere"'),
                              reason_check("127.0.0.12", 'SIP;cause=200;text="Call completed elsewhere"')],
                   "flow": """
alice>badproxy INVITE
badproxy>alice 100 Trying
badproxy>bob-dev1 INVITE
badproxy>bob-dev2 INVITE
bob-dev1>badproxy 100 Trying
bob-dev2>badproxy 100 Trying
bob-dev1>badproxy 180 Ringing
bob-dev2>badproxy 180 Ringing
badproxy>alice 180 Ringing
badproxy>alice 180 Ringing
alice>badproxy CANCEL
badproxy>alice 200 OK
badproxy>bob-dev1 CANCEL
bob-dev1>badproxy 200 OK
bob-dev1>badproxy 487 Request Terminated
badproxy>bob-dev1 ACK
badproxy>bob-dev2 CANCEL
bob-dev2>badproxy 200 OK
bob-dev2>badproxy 487 Request Terminated
badproxy>bob-dev2 ACK
badproxy>alice 487 Request Terminated
alice>badproxy ACK"""}],
    },
    "s12-bye-on-early-dialog": {
        "scenario": "S12: bob rings (180) and then 'rejects' by sending BYE on the early dialog instead of a "
                    "final response; alice answers the BYE 200; bob then ends the INVITE with 487 (legal after "
                    "a BYE); alice ACKs",
        "calls": [{"method": "INVITE", "outcome": "rejected", "devices": [("bob", "rejected")], "findings": ["S12"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice BYE
alice>bob 200 OK
bob>alice 487 Request Terminated
alice>bob ACK"""}],
    },
    "s13-bye-before-ack": {
        "scenario": "S13: bob answers 200 and sends BYE 300 ms later although alice (who holds her ACK back "
                    "for 1 s) has not ACKed yet; alice answers the BYE 200, then sends the late ACK",
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "findings": ["S13"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 200 OK
bob>alice BYE
alice>bob 200 OK
alice>bob ACK"""}],
    },
    "s14-ack-wrong-branch": {
        "scenario": "S14, two calls: bob rings and declines 603; (1) alice's ACK carries a different Via branch "
                    "than the INVITE; (2) alice's ACK carries a To tag that is not the 603's",
        "calls": [
            {"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "findings": ["S14"],
             "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline
alice>bob ACK"""},
            {"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "findings": ["S14"],
             "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline
alice>bob ACK"""},
        ],
    },
    "s15-603-never-acked": {
        "scenario": "S15: bob rings and declines 603 over UDP; alice never ACKs; bob's sipp retransmits the 603 "
                    "(timer G) until it gives up (timer H); the capture runs ~36 s",
        "calls": [{"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "findings": ["S15"],
                   "retransmissions": ">= 5",
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline"""}],
    },
    "s16-reject-without-invite": {
        "scenario": "S16: a clean busy call (INVITE, 100, 486, ACK), then bob sends a stray 486 Busy Here for a "
                    "Call-ID that never had an INVITE",
        "calls": [
            {"method": "INVITE", "outcome": "busy", "devices": [("bob", "busy")], "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 486 Busy Here
alice>bob ACK"""},
            {"method": "INVITE", "outcome": "incomplete", "devices": [], "findings": ["S16"], "flow": """
bob>alice 486 Busy Here"""},
        ],
    },
    "s19-6xx-while-other-device-rings": {
        "scenario": "S19: like fork-decline, but device 2 is already ringing (180 relayed to alice) when "
                    "device 1 declines with 603 (a user-wide 'nobody will answer' while another device rings); "
                    "kamailio CANCELs device 2 with 'Reason: SIP;cause=603', 487, then relays the 603",
        "calls": [reg("bob-dev1"), reg("bob-dev2"), {
            "method": "INVITE", "outcome": "declined", "strict": False, "findings": ["S19"],
            "devices": [("bob-dev1", "declined"), ("bob-dev2", "declined-elsewhere")],
            "before": [("bob-dev2>proxy 180 Ringing", "bob-dev1>proxy 603 Decline"),
                       ("bob-dev1>proxy 603 Decline", "proxy>bob-dev2 CANCEL")],
            "checks": [reason_check("127.0.0.12", "SIP;cause=603")],
            "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev2>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev1>proxy 603 Decline
proxy>bob-dev1 ACK
proxy>bob-dev2 CANCEL
bob-dev2>proxy 200 OK
bob-dev2>proxy 487 Request Terminated
proxy>bob-dev2 ACK
proxy>alice 603 Decline
alice>proxy ACK"""}],
    },
    "s20-cancel-487-to-tag-mismatch": {
        "scenario": "S20: alice CANCELs while bob rings; bob's 200 to the CANCEL carries a different To tag than "
                    "its 180 and 487",
        "calls": [{"method": "INVITE", "outcome": "cancelled", "devices": [("bob", "cancelled")], "findings": ["S20"],
                   "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
alice>bob CANCEL
bob>alice 200 OK
bob>alice 487 Request Terminated
alice>bob ACK"""}],
    },
    "s21-short-body": {
        "scenario": "S21: alice's UDP INVITE says Content-Length: 230 but carries a shorter SDP; bob's sipp is "
                    "lenient and answers; the call then runs normally (ACK, BYE)",
        "capture_checks": [short_body_check],
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "findings": ["S21"],
                   "flow": BASIC}],
    },
    "s4-480-forwarded-over-603": {
        "scenario": "S4: a broken forking proxy (sipp at 127.0.0.4) sends alice's INVITE to bob-dev1 and, once "
                    "it rings, to bob-dev2 (both pending); dev2 is in do-not-disturb and answers 480; dev1 declines "
                    "603; the proxy ACKs both and forwards the 480 Temporarily Unavailable, not the 603",
        "calls": [{"method": "INVITE", "outcome": "rejected", "strict": False, "findings": ["S4"],
                   "devices": [("bob-dev1", "declined"), ("bob-dev2", "rejected")],
                   "before": [("bob-dev1>badproxy 603 Decline", "badproxy>alice 480 Temporarily Unavailable")],
                   "flow": """
alice>badproxy INVITE
badproxy>alice 100 Trying
badproxy>bob-dev1 INVITE
bob-dev1>badproxy 100 Trying
bob-dev1>badproxy 180 Ringing
badproxy>alice 180 Ringing
badproxy>bob-dev2 INVITE
bob-dev2>badproxy 100 Trying
bob-dev2>badproxy 480 Temporarily Unavailable
badproxy>bob-dev2 ACK
bob-dev1>badproxy 603 Decline
badproxy>bob-dev1 ACK
badproxy>alice 480 Temporarily Unavailable
alice>badproxy ACK"""}],
    },
    "s11-rings-after-completed-elsewhere": {
        "scenario": "S11: like fork-answer, but bob-dev2 answers kamailio's CANCEL ('Reason: SIP;cause=200;"
                    "text=\"Call completed elsewhere\"') with 200 and then rings again: it sends its 180 once more "
                    "(the same message, 200 ms later) before its 487; kamailio does not relay that 180 and "
                    "retransmits its CANCEL",
        "calls": [reg("bob-dev1"), reg("bob-dev2"), {
            "method": "INVITE", "outcome": "answered", "strict": False, "findings": ["S11"],
            "devices": [("bob-dev1", "answered"), ("bob-dev2", "answered-elsewhere")],
            "retransmissions": 2,
            "checks": [reason_check("127.0.0.12", 'SIP;cause=200;text="Call completed elsewhere"'),
                       rings_after_cancel_check],
            "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev2>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev1>proxy 200 OK
proxy>alice 200 OK
proxy>bob-dev2 CANCEL
bob-dev2>proxy 200 OK
bob-dev2>proxy 487 Request Terminated
proxy>bob-dev2 ACK
alice>proxy ACK
proxy>bob-dev1 ACK
alice>proxy BYE
proxy>bob-dev1 BYE
bob-dev1>proxy 200 OK
proxy>alice 200 OK"""}],
    },
    "s17-unwanted-dialog-kept": {
        "scenario": "S17: bob's two devices REGISTER; alice (two_dialog_uac.py) calls bob through kamailio, which "
                    "forks; both devices ring and both answer: dev1 (sipp) first, kamailio relays its 200 and "
                    "CANCELs dev2, whose 200 (timed_uas.py, 50 ms later) crosses that CANCEL; dev2 answers the "
                    "CANCEL 200 after its 200 (no effect) and kamailio relays dev2's 200 too; alice ACKs both 2xx, "
                    "talks 34 s on dev1's dialog and BYEs it, but never sends a BYE on dev2's dialog",
        "capture_checks": [covers_check("200 OK", 32)],
        "calls": [reg("bob-dev1"), reg("bob-dev2"), {
            "method": "INVITE", "outcome": "answered", "strict": False, "findings": ["S17"],
            "devices": [("bob-dev1", "answered"), ("bob-dev2", "answered")],
            "before": [("proxy>bob-dev2 CANCEL", "bob-dev2>proxy 200 OK")],
            "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob-dev1 INVITE
proxy>bob-dev2 INVITE
bob-dev1>proxy 100 Trying
bob-dev2>proxy 100 Trying
bob-dev1>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev2>proxy 180 Ringing
proxy>alice 180 Ringing
bob-dev1>proxy 200 OK
proxy>alice 200 OK
proxy>bob-dev2 CANCEL
alice>proxy ACK
proxy>bob-dev1 ACK
bob-dev2>proxy 200 OK
bob-dev2>proxy 200 OK
proxy>alice 200 OK
alice>proxy ACK
proxy>bob-dev2 ACK
alice>proxy BYE
proxy>bob-dev1 BYE
bob-dev1>proxy 200 OK
proxy>alice 200 OK"""}],
    },
    "s22-bye-unknown-dialog": {
        "scenario": "S22: alice sends bob a BYE (with a To tag) for a dialog the capture never shows being set up "
                    "(a Call-ID bob's phone has forgotten); bob answers 481 Call/Transaction Does Not Exist",
        "calls": [{"method": "BYE", "outcome": "rejected", "devices": [("bob", "rejected")], "findings": ["S22"],
                   "flow": """
alice>bob BYE
bob>alice 481 Call/Transaction Does Not Exist"""}],
    },
    "ws-call": {
        "scenario": "bob REGISTERs over UDP; alice, a python SIP-over-WebSocket client (127.0.0.2:50080), REGISTERs with kamailio over "
                    "ws://127.0.0.1:8080 (sub-protocol sip) and calls sip:bob@127.0.0.1; kamailio relays to bob over "
                    "UDP (double Record-Route); bob rings and answers; ACK (in a binary frame), 2 s, BYE, 200; the "
                    "INVITE is sent as a fragmented WebSocket message",
        "names": {"127.0.0.1:8080": "proxy", "127.0.0.2:50080": "alice"},
        "capture_checks": [ws_check],
        "notes": ws_notes,
        "calls": [
            reg_auth("bob"),
            {"method": "REGISTER", "outcome": "answered", "devices": [], "flow": """
alice>proxy REGISTER
proxy>alice 200 OK"""},
            {"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "strict": False,
             "flow": f"""
alice>proxy INVITE
proxy>alice {K100}
proxy>bob INVITE
bob>proxy 100 Trying
bob>proxy 180 Ringing
proxy>alice 180 Ringing
bob>proxy 200 OK
proxy>alice 200 OK
alice>proxy ACK
proxy>bob ACK
alice>proxy BYE
proxy>bob BYE
bob>proxy 200 OK
proxy>alice 200 OK"""},
        ],
    },
    "media-call": {
        "scenario": "alice calls bob directly and both send 2.8 s of PCMU RTP (alice from her ACK, bob from "
                    "his 200) to the ports the other's SDP gave; both streams end before alice's BYE",
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": BASIC,
                   "media": {"alice>bob": "before-bye", "bob>alice": "before-bye"}}],
        "names": {"127.0.0.2:16000": "alice", "127.0.0.3:17000": "bob"},
    },
    "s18-rtp-after-bye": {
        "scenario": "as media-call, but bob's phone keeps sending RTP to alice for about 4 s after alice's BYE "
                    "and its own 200 OK to it (S18: BYE ends the media)",
        "calls": [{"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "flow": BASIC,
                   "media": {"alice>bob": "before-bye", "bob>alice": "after-bye"}, "findings": ["S18"]}],
        "names": {"127.0.0.2:16000": "alice", "127.0.0.3:17000": "bob"},
    },
    "b2bua-linked-legs": {
        "scenario": "a B2BUA (two sipp instances, 127.0.0.5 towards alice, 127.0.0.6 towards bob) takes "
                    "alice's INVITE and places leg B to bob with a new Call-ID, X-Call-ID naming leg A and a "
                    "Session-ID; bob declines leg B, the agent declines leg A; then an unrelated call alice to "
                    "bob, declined, that is linked to nothing",
        "calls": [
            {"method": "INVITE", "outcome": "declined", "devices": [("b2bua-a", "declined")], "linked": [1],
             "flow": """
alice>b2bua-a INVITE
b2bua-a>alice 100 Trying
b2bua-a>alice 180 Ringing
b2bua-a>alice 603 Decline
alice>b2bua-a ACK"""},
            {"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "linked": [0],
             "flow": """
b2bua-b>bob INVITE
bob>b2bua-b 100 Trying
bob>b2bua-b 180 Ringing
bob>b2bua-b 603 Decline
b2bua-b>bob ACK"""},
            {"method": "INVITE", "outcome": "declined", "devices": [("bob", "declined")], "linked": [],
             "flow": """
alice>bob INVITE
bob>alice 100 Trying
bob>alice 180 Ringing
bob>alice 603 Decline
alice>bob ACK"""},
        ],
        "names": {"127.0.0.5:5060": "b2bua-a", "127.0.0.6:5060": "b2bua-b"},
    },
    "transfer-replaces": {
        "scenario": "alice calls bob and they talk; meanwhile carol's INVITE to bob's second line (port 5062) "
                    "carries Replaces naming alice's dialog and Referred-By alice (the last step of an attended "
                    "transfer); bob declines it with 603; alice hangs up",
        "calls": [
            {"method": "INVITE", "outcome": "answered", "devices": [("bob", "answered")], "linked": [1],
             "flow": BASIC},
            {"method": "INVITE", "outcome": "declined", "devices": [("bob-2", "declined")], "linked": [0],
             "flow": """
carol>bob-2 INVITE
bob-2>carol 100 Trying
bob-2>carol 180 Ringing
bob-2>carol 603 Decline
carol>bob-2 ACK"""},
        ],
        "names": {"127.0.0.7:5060": "carol", "127.0.0.3:5062": "bob-2"},
    },
}
