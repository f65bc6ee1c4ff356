#!/usr/bin/env python3
"""Matrix VoIP lab scenarios, driven by make.sh (run inside the lab venv).

Sub-commands (all talk to Synapse on http://127.0.0.1:8008 only):
  register        register @alice:localhost and @bob:localhost through the shared secret
  prepare NAME    fresh room for scenario NAME (alice creates it, bob joins, older lab rooms are
                  left and forgotten); done before the capture starts
  run NAME        the scenario itself with real matrix-nio AsyncClient devices (this is captured):
                  login with fixed device ids, a /sync loop per device, m.call.* events by room_send
  finish NAME     log the devices out (after the capture stopped)
  expect NAME     read NAME.pcap with tshark, cross-check it with what `run` did, write
                  NAME.expect.json (exits non-zero when the wire does not match the scenario)
  tables          print Markdown tables of the expect files (for README.md)
  list            print the scenario names

State (tokens, room ids, run logs) lives in $MATRIX_LAB_STATE, outputs in $MATRIX_LAB_OUT.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from media import rtp_stream, udp_streams  # noqa: E402  (captures/lab/media.py, shared with the XMPP lab)

HS = "http://127.0.0.1:8008"
SERVER = "localhost"
SHARED_SECRET = "sigflow-lab-shared-secret"
STATE = os.environ.get("MATRIX_LAB_STATE", "/tmp/sigflow-matrix-lab")
OUT = os.environ.get("MATRIX_LAB_OUT", os.path.dirname(os.path.abspath(__file__)))
ALICE = f"@alice:{SERVER}"
BOB = f"@bob:{SERVER}"
PASSWORDS = {ALICE: "alice-lab-password", BOB: "bob-lab-password"}
# (device id, user) -- the device ids are fixed and double as party_id
DEVICES = [("alice-laptop", ALICE), ("bob-phone", BOB), ("bob-desktop", BOB)]
SYNC_TIMEOUT_MS = 5000


def log(*a):
    print("[scenarios]", *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# small plain-HTTP helper for set-up work that happens outside the captures
def http(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(HS + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path} -> {e.code} {e.read()[:300]!r}") from None


def q(s):
    return urllib.parse.quote(s, safe="")


def login(user, device_id):
    r = http("POST", "/_matrix/client/v3/login", {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": PASSWORDS[user], "device_id": device_id})
    return r["access_token"]


def cmd_register():
    for user in (ALICE, BOB):
        local = user[1:].split(":")[0]
        nonce = http("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(SHARED_SECRET.encode(), digestmod=hashlib.sha1)
        for part in (nonce, local, PASSWORDS[user], "notadmin"):
            mac.update(part.encode())
            if part != "notadmin":
                mac.update(b"\x00")
        r = http("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": local, "password": PASSWORDS[user],
            "admin": False, "mac": mac.hexdigest()})
        # the registration made a device with a random id: drop it, only the fixed ids exist
        http("POST", "/_matrix/client/v3/logout", {}, token=r["access_token"])
        log("registered", r["user_id"])


# ---------------------------------------------------------------------------------------------
# scenarios
SDP_OFFER = "\r\n".join([
    "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
    "a=group:BUNDLE 0", "a=msid-semantic: WMS alice-stream",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:aLc3", "a=ice-pwd:Xq9sVb2kLmN4pQr7tUw0yZ1a", "a=ice-options:trickle",
    "a=fingerprint:sha-256 3C:4A:9F:21:7B:55:0E:D2:8C:61:AF:13:99:B0:42:7D:E5:18:6A:C3:2F:90:"
    "5B:D4:71:0C:EE:38:A9:64:1D:F7",
    "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=msid:alice-stream alice-audio", "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:0 PCMU/8000",
    "a=ssrc:1001 cname:alicecname", ""])
SDP_ANSWER = "\r\n".join([
    "v=0", "o=- 8120553921746205874 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
    "a=group:BUNDLE 0", "a=msid-semantic: WMS bob-stream",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:bD7k", "a=ice-pwd:Fh2jKl5nPq8sTv1wXy4zAb6c", "a=ice-options:trickle",
    "a=fingerprint:sha-256 A1:7E:C0:33:5D:92:4B:F8:06:2E:D7:69:B1:4C:88:E3:10:5F:A2:97:3B:C6:"
    "0D:74:E9:28:51:BF:6A:13:C4:85",
    "a=setup:active", "a=mid:0", "a=sendrecv", "a=msid:bob-stream bob-audio", "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
    "a=ssrc:2002 cname:bobcname", ""])


def cand(port, prio=2122260223, foundation=1):
    return {"candidate": f"candidate:{foundation} 1 udp {prio} 127.0.0.1 {port} typ host generation 0",
            "sdpMid": "0", "sdpMLineIndex": 0}


END_OF_CANDIDATES = {"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0}


def base(call_id, party, version="1"):
    c = {"call_id": call_id, "version": version}
    if party is not None:
        c["party_id"] = party
    return c


def invite(call_id, lifetime=60000, version="1", invitee=None, party="alice-laptop"):
    c = base(call_id, party, version)
    c["lifetime"] = lifetime
    c["offer"] = {"type": "offer", "sdp": SDP_OFFER}
    if invitee:
        c["invitee"] = invitee
    return c


def answer(call_id, party):
    return dict(base(call_id, party), answer={"type": "answer", "sdp": SDP_ANSWER})


SCENARIOS = {}


def scenario(name, **meta):
    def deco(fn):
        meta.setdefault("gzip", False)
        meta.setdefault("encrypted", False)
        meta.setdefault("info", [])
        SCENARIOS[name] = dict(meta, fn=fn, name=name)
        return fn
    return deco


@scenario("v1-reject", call_id="c-reject-1",
          summary="v1 call: alice invites, bob-phone and bob-desktop ring, bob-phone sends "
                  "m.call.reject, bob-desktop stops ringing (sends nothing), alice ends without "
                  "select_answer (as matrix-js-sdk does)",
          outcome="declined",
          devices={"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
          findings=[], info=["M19"])
async def sc_v1_reject(L, cid):
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid), "invite")
    await L.wait_seen([P, D], cid, "m.call.invite")
    await asyncio.sleep(1.5)                                  # ringing
    await L.send(P, "m.call.reject", base(cid, P.device), "reject")
    await L.wait_seen([D, A], cid, "m.call.reject")           # desktop stops ringing, alice ends


async def _answered_call(L, cid, gzip_note=False):
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid, invitee=BOB), "invite")
    await asyncio.sleep(0.2)
    await L.send(A, "m.call.candidates",
                 dict(base(cid, A.device), candidates=[cand(50010), cand(50012, 1686052607, 2)]), "cand1")
    await asyncio.sleep(0.5)
    await L.send(A, "m.call.candidates", dict(base(cid, A.device), candidates=[END_OF_CANDIDATES]), "cand2")
    await L.wait_seen([P, D], cid, "m.call.candidates", count=2)
    await asyncio.sleep(1.0)                                  # ringing
    await L.send(D, "m.call.answer", answer(cid, D.device), "answer")
    await asyncio.sleep(0.2)
    await L.send(D, "m.call.candidates",
                 dict(base(cid, D.device), candidates=[cand(50020), END_OF_CANDIDATES]), "cand1")
    await L.wait_seen([A], cid, "m.call.answer")
    await L.send(A, "m.call.select_answer", dict(base(cid, A.device), selected_party_id=D.device), "select")
    await L.wait_seen([P, D], cid, "m.call.select_answer")   # phone: answered elsewhere


@scenario("answer-select-hangup", call_id="c-answer-1",
          summary="v1 call with invitee: alice invites and trickles candidates, bob-desktop answers "
                  "and trickles candidates, alice select_answer(bob-desktop), bob-phone stops "
                  "ringing (answered elsewhere), alice hangs up (user_hangup) after ~2 s",
          outcome="answered",
          devices={"bob-desktop": "answered", "bob-phone": "answered-elsewhere"},
          findings=[])
async def sc_answer(L, cid):
    await _answered_call(L, cid)
    await asyncio.sleep(2.0)                                  # in call
    await L.send(L.A, "m.call.hangup", dict(base(cid, L.A.device), reason="user_hangup"), "hangup")
    await L.wait_seen([L.D, L.P], cid, "m.call.hangup")


@scenario("m17-media-after-hangup", call_id="c-m17-1",
          summary="answer-select-hangup with media: after select_answer, RTP (PCMU, 20 ms) flows both ways "
                  "between alice-laptop's first ICE candidate (127.0.0.1:50010) and bob-desktop's "
                  "(127.0.0.1:50020); alice hangs up after ~2 s and her RTP stops, bob-desktop's goes on "
                  "~5 s more (M17: media after the call ended)",
          outcome="answered",
          devices={"bob-desktop": "answered", "bob-phone": "answered-elsewhere"},
          notes="bob-desktop's RTP to alice-laptop outlives alice's m.call.hangup by about 5 s (M17).",
          findings=["M17"])
async def sc_m17(L, cid):
    await _answered_call(L, cid)
    alice_rtp = rtp_stream(50010, 50020, 2.0, STATE)
    desktop_rtp = rtp_stream(50020, 50010, 7.0, STATE)
    await asyncio.sleep(2.2)                                  # in call
    await L.send(L.A, "m.call.hangup", dict(base(cid, L.A.device), reason="user_hangup"), "hangup")
    await L.wait_seen([L.D, L.P], cid, "m.call.hangup")
    while alice_rtp.poll() is None or desktop_rtp.poll() is None:
        await asyncio.sleep(0.1)


@scenario("m17-loser-media", call_id="c-m17-2",
          summary="both bob devices answer (bob-desktop first) and trickle a candidate each (bob-desktop "
                  "127.0.0.1:50020, bob-phone 127.0.0.1:50030) and start RTP to alice-laptop's "
                  "candidate 127.0.0.1:50010; alice select_answer(bob-desktop) and sends RTP to "
                  "bob-desktop; bob-phone's RTP goes on ~4 s after it received the select_answer "
                  "(M17: media of the unselected device); alice hangs up after ~6 s, when the "
                  "other streams have stopped",
          outcome="answered",
          devices={"bob-desktop": "answered", "bob-phone": "answered-elsewhere"},
          notes="bob-phone answered too but was not selected; its RTP to alice-laptop outlives the "
                "select_answer by about 4 s (M17).",
          findings=["M17"])
async def sc_m17_loser(L, cid):
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid, invitee=BOB), "invite")
    await L.send(A, "m.call.candidates", dict(base(cid, A.device), candidates=[cand(50010), END_OF_CANDIDATES]),
                 "cand1")
    await L.wait_seen([P, D], cid, "m.call.candidates")
    await asyncio.sleep(1.0)                                  # ringing
    await L.send(D, "m.call.answer", answer(cid, D.device), "answer")
    await L.send(D, "m.call.candidates", dict(base(cid, D.device), candidates=[cand(50020), END_OF_CANDIDATES]),
                 "cand1")
    desktop_rtp = rtp_stream(50020, 50010, 6.0, STATE)
    await L.send(P, "m.call.answer", answer(cid, P.device), "answer")
    await L.send(P, "m.call.candidates", dict(base(cid, P.device), candidates=[cand(50030), END_OF_CANDIDATES]),
                 "cand1")
    phone_rtp = rtp_stream(50030, 50010, 5.0, STATE)
    await L.wait_seen([A], cid, "m.call.answer", count=2)
    await L.send(A, "m.call.select_answer", dict(base(cid, A.device), selected_party_id=D.device), "select")
    alice_rtp = rtp_stream(50010, 50020, 5.0, STATE)
    await L.wait_seen([P, D], cid, "m.call.select_answer")
    while alice_rtp.poll() is None or desktop_rtp.poll() is None or phone_rtp.poll() is None:
        await asyncio.sleep(0.1)
    await L.send(A, "m.call.hangup", dict(base(cid, A.device), reason="user_hangup"), "hangup")
    await L.wait_seen([D, P], cid, "m.call.hangup")


@scenario("gzip-answer", call_id="c-gzip-1", gzip=True,
          summary="same as answer-select-hangup, but every client sends Accept-Encoding: gzip, so "
                  "Synapse gzips every response body (chunked + gzip)",
          outcome="answered",
          devices={"bob-desktop": "answered", "bob-phone": "answered-elsewhere"},
          findings=[])
async def sc_gzip(L, cid):
    await sc_answer(L, cid)


@scenario("m9-reject-after-select", call_id="c-m9-1",
          summary="v1 call: bob-desktop answers, alice select_answer(bob-desktop); then bob-phone "
                  "sends a late m.call.reject (after it received the select_answer) and alice "
                  "tears the call down with m.call.hangup right after seeing that reject (M9: a "
                  "reject after the selected answer must be disregarded)",
          outcome="answered",
          devices={"bob-desktop": "answered", "bob-phone": "answered-elsewhere"},
          notes="bob-phone's m.call.reject comes after select_answer(bob-desktop) and must be "
                "disregarded; alice's m.call.hangup is sent in reaction to it (M9).",
          findings=["M9"])
async def sc_m9(L, cid):
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid, invitee=BOB), "invite")
    await L.wait_seen([P, D], cid, "m.call.invite")
    await asyncio.sleep(1.0)
    await L.send(D, "m.call.answer", answer(cid, D.device), "answer")
    await L.wait_seen([A], cid, "m.call.answer")
    await L.send(A, "m.call.select_answer", dict(base(cid, A.device), selected_party_id=D.device), "select")
    await L.wait_seen([P, D], cid, "m.call.select_answer")
    await asyncio.sleep(1.0)
    await L.send(P, "m.call.reject", base(cid, P.device), "reject")            # late reject
    await L.wait_seen([A], cid, "m.call.reject")
    await L.send(A, "m.call.hangup", dict(base(cid, A.device), reason="user_hangup"), "hangup")
    await L.wait_seen([D], cid, "m.call.hangup")


@scenario("m1-v0-reject", call_id="c-v0-1",
          summary="alice invites with version 0 (integer, no party_id, like a pre-v1 client); "
                  "bob-phone answers it with m.call.reject (M1: v0 invites are declined with "
                  "m.call.hangup); bob-desktop stops ringing; alice (v0) sends nothing more",
          outcome="incomplete",
          notes="alice is a v0 client: it does not understand m.call.reject and goes on waiting for its "
                "60 s invite lifetime, which the capture does not reach.",
          devices={"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
          findings=["M1"], info=["M19"])
async def sc_m1(L, cid):
    await _v0_invite_rejected(L, cid)


async def _v0_invite_rejected(L, cid):
    """alice invites with version 0 and no party_id; bob-phone rejects with m.call.reject (v1)"""
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid, version=0, party=None), "invite")
    await L.wait_seen([P, D], cid, "m.call.invite")
    await asyncio.sleep(1.5)
    await L.send(P, "m.call.reject", base(cid, P.device), "reject")
    await L.wait_seen([D, A], cid, "m.call.reject")


@scenario("m1-v0-reject-hangup", call_id="c-v0-2",
          summary="alice invites with version 0 (integer, no party_id, like a pre-v1 client); bob-phone "
                  "answers it with m.call.reject (M1: v0 invites are declined with m.call.hangup); "
                  "bob-desktop stops ringing; alice (v0) does not understand the reject and, 1.5 s "
                  "later, hangs up (a v0 m.call.hangup) before any answer",
          outcome="cancelled",
          notes="alice is a v0 client: the v1 m.call.reject goes unheard, and her own m.call.hangup before "
                "any answer decides the call (cancelled).",
          devices={"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
          findings=["M1"], info=["M19"])
async def sc_m1_hangup(L, cid):
    await _v0_invite_rejected(L, cid)
    await asyncio.sleep(1.5)                                  # alice goes on ringing
    await L.send(L.A, "m.call.hangup", base(cid, None, version=0), "hangup")
    await L.wait_seen([L.P, L.D], cid, "m.call.hangup")


@scenario("invite-timeout", call_id="c-timeout-1",
          summary="v1 call with lifetime 10000: both bob devices ring, nobody answers, alice sends "
                  "m.call.hangup reason invite_timeout 10 s after the invite",
          outcome="timed-out",
          devices={"bob-phone": "timed-out", "bob-desktop": "timed-out"},
          findings=[])
async def sc_timeout(L, cid):
    A, P, D = L.A, L.P, L.D
    t0 = time.monotonic()
    await L.send(A, "m.call.invite", invite(cid, lifetime=10000), "invite")
    await L.wait_seen([P, D], cid, "m.call.invite")
    await asyncio.sleep(max(0.0, 10.0 - (time.monotonic() - t0)))
    await L.send(A, "m.call.hangup", dict(base(cid, A.device), reason="invite_timeout"), "hangup")
    await L.wait_seen([P, D], cid, "m.call.hangup")


@scenario("m10-v1-hangup-decline", call_id="c-m10-1",
          summary="v1 call: bob-phone declines with m.call.hangup (reason user_hangup) without "
                  "having answered (M10: v1 callees decline with m.call.reject); bob-desktop stops "
                  "ringing; alice sends nothing more",
          outcome="declined",
          devices={"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
          notes="a matrix-js-sdk caller would ignore this hangup (party_id is not a chosen "
                "opponent) and keep ringing until its invite times out.",
          findings=["M10"])
async def sc_m10(L, cid):
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid), "invite")
    await L.wait_seen([P, D], cid, "m.call.invite")
    await asyncio.sleep(1.5)
    await L.send(P, "m.call.hangup", dict(base(cid, P.device), reason="user_hangup"), "hangup")
    await L.wait_seen([D, A], cid, "m.call.hangup")


@scenario("caller-cancel", call_id="c-cancel-1",
          summary="v1 call: both bob devices ring, alice hangs up (user_hangup) before anyone "
                  "answers",
          outcome="cancelled",
          devices={"bob-phone": "cancelled", "bob-desktop": "cancelled"},
          findings=[])
async def sc_cancel(L, cid):
    A, P, D = L.A, L.P, L.D
    await L.send(A, "m.call.invite", invite(cid), "invite")
    await L.wait_seen([P, D], cid, "m.call.invite")
    await asyncio.sleep(2.0)
    await L.send(A, "m.call.hangup", dict(base(cid, A.device), reason="user_hangup"), "hangup")
    await L.wait_seen([P, D], cid, "m.call.hangup")


@scenario("encrypted-room", call_id="c-e2e-1", encrypted=True,
          summary="v1-reject in an end-to-end encrypted room (nio + vodozemac): keys are uploaded, "
                  "queried and claimed, megolm sessions go out as to-device m.room.encrypted, and "
                  "every m.call.* event travels as m.room.encrypted (type only inside the ciphertext)",
          outcome="declined",
          devices={"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
          findings=[], info=["M19"])
async def sc_e2e(L, cid):
    await sc_v1_reject(L, cid)


# ---------------------------------------------------------------------------------------------
def state_path(name):
    return os.path.join(STATE, name)


def load(name):
    with open(state_path(name)) as f:
        return json.load(f)


def save(name, obj):
    with open(state_path(name), "w") as f:
        json.dump(obj, f, indent=1)


def cmd_prepare(name):
    sc = SCENARIOS[name]
    ta, tb = login(ALICE, "alice-laptop"), login(BOB, "bob-phone")
    for tok in (ta, tb):   # leave every earlier lab room: an initial /sync would replay its calls
        for rid in http("GET", "/_matrix/client/v3/joined_rooms", token=tok)["joined_rooms"]:
            http("POST", f"/_matrix/client/v3/rooms/{q(rid)}/leave", {}, token=tok)
            http("POST", f"/_matrix/client/v3/rooms/{q(rid)}/forget", {}, token=tok)
    body = {"preset": "private_chat", "name": f"sigflow lab {name}", "invite": [BOB]}
    if sc["encrypted"]:
        body["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
    rid = http("POST", "/_matrix/client/v3/createRoom", body, token=ta)["room_id"]
    http("POST", f"/_matrix/client/v3/join/{q(rid)}", {}, token=tb)
    for tok in (ta, tb):
        http("POST", "/_matrix/client/v3/logout", {}, token=tok)
    save(f"{name}.prep.json", {"room_id": rid})
    log(name, "room", rid)


def cmd_finish(name):
    run = load(f"{name}.run.json")
    for dev, info in run["devices"].items():
        try:
            http("POST", "/_matrix/client/v3/logout", {}, token=info["token"])
        except RuntimeError as e:
            log("logout", dev, e)


# ---------------------------------------------------------------------------------------------
# run: real nio clients
class Dev:
    def __init__(self, device, user, gzip, encrypted, store):
        import aiohttp
        from nio import AsyncClient, AsyncClientConfig
        self.device, self.user = device, user
        cfg = AsyncClientConfig(encryption_enabled=encrypted, store_sync_tokens=False,
                                max_limit_exceeded=0, max_timeouts=2)
        kw = {}
        if encrypted:
            os.makedirs(store, exist_ok=True)
            kw["store_path"] = store
        self.client = AsyncClient(HS, user, device_id=device, config=cfg, **kw)
        # Own aiohttp session: aiohttp would send "Accept-Encoding: gzip, deflate" by itself.
        # Plain scenarios send no Accept-Encoding at all (readable bodies); gzip ones ask for gzip.
        if gzip:
            self.client.client_session = aiohttp.ClientSession(headers={"Accept-Encoding": "gzip"})
        else:
            self.client.client_session = aiohttp.ClientSession(skip_auto_headers=["Accept-Encoding"])
        self.seen = []          # (call_id, type, event_id, sender)
        self.syncs = 0
        self.token = None


class Lab:
    def __init__(self, name):
        self.sc = SCENARIOS[name]
        self.name = name
        self.room = load(f"{name}.prep.json")["room_id"]
        store = os.path.join(STATE, "store", name)
        self.devs = [Dev(d, u, self.sc["gzip"], self.sc["encrypted"], os.path.join(store, d))
                     for d, u in DEVICES]
        self.A, self.P, self.D = self.devs
        self.cond = asyncio.Condition()
        self.stop = False
        self.sent = []
        self.t0 = time.time()

    async def send(self, dev, etype, content, short):
        txn = f"{content['call_id']}-{short}"
        kw = {"ignore_unverified_devices": True} if self.sc["encrypted"] else {}
        r = await dev.client.room_send(self.room, etype, content, tx_id=txn, **kw)
        if not hasattr(r, "event_id"):
            raise RuntimeError(f"{dev.device} {etype}: {r}")
        log(f"{time.time() - self.t0:6.2f}s {dev.device:12} sent {etype:22} {r.event_id} txn={txn}")
        self.sent.append({"type": etype, "sender": dev.user, "device": dev.device, "txn_id": txn,
                          "event_id": r.event_id, "content": content, "t": time.time() - self.t0})

    async def wait_seen(self, devs, call_id, etype, count=1, timeout=30):
        def ok():
            return all(sum(1 for s in d.seen if s[0] == call_id and s[1] == etype) >= count
                       for d in devs)
        async with self.cond:
            await asyncio.wait_for(self.cond.wait_for(ok), timeout)

    async def sync_loop(self, dev):
        c = dev.client
        first = True
        while not self.stop:
            r = await c.sync(timeout=0 if first else SYNC_TIMEOUT_MS)
            first = False
            if not hasattr(r, "next_batch"):
                log(dev.device, "sync error", r)
                await asyncio.sleep(0.5)
                continue
            dev.syncs += 1
            for rid, info in r.rooms.join.items():
                for ev in info.timeline.events:
                    src = getattr(ev, "source", {}) or {}
                    et = src.get("type", "")
                    content = src.get("content", {})
                    if et.startswith("m.call.") and isinstance(content, dict):
                        dev.seen.append((content.get("call_id"), et, ev.event_id, src.get("sender")))
                        log(f"{time.time() - self.t0:6.2f}s {dev.device:12} got  {et:22} {ev.event_id}")
                    elif et == "m.room.encrypted":
                        log(dev.device, "could not decrypt", ev.event_id)
            if self.sc["encrypted"]:
                if c.outgoing_to_device_messages:
                    await c.send_to_device_messages()
                if c.should_upload_keys:
                    await c.keys_upload()
                if c.should_query_keys:
                    await c.keys_query()
                if c.should_claim_keys:
                    await c.keys_claim(c.get_users_for_key_claiming())
            async with self.cond:
                self.cond.notify_all()

    async def main(self):
        for d in self.devs:
            r = await d.client.login(PASSWORDS[d.user], device_name=d.device)
            if not hasattr(r, "access_token"):
                raise RuntimeError(f"login {d.device}: {r}")
            assert r.device_id == d.device, r.device_id
            d.token = r.access_token
            log(d.device, "logged in")
        loops = [asyncio.create_task(self.sync_loop(d)) for d in self.devs]
        try:
            async with self.cond:
                await asyncio.wait_for(self.cond.wait_for(lambda: all(d.syncs >= 1 for d in self.devs)), 30)
            if self.sc["encrypted"]:
                # let key upload / device list queries settle before the call starts
                await asyncio.sleep(3)
            await asyncio.sleep(1.0)          # every device is now in its long-poll
            await self.sc["fn"](self, self.sc["call_id"])
            # every event must have reached every device (the sender's own copy included)
            for s in self.sent:
                async with self.cond:
                    await asyncio.wait_for(self.cond.wait_for(
                        lambda: all(any(x[2] == s["event_id"] for x in d.seen) for d in self.devs)), 30)
            await asyncio.sleep(0.5)
        finally:
            self.stop = True
            # the loops end when their current long-poll returns (<= SYNC_TIMEOUT_MS)
            done, pending = await asyncio.wait(loops, timeout=SYNC_TIMEOUT_MS / 1000 + 10)
            for t in pending:
                t.cancel()
            for t in done:
                if t.exception():
                    log("sync loop failed:", repr(t.exception()))
            for d in self.devs:
                await d.client.close()
        save(f"{self.name}.run.json", {
            "room_id": self.room,
            "devices": {d.device: {"user": d.user, "token": d.token} for d in self.devs},
            "sent": self.sent,
            "seen": {d.device: d.seen for d in self.devs}})


def cmd_run(name):
    async def go():
        await Lab(name).main()
    asyncio.run(go())


# ---------------------------------------------------------------------------------------------
# expect: read the capture back with tshark
def tshark_http(pcap):
    fields = ["frame.number", "frame.time_relative", "tcp.stream", "tcp.srcport", "tcp.dstport",
              "tcp.segment", "http.request.method", "http.request.uri", "http.authorization",
              "http.response.code", "http.request_in", "http.content_encoding",
              "http.transfer_encoding", "http.file_data", "http.accept_encoding"]
    cmd = ["tshark", "-r", pcap, "-n",
           "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "http.desegment_headers:TRUE",
           "-o", "http.desegment_body:TRUE", "-o", "http.dechunk_body:TRUE",
           "-o", "http.decompress_body:TRUE",
           "-Y", "http", "-T", "json"] + sum((["-e", f] for f in fields), [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    msgs = []
    for pkt in json.loads(out or "[]"):
        l = pkt["_source"]["layers"]
        g = lambda k: (l.get(k) or [None])[0]
        msgs.append({
            "frame": int(g("frame.number")), "time": float(g("frame.time_relative")),
            "stream": int(g("tcp.stream")), "sport": int(g("tcp.srcport")), "dport": int(g("tcp.dstport")),
            "segments": [int(x) for x in l.get("tcp.segment", [])],
            "method": g("http.request.method"), "uri": g("http.request.uri"),
            "auth": g("http.authorization"), "code": g("http.response.code"),
            "request_in": int(g("http.request_in")) if g("http.request_in") else None,
            "encoding": g("http.content_encoding"), "te": g("http.transfer_encoding"),
            "accept_encoding": g("http.accept_encoding"),
            "body": g("http.file_data")})
    return msgs


def body_json(m):
    b = m["body"]
    if not b:
        return None
    try:
        return json.loads(b)
    except ValueError:
        pass
    try:   # tshark may print the bytes as hex
        return json.loads(bytes.fromhex(b.replace(":", "")).decode())
    except ValueError:
        return None


def cmd_expect(name):
    sc = SCENARIOS[name]
    run = load(f"{name}.run.json")
    pcap = os.path.join(OUT, f"{name}.pcap")
    msgs = tshark_http(pcap)
    by_frame = {m["frame"]: m for m in msgs}
    tok2dev = {v["token"]: k for k, v in run["devices"].items()}
    problems = []

    def dev_of(req):
        a = req.get("auth") or ""
        return tok2dev.get(a.split(" ", 1)[1] if a.startswith("Bearer ") else None)

    def first_frame(m):
        return min(m["segments"]) if m["segments"] else m["frame"]

    # pair requests and responses
    pairs = []
    for m in msgs:
        if m["code"] is not None:
            req = by_frame.get(m["request_in"])
            if req is None:
                problems.append(f"response frame {m['frame']} without request")
                continue
            pairs.append((req, m))
    answered = {req["frame"] for req, _ in pairs}
    unanswered = [m["frame"] for m in msgs if m["method"] and m["frame"] not in answered]

    # logins: token -> device as seen on the wire
    logins = []
    for req, resp in pairs:
        if req["method"] == "POST" and req["uri"].split("?")[0].endswith("/login"):
            j = body_json(resp) or {}
            logins.append({"device": j.get("device_id"), "user": j.get("user_id"),
                           "access_token": j.get("access_token"),
                           "request_frame": req["frame"], "response_frame": resp["frame"]})
            if tok2dev.get(j.get("access_token")) != j.get("device_id"):
                problems.append(f"login frame {resp['frame']}: token/device mismatch")

    # connections per device
    conns = {}
    for req, _ in pairs:
        d = dev_of(req)
        if d is None and req["uri"].split("?")[0].endswith("/login"):
            d = next((l["device"] for l in logins if l["request_frame"] == req["frame"]), None)
        if d:
            conns.setdefault(d, [])
            cp = f"127.0.0.1:{req['sport']}"
            if cp not in conns[d]:
                conns[d].append(cp)

    # PUTs of call events
    sent_by_event = {s["event_id"]: s for s in run["sent"]}
    put_frames = {}
    wire_types = {}
    for req, resp in pairs:
        if req["method"] != "PUT" or "/send/" not in req["uri"]:
            continue
        path = urllib.parse.unquote(req["uri"].split("?")[0])
        etype, txn = path.split("/send/", 1)[1].split("/", 1)
        eid = (body_json(resp) or {}).get("event_id")
        s = sent_by_event.get(eid)
        if s is None:
            problems.append(f"PUT frame {req['frame']} ({etype}) not made by the scenario")
            continue
        if txn != s["txn_id"] or dev_of(req) != s["device"]:
            problems.append(f"PUT frame {req['frame']}: txn/device mismatch")
        if not sc["encrypted"]:
            if etype != s["type"]:
                problems.append(f"PUT frame {req['frame']}: type {etype} != {s['type']}")
            if body_json(req) != s["content"]:
                problems.append(f"PUT frame {req['frame']}: body differs from the sent content")
        put_frames[eid] = (req, resp)
        wire_types[eid] = etype

    # /sync deliveries
    deliveries = {}
    sync_info = []
    push_rule_frames = []
    for req, resp in pairs:
        if req["method"] != "GET" or "/sync" not in req["uri"]:
            continue
        d = dev_of(req)
        j = body_json(resp) or {}
        if resp["encoding"] != ("gzip" if sc["gzip"] else None):
            problems.append(f"sync response frame {resp['frame']}: content-encoding {resp['encoding']}")
        if '"m.call.invite"' in json.dumps(j.get("account_data", {})):
            push_rule_frames.append(resp["frame"])
        ids = []
        for rid, room in (j.get("rooms", {}).get("join", {}) or {}).items():
            tl = room.get("timeline", {})
            if tl.get("limited") and "since=" in req["uri"]:
                problems.append(f"sync frame {resp['frame']}: limited timeline")
            for ev in tl.get("events", []):
                eid = ev.get("event_id")
                if eid in sent_by_event:
                    echo = ev.get("unsigned", {}).get("transaction_id")
                    dl = {"device": d, "frame": resp["frame"], "first_frame": first_frame(resp),
                          "request_frame": req["frame"], "time": round(resp["time"], 6),
                          "src": f"127.0.0.1:{resp['sport']}", "dst": f"127.0.0.1:{resp['dport']}",
                          "age": ev.get("unsigned", {}).get("age")}
                    if echo:
                        dl["unsigned_transaction_id"] = echo
                        if echo != sent_by_event[eid]["txn_id"] or d != sent_by_event[eid]["device"]:
                            problems.append(f"sync frame {resp['frame']}: odd transaction_id echo")
                    deliveries.setdefault(eid, []).append(dl)
                    ids.append(eid)
                    if ev.get("type") != wire_types.get(eid, ev.get("type")):
                        problems.append(f"sync frame {resp['frame']}: type differs from PUT")
                elif ev.get("type", "").startswith("m.call.") or ev.get("type") == "m.room.encrypted":
                    problems.append(f"sync frame {resp['frame']}: unknown call-ish event {eid}")
        sync_info.append({"device": d, "request_frame": req["frame"], "response_frame": resp["frame"],
                          "initial": "since=" not in req["uri"], "call_event_ids": ids})

    events = []
    messages = []
    for s in sorted(run["sent"], key=lambda s: put_frames[s["event_id"]][0]["frame"]
                    if s["event_id"] in put_frames else 1 << 30):
        eid = s["event_id"]
        if eid not in put_frames:
            problems.append(f"event {eid} ({s['type']}) has no PUT in the capture")
            continue
        req, resp = put_frames[eid]
        dls = sorted(deliveries.get(eid, []), key=lambda x: x["frame"])
        got = {x["device"] for x in dls}
        if got != set(run["devices"]):
            problems.append(f"event {eid} ({s['type']}) delivered to {sorted(got)} only")
        e = {"type": s["type"], "sender": s["sender"], "device": s["device"],
             "party_id": s["content"].get("party_id"), "event_id": eid, "txn_id": s["txn_id"],
             "frame": req["frame"], "first_frame": first_frame(req), "time": round(req["time"], 6),
             "src": f"127.0.0.1:{req['sport']}", "dst": f"127.0.0.1:{req['dport']}",
             "response_frame": resp["frame"],
             "deliveries": [{k: v for k, v in x.items() if k not in ("request_frame", "src", "dst", "time")}
                            for x in dls]}
        messages.append({"frame": req["frame"], "src": e["src"], "dst": e["dst"],
                         "label": f"PUT {wire_types[eid]}" + (f" ({s['type']})" if sc["encrypted"] else ""),
                         "event_id": eid, "device": s["device"]})
        for x in dls:
            messages.append({"frame": x["frame"], "src": x["src"], "dst": x["dst"],
                             "label": f"/sync {wire_types[eid]}" + (f" ({s['type']})" if sc["encrypted"] else ""),
                             "event_id": eid, "device": x["device"]})
        if sc["encrypted"]:
            e["wire_type"] = wire_types[eid]
        else:
            for k in ("version", "reason", "selected_party_id", "invitee", "lifetime"):
                if k in s["content"]:
                    e[k] = s["content"][k]
        events.append(e)

    if len(events) != len(run["sent"]):
        problems.append("not every sent event was found")
    # the wire order must be the order the scenario sent them in
    if [e["event_id"] for e in events] != [s["event_id"] for s in run["sent"]]:
        problems.append("PUT order on the wire differs from the scenario's order")

    call = {
        "protocol": "matrix",
        "call_id": sc["call_id"],
        "room_id": run["room_id"],
        "method": "m.call.invite",
        "outcome": sc["outcome"],
        "caller": {"user": ALICE, "device": "alice-laptop"},
        "devices": [{"device": d, "user": BOB, "outcome": o} for d, o in sc["devices"].items()],
        "events": events,
        "messages": sorted(messages, key=lambda m: (m["frame"], m["event_id"])),
        "findings": sc["findings"],
    }
    if sc["info"]:
        call["info_findings"] = sc["info"]
    if sc.get("notes"):
        call["notes"] = sc["notes"]
    media = udp_streams(pcap)
    if media:
        call["media"] = media
    doc = {
        "capture": f"{name}.pcap",
        "scenario": sc["summary"],
        "server": {"homeserver": HS, "server_name": SERVER},
        "gzip": sc["gzip"],
        "encrypted": sc["encrypted"],
        "tokens": {v["token"]: k for k, v in run["devices"].items()},
        "logins": logins,
        "connections": conns,
        "first_sync_push_rule_frames": push_rule_frames,
        "syncs": sync_info,
        "unanswered_requests": unanswered,
        "calls": [call],
    }
    with open(os.path.join(OUT, f"{name}.expect.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    for p in problems:
        log("PROBLEM", name, p)
    log(name, f"{len(events)} call events, {len(msgs)} http messages, {len(problems)} problems")
    if problems:
        sys.exit(1)


def cmd_tables():
    """Markdown tables of every NAME.expect.json (used for README.md after a regeneration)."""
    for name, sc in SCENARIOS.items():
        path = os.path.join(OUT, f"{name}.expect.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            d = json.load(f)
        c = d["calls"][0]
        devs = ", ".join(f"{x['device']} {x['outcome']}" for x in c["devices"])
        info = f", info-level {json.dumps(c['info_findings'])}" if c.get("info_findings") else ""
        print(f"#### `{name}`\n\n{d['scenario']}.\n")
        print(f"Call `{c['call_id']}`: outcome **{c['outcome']}** ({devs}); findings "
              f"{json.dumps(c['findings'])}{info}.\n")
        print("| # | event | sender device (party_id) | PUT frame | /sync response frames (device) |")
        print("|---|---|---|---|---|")
        for i, e in enumerate(c["events"], 1):
            extra = [f"{k}={e[k]}" for k in ("reason", "selected_party_id", "invitee", "lifetime") if k in e]
            if e.get("version") == 0:
                extra.append("version=0 (integer)")
            t = e["type"] + (" " + ", ".join(extra) if extra else "")
            if "wire_type" in e:
                t += f" (on the wire: {e['wire_type']})"
            dl = ", ".join(f"{x['frame']} ({x['device']}{', echo' if 'unsigned_transaction_id' in x else ''})"
                           for x in e["deliveries"])
            print(f"| {i} | {t} | {e['device']} ({e['party_id'] or 'none'}) | {e['frame']} | {dl} |")
        print()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "register":
        cmd_register()
    elif cmd == "tables":
        cmd_tables()
    elif cmd == "list":
        print(" ".join(SCENARIOS))
    elif cmd in ("prepare", "run", "finish", "expect"):
        name = args[0]
        if name not in SCENARIOS:
            sys.exit(f"unknown scenario {name}; known: {' '.join(SCENARIOS)}")
        {"prepare": cmd_prepare, "run": cmd_run, "finish": cmd_finish, "expect": cmd_expect}[cmd](name)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
