#!/usr/bin/env python3
"""XMPP Jingle / JMI lab scenarios for sigflow (run by make.sh, inside the lab venv).

Real slixmpp clients talk to a real Prosody on 127.0.0.1:5222 (plaintext, no TLS):
  alice@lab.example/laptop   (caller, device "alice-laptop")
  bob@lab.example/phone      (callee, device "bob-phone")
  bob@lab.example/desktop    (callee, device "bob-desktop")
Every client enables carbons (XEP-0280) after login. The JMI (XEP-0353) messages and Jingle
(XEP-0166/0167/0176) IQs are built here as raw XML and sent through slixmpp; every Jingle IQ-set is
answered by the receiving client's handler with an IQ result (or an error where the scenario says so).

Subcommands:
  setup          make alice and bob mutual roster contacts (outside any capture)
  run NAME       connect the three devices, play scenario NAME, disconnect; writes STATE/NAME.run.json
  expect NAME    read NAME.pcap with tshark, reassemble the XML streams, write NAME.expect.json
  list           print the scenario names
Env: XMPP_LAB_STATE (state dir, logs and run files), XMPP_LAB_OUT (where the pcaps / expect files live)
"""

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from media import rtp_stream, udp_streams  # noqa: E402  (captures/lab/media.py, shared with the Matrix lab)

DOMAIN = "lab.example"
HOST, PORT = "127.0.0.1", 5222
PASSWORDS = {"alice": "alice-lab-secret", "bob": "bob-lab-secret"}
DEVICES = {  # device name -> (user, resource)
    "alice-laptop": ("alice", "laptop"),
    "bob-phone": ("bob", "phone"),
    "bob-desktop": ("bob", "desktop"),
}
ALICE, BOB = f"alice@{DOMAIN}", f"bob@{DOMAIN}"
ALICE_LAPTOP, BOB_PHONE, BOB_DESKTOP = f"{ALICE}/laptop", f"{BOB}/phone", f"{BOB}/desktop"
JID_DEVICE = {f"{u}@{DOMAIN}/{r}": d for d, (u, r) in DEVICES.items()}

NS_CLIENT = "jabber:client"
NS_STREAM = "http://etherx.jabber.org/streams"
NS_JMI = "urn:xmpp:jingle-message:0"
NS_JMI_ALL = (NS_JMI, "urn:xmpp:jingle:jingle-message:0", "urn:xmpp:jingle:jingle-message:1")
NS_JINGLE = "urn:xmpp:jingle:1"
NS_JINGLE_ERRORS = "urn:xmpp:jingle:errors:1"
NS_RTP = "urn:xmpp:jingle:apps:rtp:1"
NS_RTP_INFO = "urn:xmpp:jingle:apps:rtp:info:1"
NS_ICE = "urn:xmpp:jingle:transports:ice-udp:1"
NS_HINTS = "urn:xmpp:hints"
NS_CARBONS = "urn:xmpp:carbons:2"
NS_FORWARD = "urn:xmpp:forward:0"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"

STATE = os.environ.get("XMPP_LAB_STATE", "/tmp/sigflow-xmpp-lab")
OUT = os.environ.get("XMPP_LAB_OUT", os.path.dirname(os.path.abspath(__file__)))

log = logging.getLogger("lab")


def q(ns, tag):
    return f"{{{ns}}}{tag}"


def local(tag):
    return tag.rsplit("}", 1)[-1]


def ns_of(tag):
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


# ---------------------------------------------------------------------------------------------
# payload builders (the "VoIP client logic")


def reason_el(condition, text=None):
    r = ET.Element(q(NS_JINGLE, "reason"))
    ET.SubElement(r, q(NS_JINGLE, condition))
    if text:
        ET.SubElement(r, q(NS_JINGLE, "text")).text = text
    return r


def rtp_description():
    d = ET.Element(q(NS_RTP, "description"), {"media": "audio"})
    ET.SubElement(d, q(NS_RTP, "payload-type"), {"id": "111", "name": "opus", "clockrate": "48000", "channels": "2"})
    ET.SubElement(d, q(NS_RTP, "payload-type"), {"id": "0", "name": "PCMU", "clockrate": "8000"})
    ET.SubElement(d, q(NS_RTP, "rtcp-mux"))
    return d


def ice_transport(ufrag, pwd, candidates):
    t = ET.Element(q(NS_ICE, "transport"), {"ufrag": ufrag, "pwd": pwd})
    for cid, port, prio in candidates:
        ET.SubElement(t, q(NS_ICE, "candidate"), {
            "component": "1", "foundation": "1", "generation": "0", "id": cid, "ip": "127.0.0.1",
            "network": "0", "port": str(port), "priority": str(prio), "protocol": "udp", "type": "host"})
    return t


def audio_content(creator, ufrag, pwd, candidates, with_description=True):
    c = ET.Element(q(NS_JINGLE, "content"), {"creator": creator, "name": "audio", "senders": "both"})
    if with_description:
        c.append(rtp_description())
    c.append(ice_transport(ufrag, pwd, candidates))
    return c


ALICE_ICE = ("aL1c", "alicelabicepassword0001", [("a-cand-1", 40000, 2130706431), ("a-cand-2", 40002, 2130706175)])
BOB_ICE = ("b0bP", "boblabicepassword000001", [("b-cand-1", 41000, 2130706431)])


# ---------------------------------------------------------------------------------------------
# the client


class Device(slixmpp.ClientXMPP):
    """One slixmpp client = one device. Records everything call-related it receives."""

    def __init__(self, name, recorder, keepalive=None):
        user, resource = DEVICES[name]
        super().__init__(f"{user}@{DOMAIN}/{resource}", PASSWORDS[user],
                         plugin_config={"feature_mechanisms": {"unencrypted_scram": True}})
        self.name = name
        self.full = f"{user}@{DOMAIN}/{resource}"
        self.bare = f"{user}@{DOMAIN}"
        self.recorder = recorder
        # plaintext only: never try direct TLS or STARTTLS (the server offers no STARTTLS anyway)
        self.enable_direct_tls = False
        self.enable_starttls = False
        self.enable_plaintext = True
        if keepalive:
            self.whitespace_keepalive_interval = keepalive
        self.inbox = []  # records of received JMI messages, carbons and Jingle IQ-sets
        self.ready = asyncio.Event()
        self.ended_sids = set()  # sids this device considers ENDED
        self.jingle_policy = None  # callable(record) -> None (result) or dict (error) or "ignore"
        self.after_jingle = None  # callable(record), runs right after the IQ answer went out
        # callable(record) -> list of stanzas written in the SAME write as the IQ result (or None)
        self.piggyback = None
        self.add_event_handler("session_start", self._on_start)
        self.register_handler(Callback("lab-message", MatchXPath(f"{{{NS_CLIENT}}}message"), self._on_message))
        self.register_handler(
            Callback("lab-jingle", MatchXPath(f"{{{NS_CLIENT}}}iq/{{{NS_JINGLE}}}jingle"), self._on_jingle))

    async def _on_start(self, _event):
        await self.get_roster()
        iq = self.Iq()
        iq["type"] = "set"
        iq["id"] = f"carbons-{self.name}"
        iq.append(ET.Element(q(NS_CARBONS, "enable")))
        await iq.send(timeout=10)
        self.send_presence()  # initial presence, priority 0: makes the resource available
        self.ready.set()

    # -- inbound ------------------------------------------------------------------------------
    def _on_message(self, msg):
        xml = msg.xml
        carbon, inner, outer_from = None, xml, msg["from"].full
        for kind in ("sent", "received"):
            wrap = xml.find(q(NS_CARBONS, kind))
            if wrap is not None:
                fwd = wrap.find(q(NS_FORWARD, "forwarded"))
                inner = fwd.find(q(NS_CLIENT, "message")) if fwd is not None else None
                carbon = kind
        if inner is None:
            return
        if carbon and outer_from != self.bare:
            log.warning("%s: ignoring carbon from %s (not own bare JID)", self.name, outer_from)
            return
        jmi = next((c for c in inner if ns_of(c.tag) in NS_JMI_ALL), None)
        if jmi is None:
            return
        rec = {"kind": "jmi", "element": local(jmi.tag), "call_id": jmi.get("id"), "msg_id": inner.get("id"),
               "from": inner.get("from"), "to": inner.get("to"), "carbon": carbon, "t": time.time()}
        self.inbox.append(rec)
        self.recorder.received(self.name, rec)

    def _on_jingle(self, iq):
        if iq["type"] != "set":
            return
        j = iq.xml.find(q(NS_JINGLE, "jingle"))
        rec = {"kind": "jingle", "element": j.get("action"), "call_id": j.get("sid"), "iq_id": iq["id"],
               "from": iq["from"].full, "to": iq["to"].full, "carbon": None, "t": time.time()}
        reason = j.find(q(NS_JINGLE, "reason"))
        if reason is not None and len(reason):
            rec["reason"] = local(reason[0].tag)
        self.inbox.append(rec)
        decision = self.jingle_policy(rec) if self.jingle_policy else None
        if decision == "ignore":
            rec["answer"] = None
        elif decision is None:
            extra = self.piggyback(rec) if self.piggyback else None
            if extra:  # one write, several stanzas (a client with a buffered writer)
                self.send_raw("".join(str(x) for x in [iq.reply(clear=True)] + extra))
            else:
                iq.reply(clear=True).send()
            rec["answer"] = "result"
        else:
            reply = iq.reply(clear=True)
            reply["type"] = "error"
            err = ET.SubElement(reply.xml, q(NS_CLIENT, "error"), {"type": decision.get("type", "cancel")})
            ET.SubElement(err, q(NS_STANZAS, decision["condition"]))
            if decision.get("jingle"):
                ET.SubElement(err, q(NS_JINGLE_ERRORS, decision["jingle"]))
            reply.send()
            rec["answer"] = "error"
        if rec["element"] == "session-terminate":
            self.ended_sids.add(rec["call_id"])
        self.recorder.received(self.name, rec)
        if self.after_jingle:
            self.after_jingle(rec)

    async def wait_for(self, what, timeout=10.0, **match):
        """Wait until a received record matches every key in match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rec in self.inbox:
                if all(rec.get(k) == v for k, v in match.items()):
                    return rec
            await asyncio.sleep(0.02)
        raise RuntimeError(f"{self.name}: timed out waiting for {what} {match}")

    # -- outbound -----------------------------------------------------------------------------
    def jmi(self, to, element, call_id, reason=None, media=("audio",), send=True):
        msg_id = f"{call_id}-{element}-{self.name}"
        m = self.Message()
        m["to"] = to
        m["type"] = "chat"
        m["id"] = msg_id
        el = ET.Element(q(NS_JMI, element), {"id": call_id})
        if element == "propose":
            for medium in media:
                ET.SubElement(el, q(NS_RTP, "description"), {"media": medium})
        if reason:
            el.append(reason_el(reason))
        m.append(el)
        m.append(ET.Element(q(NS_HINTS, "store")))
        if send:
            m.send()
        self.recorder.sent(self.name, {"kind": "jmi", "element": element, "call_id": call_id, "msg_id": msg_id,
                                       "to": to, "reason": reason})
        return msg_id if send else m

    async def jingle(self, to, action, sid, children=(), attrs=None, tag=None):
        iq_id = f"{sid}-{tag or action}"
        iq = self.Iq()
        iq["type"] = "set"
        iq["to"] = to
        iq["id"] = iq_id
        j = ET.Element(q(NS_JINGLE, "jingle"), {"action": action, "sid": sid, **(attrs or {})})
        for c in children:
            j.append(c)
        iq.append(j)
        rec = self.recorder.sent(self.name, {"kind": "jingle", "element": action, "call_id": sid, "iq_id": iq_id,
                                             "to": to})
        try:
            await iq.send(timeout=10)
            rec["answer"] = "result"
        except IqError as e:
            rec["answer"] = "error"
            rec["error"] = e.iq["error"]["condition"]
        except IqTimeout:
            rec["answer"] = None
        if action == "session-terminate":
            self.ended_sids.add(sid)
        return rec["answer"]


class Recorder:
    def __init__(self):
        self.t0 = time.time()
        self.log = []

    def sent(self, device, rec):
        entry = {"event": "sent", "device": device, "t": round(time.time() - self.t0, 3),
                 **{k: v for k, v in rec.items() if k != "t"}}
        self.log.append(entry)
        return entry

    def received(self, device, rec):
        self.log.append({"event": "received", "device": device, "t": round(time.time() - self.t0, 3),
                         **{k: v for k, v in rec.items() if k != "t"}})


async def pause(s=0.3):
    await asyncio.sleep(s)


async def connect_all(recorder, keepalive=None):
    devs = {}
    for name in DEVICES:  # alice-laptop, bob-phone, bob-desktop, one after the other
        d = Device(name, recorder, keepalive=keepalive.get(name) if keepalive else None)
        d.connect(HOST, PORT)
        await asyncio.wait_for(d.ready.wait(), 15)
        devs[name] = d
        await pause(0.4)  # let presence broadcasts settle
    await pause(0.6)
    return devs


async def disconnect_all(devs):
    for d in reversed(list(devs.values())):
        await d.disconnect()
        await pause(0.2)


# ---------------------------------------------------------------------------------------------
# scenarios: each returns the intent (outcome, devices, findings, notes) that goes into expect.json

SCENARIOS = {}


def scenario(name, summary):
    def deco(fn):
        SCENARIOS[name] = (fn, summary)
        return fn
    return deco


async def propose_and_ring(a, p, d, cid, ring=("bob-phone", "bob-desktop")):
    """alice proposes to bob's bare JID; both resources receive it; the named ones send ringing."""
    a.jmi(BOB, "propose", cid)
    await p.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await d.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await pause()
    for name in ring:
        dev = p if name == "bob-phone" else d
        other = d if dev is p else p
        dev.jmi(ALICE_LAPTOP, "ringing", cid)
        await wait_from(a, "ringing", cid, dev.full)
        await wait_carbon(other, "ringing", cid)  # the other resource sees the carbon <sent> copy
        await pause()


async def wait_from(dev, element, cid, sender, carbon=None, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for rec in dev.inbox:
            if rec["element"] == element and rec["call_id"] == cid and rec["from"] == sender \
                    and rec["carbon"] == carbon:
                return rec
        await asyncio.sleep(0.02)
    raise RuntimeError(f"{dev.name}: no {element} {cid} from {sender} (carbon={carbon})")


async def wait_carbon(dev, element, cid, kind="sent"):
    return await dev.wait_for(f"{element} carbon", element=element, call_id=cid, carbon=kind)


async def proceed_from_phone(a, p, d, cid):
    p.jmi(ALICE_LAPTOP, "proceed", cid)
    await wait_from(a, "proceed", cid, BOB_PHONE)
    await wait_carbon(d, "proceed", cid)  # bob-desktop stops ringing: answered elsewhere
    await pause()


async def initiate(a, p, cid):
    ans = await a.jingle(BOB_PHONE, "session-initiate", cid,
                         [audio_content("initiator", *ALICE_ICE)], {"initiator": ALICE_LAPTOP})
    assert ans == "result", ans
    await pause()


def idle_policy(dev):
    """A correct client: unknown-session for anything after it considers the session ENDED."""
    def policy(rec):
        if rec["call_id"] in dev.ended_sids:
            return {"type": "cancel", "condition": "item-not-found", "jingle": "unknown-session"}
        return None
    return policy


@scenario("jmi-reject", "JMI: alice proposes to bob's bare JID, bob-phone and bob-desktop ring, bob-phone "
                        "rejects (<decline/>), bob-desktop learns it from the carbon <sent> copy")
async def sc_jmi_reject(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "jmi-reject-1"
    await propose_and_ring(a, p, d, cid)
    p.jmi(ALICE_LAPTOP, "reject", cid, reason="decline")
    await wait_from(a, "reject", cid, BOB_PHONE)
    await wait_carbon(d, "reject", cid)  # bob-desktop stops ringing
    await pause()
    return {"call_id": cid, "outcome": "declined",
            "devices": {"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
            "findings": [],
            "notes": "No <finish> after a reject (XEP-0353 only asks for finish after a session)."}


@scenario("jmi-reject-busy", "JMI: alice proposes to bob's bare JID, bob-phone and bob-desktop ring, bob-phone "
                             "rejects with <busy/> (the reason XEP-0353 asks every client to give when declining), "
                             "bob-desktop learns it from the carbon <sent> copy")
async def sc_jmi_reject_busy(devs):
    return await reject_on_one_resource(devs, "jmi-reject-busy-1", "bob-phone", "busy")


@scenario("jmi-reject-no-reason", "JMI: alice proposes to bob's bare JID, bob-phone and bob-desktop ring, "
                                  "bob-desktop rejects with no <reason> at all (as Conversations, Dino and Movim "
                                  "do), bob-phone learns it from the carbon <sent> copy")
async def sc_jmi_reject_no_reason(devs):
    return await reject_on_one_resource(devs, "jmi-reject-none-1", "bob-desktop", None)


async def reject_on_one_resource(devs, cid, rejecter, reason):
    """Both of bob's resources ring; `rejecter` sends <reject> (with `reason`, or none), the other
    resource stops ringing on the carbon copy. XEP-0353 reads <busy/> and no reason as the user's
    decline."""
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    await propose_and_ring(a, p, d, cid)
    dev, other = (p, d) if rejecter == "bob-phone" else (d, p)
    dev.jmi(ALICE_LAPTOP, "reject", cid, reason=reason)
    await wait_from(a, "reject", cid, dev.full)
    await wait_carbon(other, "reject", cid)  # the other resource stops ringing
    await pause()
    said = f"<reason><{reason}/></reason>" if reason else "no <reason> element"
    return {"call_id": cid, "outcome": "declined",
            "devices": {rejecter: "declined", other.name: "declined-elsewhere"},
            # X9 is info-level: XEP-0353 says a reject SHOULD carry a reason, and this one has none on purpose
            "findings": [] if reason else ["X9"],
            "notes": f"The reject carries {said}: a decline (XEP-0353 §3), not busy. No <finish> after a reject."}


@scenario("jingle-decline", "JMI propose, bob-phone proceeds (bob-desktop gets the carbon), alice sends the "
                            "Jingle session-initiate (sid = JMI id), bob-phone acks it and declines with "
                            "session-terminate <decline/>, alice acks")
async def sc_jingle_decline(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "jingle-decline-1"
    a.jmi(BOB, "propose", cid)
    await p.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await d.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await pause()
    await proceed_from_phone(a, p, d, cid)
    await initiate(a, p, cid)
    ans = await p.jingle(ALICE_LAPTOP, "session-terminate", cid, [reason_el("decline")])
    assert ans == "result", ans
    await pause()
    return {"call_id": cid, "outcome": "declined",
            "devices": {"bob-phone": "declined", "bob-desktop": "answered-elsewhere"},
            "findings": [],
            "notes": "bob-desktop stopped ringing on the carbon of bob-phone's <proceed/>; the decline is a "
                     "Jingle session-terminate in PENDING (before session-accept), which is allowed. No JMI "
                     "<finish> is sent (no session was established)."}


@scenario("jingle-accept-terminate", "JMI propose, both ring, bob-phone proceeds; Jingle session-initiate, "
                                     "session-info <ringing/>, session-accept, transport-info, 3 s of call, "
                                     "alice ends with session-terminate <success/>; both send JMI <finish>")
async def sc_jingle_accept(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "jingle-accept-1"
    await propose_and_ring(a, p, d, cid)
    await proceed_from_phone(a, p, d, cid)
    await initiate(a, p, cid)
    ringing = ET.Element(q(NS_RTP_INFO, "ringing"))
    assert await p.jingle(ALICE_LAPTOP, "session-info", cid, [ringing], tag="session-info-ringing") == "result"
    await pause(0.8)
    assert await p.jingle(ALICE_LAPTOP, "session-accept", cid, [audio_content("initiator", *BOB_ICE)],
                          {"responder": BOB_PHONE}) == "result"
    await pause()
    trickle = audio_content("initiator", ALICE_ICE[0], ALICE_ICE[1], [("a-cand-3", 40004, 1694498815)],
                            with_description=False)
    assert await a.jingle(BOB_PHONE, "transport-info", cid, [trickle]) == "result"
    await asyncio.sleep(3.2)  # the "call"; alice's whitespace keepalive (every 1 s) goes out meanwhile
    # bob-phone acks the terminate and at once sends its JMI <finish/>, both in ONE TCP write (like a
    # client with a buffered writer); Prosody then delivers both to alice in one segment.
    # alice sends her <finish/> when her terminate is acked.
    p.piggyback = lambda rec: [p.jmi(ALICE_LAPTOP, "finish", cid, reason="success", send=False)] \
        if rec["element"] == "session-terminate" else None
    assert await a.jingle(BOB_PHONE, "session-terminate", cid, [reason_el("success")]) == "result"
    a.jmi(BOB_PHONE, "finish", cid, reason="success")
    await wait_from(a, "finish", cid, BOB_PHONE)
    await wait_from(p, "finish", cid, ALICE_LAPTOP)
    await wait_carbon(d, "finish", cid, kind="sent")
    await wait_carbon(d, "finish", cid, kind="received")
    await pause()
    return {"call_id": cid, "outcome": "answered",
            "devices": {"bob-phone": "answered", "bob-desktop": "answered-elsewhere"},
            "findings": [],
            "notes": "alice-laptop sends a whitespace keepalive (a single space between stanzas) every second "
                     "in this capture. bob-phone writes its IQ result to session-terminate and its JMI <finish/> "
                     "in one TCP segment, and Prosody delivers both to alice in one segment (see "
                     "packed_frames). No RTP is sent (signaling only)."}


@scenario("x5-accept-after-terminate", "JMI propose, bob-phone proceeds, session-initiate acked; alice "
                                       "cancels with session-terminate <cancel/> (acked), then bob-phone still "
                                       "sends session-accept for the same sid and alice answers it with an "
                                       "IQ result instead of unknown-session")
async def sc_x5(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "x5-1"
    a.jmi(BOB, "propose", cid)
    await p.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await d.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await pause()
    await proceed_from_phone(a, p, d, cid)
    await initiate(a, p, cid)
    assert await a.jingle(BOB_PHONE, "session-terminate", cid, [reason_el("cancel")]) == "result"
    await pause()
    # bob-phone's buggy UI accepts anyway; alice's sloppy client acks it with a plain result
    a.jingle_policy = lambda rec: None
    ans = await p.jingle(ALICE_LAPTOP, "session-accept", cid, [audio_content("initiator", *BOB_ICE)],
                         {"responder": BOB_PHONE})
    assert ans == "result", ans
    await pause()
    return {"call_id": cid, "outcome": "cancelled",
            "devices": {"bob-phone": "cancelled", "bob-desktop": "answered-elsewhere"},
            "findings": ["X5", "X6"],
            "late_accept_answer": "result",
            "notes": "session-accept after session-terminate (X6); alice acks it with a plain IQ result instead "
                     "of item-not-found + <unknown-session/> (X5). The call stays cancelled: the terminate "
                     "came first."}


@scenario("jmi-retract", "JMI propose to bob's bare JID, both resources ring, alice retracts with "
                         "<reason><cancel/></reason> before anyone answers")
async def sc_retract(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "jmi-retract-1"
    await propose_and_ring(a, p, d, cid)
    a.jmi(BOB, "retract", cid, reason="cancel")
    await p.wait_for("retract", element="retract", call_id=cid, carbon=None)
    await d.wait_for("retract", element="retract", call_id=cid, carbon=None)
    await pause()
    return {"call_id": cid, "outcome": "cancelled",
            "devices": {"bob-phone": "cancelled", "bob-desktop": "cancelled"},
            "findings": [],
            "notes": "The retract goes to bob's bare JID like the propose, so both resources get it directly."}


@scenario("x2-proceed-after-reject", "JMI propose, both ring, bob-phone rejects (<decline/>), bob-desktop "
                                     "gets the carbon but still sends <proceed/> for the same id")
async def sc_x2(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "x2-1"
    await propose_and_ring(a, p, d, cid)
    p.jmi(ALICE_LAPTOP, "reject", cid, reason="decline")
    await wait_from(a, "reject", cid, BOB_PHONE)
    await wait_carbon(d, "reject", cid)
    await pause()
    d.jmi(ALICE_LAPTOP, "proceed", cid)
    await wait_from(a, "proceed", cid, BOB_DESKTOP)
    await wait_carbon(p, "proceed", cid)
    await pause()
    return {"call_id": cid, "outcome": "declined",
            "devices": {"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
            "findings": ["X2"],
            "notes": "alice ignores the late <proceed/> (no session-initiate follows): the reject came first "
                     "and is user-wide."}


@scenario("x7-initiator-declines", "JMI propose, bob-phone proceeds, session-initiate acked, then alice (the "
                                   "initiator) ends it with session-terminate <decline/>")
async def sc_x7(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "x7-1"
    a.jmi(BOB, "propose", cid)
    await p.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await d.wait_for("propose", element="propose", call_id=cid, carbon=None)
    await pause()
    await proceed_from_phone(a, p, d, cid)
    await initiate(a, p, cid)
    assert await a.jingle(BOB_PHONE, "session-terminate", cid, [reason_el("decline")]) == "result"
    await pause()
    return {"call_id": cid, "outcome": "cancelled",
            "devices": {"bob-phone": "cancelled", "bob-desktop": "answered-elsewhere"},
            "findings": ["X7"],
            "notes": "<decline/> is a responder's reason; sent by the initiator before session-accept it "
                     "means the caller gave up (cancelled)."}


@scenario("x1-reject-without-propose", "bob-phone sends a JMI <reject> for an id that was never proposed; "
                                       "bob-desktop gets the carbon, alice ignores it")
async def sc_x1(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "x1-ghost-1"
    p.jmi(ALICE_LAPTOP, "reject", cid, reason="decline")
    await wait_from(a, "reject", cid, BOB_PHONE)
    await wait_carbon(d, "reject", cid)
    await pause()
    return {"call_id": cid, "outcome": "incomplete",
            "devices": {"bob-phone": "declined", "bob-desktop": "declined-elsewhere"},
            "findings": ["X1"],
            "notes": "No <propose> with this id exists anywhere in the capture; outcome 'incomplete' because "
                     "there is no offer."}


KEEPALIVE = {"jingle-accept-terminate": {"alice-laptop": 1}}


@scenario("x13-media-after-terminate", "JMI propose, bob-phone proceeds; Jingle session-initiate and "
                                       "session-accept with ICE-UDP host candidates (alice 40000, bob 41000); "
                                       "RTP both ways between the candidates; alice ends with session-terminate "
                                       "<success/> after 2 s, her RTP stops, bob-phone's goes on ~5 s more")
async def sc_x13(devs):
    a, p, d = devs["alice-laptop"], devs["bob-phone"], devs["bob-desktop"]
    cid = "x13-1"
    await propose_and_ring(a, p, d, cid)
    await proceed_from_phone(a, p, d, cid)
    await initiate(a, p, cid)
    assert await p.jingle(ALICE_LAPTOP, "session-accept", cid, [audio_content("initiator", *BOB_ICE)],
                          {"responder": BOB_PHONE}) == "result"
    alice_rtp = rtp_stream(40000, 41000, 2.0, STATE)
    bob_rtp = rtp_stream(41000, 40000, 7.0, STATE)
    await asyncio.sleep(2.2)
    assert await a.jingle(BOB_PHONE, "session-terminate", cid, [reason_el("success")]) == "result"
    while alice_rtp.poll() is None or bob_rtp.poll() is None:
        await asyncio.sleep(0.1)
    await pause()
    return {"call_id": cid, "outcome": "answered",
            "devices": {"bob-phone": "answered", "bob-desktop": "answered-elsewhere"},
            "findings": ["X13"],
            "notes": "RTP (PCMU, 20 ms) between the ICE host candidates: alice 127.0.0.1:40000 -> bob "
                     "127.0.0.1:41000 for 2 s, bob -> alice for 7 s, so bob's stream outlives alice's "
                     "session-terminate by about 5 s (X13). No JMI <finish> is sent."}


async def run_scenario(name):
    fn, summary = SCENARIOS[name]
    rec = Recorder()
    devs = await connect_all(rec, KEEPALIVE.get(name))
    for d in devs.values():
        d.jingle_policy = idle_policy(d)
    rec.log.append({"event": "scenario-start", "t": round(time.time() - rec.t0, 3)})
    intent = await fn(devs)
    rec.log.append({"event": "scenario-end", "t": round(time.time() - rec.t0, 3)})
    await pause(0.5)
    await disconnect_all(devs)
    intent["summary"] = summary
    with open(os.path.join(STATE, f"{name}.run.json"), "w") as f:
        json.dump({"scenario": name, "intent": intent, "log": rec.log}, f, indent=1)


async def setup_roster():
    """alice and bob become mutual contacts (subscription both). Not captured."""
    rec = Recorder()
    a = Device("alice-laptop", rec)
    b = Device("bob-phone", rec)
    for d in (a, b):
        d.connect(HOST, PORT)
        await asyncio.wait_for(d.ready.wait(), 15)
    a.send_presence_subscription(pto=BOB)  # bob's slixmpp auto-authorizes and subscribes back
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if a.client_roster[BOB]["subscription"] == "both" and b.client_roster[ALICE]["subscription"] == "both":
            break
        await asyncio.sleep(0.1)
    else:
        raise RuntimeError("roster subscription did not complete")
    await pause(0.5)
    for d in (a, b):
        await d.disconnect()


# ---------------------------------------------------------------------------------------------
# expect: read the capture back with tshark and reassemble the XML streams


def tshark_segments(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-n", "-Y", "tcp", "-o", "tcp.relative_sequence_numbers:TRUE", "-T", "fields",
         "-E", "separator=\t", "-e", "frame.number", "-e", "frame.time_relative", "-e", "ip.src", "-e",
         "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "tcp.seq", "-e", "tcp.flags.syn", "-e",
         "tcp.flags.fin", "-e", "tcp.payload"],
        check=True, capture_output=True, text=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split("\t")
        segs.append({"frame": int(f[0]), "time": float(f[1]), "src": f"{f[2]}:{f[3]}", "dst": f"{f[4]}:{f[5]}",
                     "seq": int(f[6]), "syn": f[7] in ("1", "True"), "fin": f[8] in ("1", "True"),
                     "payload": bytes.fromhex(f[9].replace(":", "")) if len(f) > 9 and f[9] else b""})
    return segs


class DirectionParser:
    """Incremental XML over one direction of one TCP connection, with stream restarts."""

    def __init__(self, conn, direction):
        self.conn, self.direction = conn, direction
        self.expect_seq = None
        self.stanzas = []  # dicts with element, frames, raw
        self.headers = []  # frames of <stream:stream> headers
        self.keepalive_frames = []
        self.close_frame = None
        self.restarts = 0
        self._new()

    def _new(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.cur_start = None

    def feed(self, seg):
        data = seg["payload"]
        if self.expect_seq is not None and seg["seq"] < self.expect_seq:  # retransmission / overlap
            data = data[self.expect_seq - seg["seq"]:]
        if not data:
            return
        self.expect_seq = seg["seq"] + len(seg["payload"])
        frame = seg["frame"]
        between = self.depth <= 1 and self.cur_start is None
        if between and data.strip() == b"":
            self.keepalive_frames.append(frame)
        if between and self.depth == 1 and data.lstrip().startswith((b"<?xml", b"<stream:stream")):
            self._new()  # stream restart (after SASL success)
            self.restarts += 1
        self.parser.feed(data)
        for ev, el in self.parser.read_events():
            if ev == "start":
                self.depth += 1
                if self.depth == 1:
                    self.headers.append(frame)
                elif self.depth == 2:
                    self.cur_start = frame
            else:
                if self.depth == 2:
                    self.stanzas.append({"el": el, "first_frame": self.cur_start, "frame": frame,
                                         "time": seg["time"], "conn": self.conn, "dir": self.direction,
                                         "src": seg["src"], "dst": seg["dst"]})
                    self.cur_start = None
                elif self.depth == 1:
                    self.close_frame = frame
                self.depth -= 1
        if self.direction == "from-server" and self.stanzas and local(self.stanzas[-1]["el"].tag) == "success" \
                and ns_of(self.stanzas[-1]["el"].tag) == NS_SASL and self.depth == 1 \
                and not self.stanzas[-1].get("restart_done"):
            self.stanzas[-1]["restart_done"] = True
            self._new()  # the server's next bytes are a new stream header
            self.restarts += 1


def element_info(el):
    """Describe a stanza: JMI / Jingle / IQ result etc. Returns dict or None when not call-related."""
    tag = local(el.tag)
    if tag == "message":
        carbon, inner = None, el
        for kind in ("sent", "received"):
            w = el.find(q(NS_CARBONS, kind))
            if w is not None:
                carbon = kind
                fwd = w.find(q(NS_FORWARD, "forwarded"))
                inner = fwd.find(q(NS_CLIENT, "message"))
        jmi = next((c for c in inner if ns_of(c.tag) in NS_JMI_ALL), None)
        if jmi is None:
            return None
        info = {"stanza": "message", "type": inner.get("type"), "id": inner.get("id"),
                "element": local(jmi.tag), "ns": ns_of(jmi.tag), "call_id": jmi.get("id"),
                "inner_from": inner.get("from"), "inner_to": inner.get("to"), "carbon": carbon,
                "store_hint": inner.find(q(NS_HINTS, "store")) is not None}
        r = jmi.find(q(NS_JINGLE, "reason"))
        if r is not None and len(r):
            info["reason"] = local(r[0].tag)
        if carbon:
            info["outer_from"], info["outer_to"] = el.get("from"), el.get("to")
        media = [d.get("media") for d in jmi.findall(q(NS_RTP, "description"))]
        if media:
            info["media"] = media
        return info
    if tag == "iq":
        j = el.find(q(NS_JINGLE, "jingle"))
        if j is not None:
            info = {"stanza": "iq", "type": el.get("type"), "id": el.get("id"), "element": j.get("action"),
                    "ns": NS_JINGLE, "call_id": j.get("sid"), "carbon": None}
            r = j.find(q(NS_JINGLE, "reason"))
            if r is not None and len(r):
                info["reason"] = local(r[0].tag)
            for attr in ("initiator", "responder"):
                if j.get(attr):
                    info[attr] = j.get(attr)
            if j.find(q(NS_RTP_INFO, "ringing")) is not None:
                info["info"] = "ringing"
            cands = [f'{c.get("ip")}:{c.get("port")}' for c in j.iter(q(NS_ICE, "candidate"))]
            if cands:
                info["candidates"] = cands
            pts = [f'{p.get("id")} {p.get("name")}/{p.get("clockrate")}' for p in j.iter(q(NS_RTP, "payload-type"))]
            if pts:
                info["payload_types"] = pts
            return info
        if el.get("type") in ("result", "error"):
            info = {"stanza": "iq", "type": el.get("type"), "id": el.get("id"), "element": el.get("type"),
                    "carbon": None}
            err = el.find(q(NS_CLIENT, "error"))
            if err is not None:
                info["error"] = [local(c.tag) for c in err]
            return info  # kept only when it answers a Jingle IQ-set (checked by the caller)
    return None


def build_expect(name):
    pcap = os.path.join(OUT, f"{name}.pcap")
    with open(os.path.join(STATE, f"{name}.run.json")) as f:
        run = json.load(f)
    intent = run["intent"]
    segs = tshark_segments(pcap)
    server = f"{HOST}:{PORT}"
    parsers = {}
    conn_order = []
    syn_frames = {}
    for s in segs:
        client = s["dst"] if s["src"] == server else s["src"]
        if s["syn"] and client not in syn_frames:
            syn_frames[client] = s["frame"]
        if client not in parsers:
            parsers[client] = {"to-server": DirectionParser(client, "to-server"),
                               "from-server": DirectionParser(client, "from-server")}
            conn_order.append(client)
        parsers[client]["from-server" if s["src"] == server else "to-server"].feed(s)

    # connection -> bound JID (from the bind result), SASL mechanism, carbons, features
    conns = {}
    for client in conn_order:
        info = {"client": client, "server": server, "syn_frame": syn_frames.get(client)}
        up, down = parsers[client]["to-server"], parsers[client]["from-server"]
        for st in down.stanzas:
            el = st["el"]
            b = el.find(f"{q(NS_BIND, 'bind')}/{q(NS_BIND, 'jid')}")
            if local(el.tag) == "iq" and b is not None:
                info["jid"], info["bind_result_frame"] = b.text, st["frame"]
            if local(el.tag) == "features":
                feats = [local(c.tag) for c in el]
                info.setdefault("features", []).append({"frame": st["frame"], "children": feats})
                if el.find(q(NS_TLS, "starttls")) is not None:
                    info["starttls_offered"] = True
                mechs = el.find(q(NS_SASL, "mechanisms"))
                if mechs is not None:
                    info["sasl_mechanisms_offered"] = [m.text for m in mechs]
            if local(el.tag) == "success" and ns_of(el.tag) == NS_SASL:
                info["sasl_success_frame"] = st["frame"]
            if local(el.tag) == "iq" and el.get("id", "").startswith("carbons-") and el.get("type") == "result":
                info["carbons_enabled_frame"] = st["frame"]
        for st in up.stanzas:
            el = st["el"]
            if local(el.tag) == "auth" and ns_of(el.tag) == NS_SASL:
                info["sasl_mechanism"], info["sasl_auth_frame"] = el.get("mechanism"), st["frame"]
            if local(el.tag) == "iq" and el.find(q(NS_CARBONS, "enable")) is not None:
                info["carbons_enable_frame"] = st["frame"]
        info.setdefault("starttls_offered", False)
        info["device"] = JID_DEVICE.get(info.get("jid"))
        info["stream_headers"] = {"to-server": up.headers, "from-server": down.headers}
        info["stream_restarts"] = {"to-server": up.restarts, "from-server": down.restarts}
        info["whitespace_keepalive_frames"] = {"to-server": up.keepalive_frames,
                                               "from-server": down.keepalive_frames}
        info["stream_close_frames"] = {"to-server": up.close_frame, "from-server": down.close_frame}
        conns[client] = info

    # every stanza, in capture order
    allst = []
    for client in conn_order:
        for d in ("to-server", "from-server"):
            allst.extend(parsers[client][d].stanzas)
    allst.sort(key=lambda s: (s["frame"], s["first_frame"]))

    # packing: frames that complete more than one top-level element
    per_frame = {}
    for st in allst:
        per_frame.setdefault((st["frame"], st["dir"]), []).append(local(st["el"].tag))
    packed = [{"frame": fr, "direction": d, "elements": els} for (fr, d), els in sorted(per_frame.items())
              if len(els) > 1]
    split = [{"first_frame": st["first_frame"], "frame": st["frame"], "element": local(st["el"].tag)}
             for st in allst if st["first_frame"] != st["frame"]]

    jingle_sets = {}  # iq id -> action, sid
    stanzas = []
    for st in allst:
        info = element_info(st["el"])
        if info is None:
            continue
        c = conns[st["conn"]]
        el = st["el"]
        wire_from, wire_to = el.get("from"), el.get("to")
        if info["stanza"] == "iq" and info["type"] == "set":
            jingle_sets[info["id"]] = (info["element"], info["call_id"])
        elif info["stanza"] == "iq":
            if info["id"] not in jingle_sets:
                continue
            info["answers"], info["call_id"] = jingle_sets[info["id"]]
        if info.get("carbon"):
            frm, to = info["inner_from"], info["inner_to"]
        else:
            frm = wire_from or (c["jid"] if st["dir"] == "to-server" else None)
            to = wire_to or (c["jid"] if st["dir"] == "from-server" else None)
        entry = {"frame": st["frame"]}
        if st["first_frame"] != st["frame"]:
            entry["first_frame"] = st["first_frame"]
        entry.update({"time": round(st["time"], 6), "direction": st["dir"], "connection": c["device"],
                      "src": st["src"], "dst": st["dst"], "from": frm, "to": to,
                      "wire_from": wire_from, "wire_to": wire_to})
        for k in ("inner_from", "inner_to"):
            info.pop(k, None)
        entry.update(info)
        stanzas.append(entry)

    # cross-check against what the clients did
    problems = cross_check(run, stanzas)
    if problems:
        for p in problems:
            print(f"[expect {name}] MISMATCH: {p}", file=sys.stderr)
        raise SystemExit(f"{name}: capture does not match the scenario")

    cid = intent["call_id"]
    calls_stanzas = [s for s in stanzas if s["call_id"] == cid]
    others = [s for s in stanzas if s["call_id"] != cid]
    if others:
        raise SystemExit(f"{name}: unexpected call ids on the wire: {sorted({s['call_id'] for s in others})}")

    def label(s):
        if s["stanza"] == "iq" and s["type"] in ("result", "error"):
            return f"iq {s['type']} ({s['answers']})"
        if s["stanza"] == "iq":
            return f"iq set {s['element']}" + (f" <{s['info']}/>" if s.get("info") else "") + \
                (f" <{s['reason']}/>" if s.get("reason") else "")
        lab = s["element"] + (f" <{s['reason']}/>" if s.get("reason") else "")
        return f"carbon {s['carbon']} {lab}" if s.get("carbon") else lab

    messages = [{"frame": s["frame"], "src": s["src"], "dst": s["dst"], "label": label(s),
                 "device": s["connection"], "from": s["from"], "to": s["to"]} for s in calls_stanzas]
    devices = [{"device": dev, "jid": f"{DEVICES[dev][0]}@{DOMAIN}/{DEVICES[dev][1]}", "user": BOB,
                "outcome": out} for dev, out in intent["devices"].items()]
    call = {"protocol": "xmpp", "call_id": cid,
            "method": "propose" if any(s["element"] == "propose" for s in calls_stanzas) else None,
            "outcome": intent["outcome"],
            "caller": {"device": "alice-laptop", "jid": ALICE_LAPTOP, "user": ALICE},
            "devices": devices, "messages": messages, "stanzas": calls_stanzas,
            "findings": intent["findings"]}
    if intent.get("late_accept_answer"):
        call["late_accept_answer"] = intent["late_accept_answer"]
    media = udp_streams(pcap)
    if media:
        call["media"] = media
    call["notes"] = intent.get("notes", "")
    doc = {"capture": f"{name}.pcap", "scenario": intent["summary"],
           "server": {"software": prosody_version(), "c2s": server, "domain": DOMAIN, "tls": False},
           "client_software": f"slixmpp {slixmpp.__version__}",
           "connections": [conns[c] for c in conn_order],
           "packed_frames": packed, "split_stanzas": split,
           "calls": [call]}
    with open(os.path.join(OUT, f"{name}.expect.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"[expect {name}] {len(calls_stanzas)} call stanzas, {len(allst)} top-level elements, "
          f"{len(packed)} packed frames, {len(split)} split", file=sys.stderr)


def prosody_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "prosody"], capture_output=True, text=True)
        return f"prosody {out.stdout.strip()}"
    except OSError:
        return "prosody"


def cross_check(run, stanzas):
    """Each sent JMI/Jingle stanza appears once to-server; each receipt appears once from-server."""
    problems = []
    up = [s for s in stanzas if s["direction"] == "to-server"]
    down = [s for s in stanzas if s["direction"] == "from-server"]
    for ev in run["log"]:
        if ev["event"] == "sent":
            if ev["kind"] == "jmi":
                hits = [s for s in up if s["connection"] == ev["device"] and s["id"] == ev["msg_id"]
                        and s["element"] == ev["element"]]
            else:
                hits = [s for s in up if s["connection"] == ev["device"] and s["id"] == ev["iq_id"]
                        and s["type"] == "set"]
                ans = [s for s in down if s["connection"] == ev["device"] and s["id"] == ev["iq_id"]
                       and s["type"] in ("result", "error")]
                if len(ans) != 1 or ans[0]["type"] != ev.get("answer"):
                    problems.append(f"answer to {ev['iq_id']} of {ev['device']}: wire {ans}, client {ev.get('answer')}")
            if len(hits) != 1:
                problems.append(f"sent {ev} seen {len(hits)} times to-server")
        elif ev["event"] == "received":
            if ev["kind"] == "jmi":
                hits = [s for s in down if s["connection"] == ev["device"] and s["id"] == ev["msg_id"]
                        and s.get("carbon") == ev["carbon"] and s["element"] == ev["element"]]
            else:
                hits = [s for s in down if s["connection"] == ev["device"] and s["id"] == ev["iq_id"]
                        and s["type"] == "set"]
            if len(hits) != 1:
                problems.append(f"received {ev} seen {len(hits)} times from-server")
    # and nothing call-related on the wire that no client sent/received
    n_sent = sum(1 for e in run["log"] if e["event"] == "sent")
    n_answers = sum(1 for e in run["log"] if e["event"] == "received" and e["kind"] == "jingle"
                    and e.get("answer"))
    if len(up) != n_sent + n_answers:
        problems.append(f"{len(up)} call stanzas to-server, clients sent {n_sent} + {n_answers} IQ answers")
    return problems


# ---------------------------------------------------------------------------------------------


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "list"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        filename=os.path.join(STATE, "clients.log") if os.path.isdir(STATE) else None)
    if cmd == "list":
        print(" ".join(SCENARIOS))
    elif cmd == "setup":
        asyncio.run(setup_roster())
    elif cmd == "run":
        asyncio.run(run_scenario(sys.argv[2]))
    elif cmd == "expect":
        build_expect(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
