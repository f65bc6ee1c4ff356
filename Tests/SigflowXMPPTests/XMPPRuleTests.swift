import SigflowChecks
import SigflowCore
import SigflowCorrelator
import SigflowTestSupport
import Testing

@testable import SigflowXMPP

/// The rules the lab captures do not plant, on hand-written flows run through the decoder, the
/// correlator and the checker: each flags its pattern exactly, and stays silent when the capture
/// cannot tell.
struct XMPPRuleTests {
    /// alice/laptop calls bob, who has a phone and a desktop with carbons on; every stanza is sent,
    /// delivered, and carbon-copied the way Prosody does it.
    final class Lab {
        let sink = RecordingSink()
        let decoder: XMPPDecoder
        let alice: XMPPDecoderTests.Connection
        let phone: XMPPDecoderTests.Connection
        let desktop: XMPPDecoderTests.Connection
        init() {
            decoder = XMPPDecoder(sink: sink)
            let clock = XMPPDecoderTests.Clock()
            alice = XMPPDecoderTests.Connection(
                decoder: decoder, client: "192.0.2.10:40000", jid: "alice@example.com/laptop", clock: clock)
            phone = XMPPDecoderTests.Connection(
                decoder: decoder, client: "192.0.2.11:40001", jid: "bob@example.com/phone", clock: clock)
            desktop = XMPPDecoderTests.Connection(
                decoder: decoder, client: "192.0.2.12:40002", jid: "bob@example.com/desktop", clock: clock)
        }

        func connection(_ jid: String) -> XMPPDecoderTests.Connection {
            switch jid {
            case "alice@example.com/laptop": return alice
            case "bob@example.com/phone": return phone
            default: return desktop
            }
        }

        static let bobs = ["bob@example.com/phone", "bob@example.com/desktop"]

        /// A JMI element from one full JID to another full JID or a bare JID.
        func jmi(
            _ element: String, id: String, from: String, to: String, reason: String? = nil, tieBreak: Bool = false,
            number: Int
        ) {
            let reasonXML = reason.map { "<reason xmlns='urn:xmpp:jingle:1'><\($0)/></reason>" } ?? ""
            let body =
                "<\(element) xmlns='urn:xmpp:jingle-message:0' id='\(id)'>\(reasonXML)\(tieBreak ? "<tie-break/>" : "")"
                + "</\(element)><store xmlns='urn:xmpp:hints'/>"
            let stanzaID = "\(id)-\(element)-\(number)"
            connection(from).send("<message type='chat' to='\(to)' id='\(stanzaID)'>\(body)</message>")
            let targets = to.contains("/") ? [to] : (to.hasPrefix("bob") ? Self.bobs : ["alice@example.com/laptop"])
            for target in targets {
                connection(target).receive(
                    "<message type='chat' from='\(from)' to='\(to)' id='\(stanzaID)'>\(body)</message>")
            }
            // Carbons: a message to a full JID is copied to the sender's other resource.
            if to.contains("/"), from.hasPrefix("bob") {
                let sibling = Self.bobs.first { $0 != from }!
                connection(sibling).receive(
                    "<message type='chat' from='bob@example.com' to='\(sibling)'><sent xmlns='urn:xmpp:carbons:2'>"
                        + "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' "
                        + "from='\(from)' to='\(to)' id='\(stanzaID)'>\(body)</message></forwarded></sent></message>")
            }
        }

        /// A Jingle IQ-set and, unless `acked` is false, its IQ result.
        func jingle(
            _ action: String, sid: String, from: String, to: String, reason: String? = nil, acked: Bool = true
        ) {
            let reasonXML = reason.map { "<reason><\($0)/></reason>" } ?? ""
            let initiator = action == "session-initiate" ? " initiator='\(from)'" : ""
            let jingle =
                "<jingle xmlns='urn:xmpp:jingle:1' action='\(action)' sid='\(sid)'\(initiator)>\(reasonXML)</jingle>"
            let id = "\(sid)-\(action)"
            connection(from).send("<iq type='set' id='\(id)' to='\(to)'>\(jingle)</iq>")
            connection(to).receive("<iq type='set' id='\(id)' to='\(to)' from='\(from)'>\(jingle)</iq>")
            guard acked else { return }
            connection(to).send("<iq type='result' id='\(id)' to='\(from)'/>")
            connection(from).receive("<iq type='result' id='\(id)' to='\(from)' from='\(to)'/>")
        }

        func propose(_ id: String, number: Int = 0) {
            jmi("propose", id: id, from: "alice@example.com/laptop", to: "bob@example.com", number: number)
        }

        /// Media steps added to what the decoder emitted.
        var media: [SignalingMessage] = []

        /// RTP from `sender` to `receiver` (full JIDs) from `start` for `seconds`, on the clock the
        /// connections share (frame N is N seconds in).
        func media(from sender: String, to receiver: String, start: Double, seconds: Double) {
            func stamp(_ time: Double) -> PacketStamp {
                PacketStamp(
                    time: CaptureTime(seconds: time), source: SourceRef(capture: 0, frame: 10_000 + media.count))
            }
            media += SignalingMessage.mediaSegment(
                .xmpp, callID: "c1", from: Party(name: sender), to: Party(name: receiver),
                rtp: (Endpoint(Substring("192.0.2.11:50000"))!, Endpoint(Substring("192.0.2.10:50002"))!),
                first: stamp(start), last: stamp(start + seconds), packets: Int(seconds * 50))
        }

        /// The calls of everything decoded, reviewed by the policy, the capture ending `seconds`
        /// after the last stanza.
        func calls(captureEndsAfter seconds: Double) -> (calls: [Call], end: CaptureTime) {
            let end = sink.messages.map(\.stamp.time).max()!.adding(nanoseconds: Int64(seconds * 1e9))
            let policy = XMPPCallPolicy()
            let messages = (sink.messages + media).sorted { $0.stamp.time < $1.stamp.time }
            let calls = CallCorrelator.correlate(
                messages, captureCount: 1, captureEnd: end, policies: CallPolicies([policy])
            ).calls
            return (calls.map(policy.review), end)
        }

        /// What `rule` finds in call `id`, with every call in its context.
        func findings(_ rule: any CallRule, call id: String = "c1", captureEndsAfter seconds: Double = 1) -> [Finding] {
            let (calls, end) = calls(captureEndsAfter: seconds)
            return rule.check(calls.first { $0.callID == id }!, context: CheckContext(captureEnd: end, calls: calls))
        }

        /// Rule numbers found per call, after correlating what the decoder emitted.
        func findings(captureEndsAfter seconds: Double = 1) -> [String: [String]] {
            let (calls, end) = calls(captureEndsAfter: seconds)
            let policy = XMPPCallPolicy()
            var result: [String: [String]] = [:]
            for call in Checker(rules: policy.rules).check(calls, context: CheckContext(captureEnd: end)) {
                result[call.callID] = call.findings.map { String($0.ruleID.split(separator: ".")[1]) }
            }
            return result
        }
    }

    static let phone = "bob@example.com/phone"
    static let desktop = "bob@example.com/desktop"
    static let alice = "alice@example.com/laptop"

    @Test func twoProceedsFromTwoResources() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("proceed", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        lab.jmi("proceed", id: "c1", from: Self.desktop, to: Self.alice, number: 2)
        #expect(lab.findings() == ["c1": ["X3"]])
        let findings = lab.findings(XMPPTwoProceedsRule())
        #expect(findings.map(\.outline) == ["xmpp.X3.two-proceeds warning [4, 7]"])
        #expect(findings.first?.message == "Both phone (step 4) and desktop (step 7) accept call c1.")
    }

    @Test func initiateAfterReject() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("reject", id: "c1", from: Self.phone, to: Self.alice, reason: "busy", number: 1)
        lab.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        #expect(lab.findings() == ["c1": ["X4"]])
        let findings = lab.findings(XMPPInitiateAfterRefusalRule())
        #expect(findings.map(\.outline) == ["xmpp.X4.initiate-after-refusal error [4, 7]"])
        #expect(
            findings.first?.message == "session-initiate (step 7) reuses JMI id c1 after reject <busy/> (step 4).")
    }

    @Test func declineAfterAccept() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("proceed", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        lab.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        lab.jingle("session-accept", sid: "c1", from: Self.phone, to: Self.alice)
        lab.jingle("session-terminate", sid: "c1", from: Self.phone, to: Self.alice, reason: "decline")
        #expect(lab.findings() == ["c1": ["X8"]])
        let findings = lab.findings(XMPPDeclineAfterAcceptRule())
        #expect(findings.map(\.outline) == ["xmpp.X8.decline-after-accept warning [11, 15]"])
        #expect(
            findings.first?.message
                == "session-terminate <decline/> (step 15) ends a session accepted at step 11; an accepted session "
                + "ends with <success/>.")
    }

    @Test func secondResponderAccepts() {
        let lab = Lab()
        lab.propose("c1")
        lab.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        lab.jingle("session-accept", sid: "c1", from: Self.phone, to: Self.alice)
        lab.jingle("session-accept", sid: "c1", from: Self.desktop, to: Self.alice)
        #expect(lab.findings() == ["c1": ["X6"]])
        let findings = lab.findings(XMPPSecondAcceptRule())
        #expect(findings.map(\.outline) == ["xmpp.X6.accept-after-end-or-second-responder error [8, 12]"])
        #expect(
            findings.first?.message
                == "session-accept from bob@example.com/desktop (step 12) after bob@example.com/phone already accepted "
                + "(step 8).")
    }

    @Test func responderCancels() {
        let lab = Lab()
        lab.propose("c1")
        lab.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        lab.jingle("session-terminate", sid: "c1", from: Self.phone, to: Self.alice, reason: "cancel")
        #expect(lab.findings() == ["c1": ["X7"]])
        let findings = lab.findings(XMPPReasonFromWrongPartyRule())
        #expect(findings.map(\.outline) == ["xmpp.X7.reason-from-wrong-party warning [8]"])
        #expect(
            findings.first?.message
                == "The responder bob@example.com/phone ends the session with <cancel/> (step 8), the initiator's "
                + "reason; a responder refuses with <decline/> or <busy/>.")
    }

    @Test func rejectWithoutReason() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("reject", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        #expect(lab.findings() == ["c1": ["X9"]])
        let findings = lab.findings(XMPPRejectWithoutReasonRule())
        #expect(findings.map(\.outline) == ["xmpp.X9.reject-without-reason info [4]"])
        #expect(findings.first?.message == "<reject> from bob@example.com/phone (step 4) carries no <reason>.")
    }

    @Test func unknownSessionErrorIsTheRightAnswer() {
        let lab = Lab()
        lab.propose("c1")
        lab.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        lab.jingle("session-terminate", sid: "c1", from: Self.alice, to: Self.phone, reason: "cancel")
        lab.jingle("transport-info", sid: "c1", from: Self.phone, to: Self.alice, acked: false)
        lab.alice.send(
            "<iq type='error' id='c1-transport-info' to='\(Self.phone)'><error type='cancel'><item-not-found "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><unknown-session xmlns='urn:xmpp:jingle:errors:1'/>"
                + "</error></iq>")
        #expect(lab.findings() == ["c1": []])
    }

    @Test func spoofedCarbonReachesAClient() {
        let lab = Lab()
        lab.propose("c1")
        lab.desktop.receive(
            "<message type='chat' from='mallory@evil.example/x' to='\(Self.desktop)'><sent xmlns='urn:xmpp:carbons:2'>"
                + "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' from='\(Self.phone)' "
                + "to='\(Self.alice)' id='fake'><reject xmlns='urn:xmpp:jingle-message:0' id='c1'><reason "
                + "xmlns='urn:xmpp:jingle:1'><decline/></reason></reject></message></forwarded></sent></message>")
        lab.jmi("retract", id: "c1", from: Self.alice, to: "bob@example.com", reason: "cancel", number: 2)
        #expect(lab.findings() == ["c1": ["X10"]])
        let findings = lab.findings(XMPPSpoofedCarbonRule())
        #expect(findings.map(\.outline) == ["xmpp.X10.spoofed-carbon warning [4]"])
        #expect(
            findings.first?.message
                == "reject <decline/> (spoofed carbon) (step 4) is wrapped as a carbon by mallory@evil.example/x, not "
                + "by bob@example.com itself; bob@example.com/desktop must ignore it.")
    }

    @Test func initiateNeverAckedOnlyWhenTheCaptureCoversTheWait() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("proceed", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        lab.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone, acked: false)
        #expect(lab.findings(captureEndsAfter: 10) == ["c1": []])
        #expect(lab.findings(captureEndsAfter: 31) == ["c1": ["X12"]])
        #expect(
            lab.findings(XMPPInitiateNeverAckedRule(), captureEndsAfter: 31).map(\.message) == [
                "session-initiate (step 7) gets no IQ result or error in the 30 s the capture shows after it."
            ])
    }

    @Test func danglingProposeOnlyInALongCapture() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("ringing", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        #expect(lab.findings(captureEndsAfter: 60) == ["c1": []])
        #expect(lab.findings(captureEndsAfter: 121) == ["c1": ["X14"]])
        #expect(
            lab.findings(XMPPDanglingProposeRule(), captureEndsAfter: 121).map(\.outline) == [
                "xmpp.X14.dangling-propose warning [1]"
            ])
    }

    @Test func responseWithoutProposeStaysSilentAfterCatchUp() {
        let lab = Lab()
        // The phone fetched history: the propose may have come with it, outside live traffic.
        lab.phone.send("<iq type='set' id='mam'><query xmlns='urn:xmpp:mam:2'/></iq>")
        lab.jmi("reject", id: "c9", from: Self.phone, to: Self.alice, reason: "decline", number: 1)
        #expect(lab.findings() == ["c9": []])
    }

    @Test func glareResolvedCorrectly() {
        let lab = Lab()
        lab.propose("b-higher")
        lab.jmi("propose", id: "a-lower", from: Self.phone, to: "alice@example.com", number: 1)
        // alice got the lower id: she withdraws her own higher one with the tie-break marker.
        lab.jmi(
            "retract", id: "b-higher", from: Self.alice, to: "bob@example.com", reason: "expired", tieBreak: true,
            number: 2)
        lab.jmi("proceed", id: "a-lower", from: Self.alice, to: Self.phone, number: 3)
        #expect(lab.findings() == ["a-lower": [], "b-higher": []])
    }

    @Test func glareBothSurvive() {
        let lab = Lab()
        lab.propose("b-higher")
        lab.jmi("propose", id: "a-lower", from: Self.phone, to: "alice@example.com", number: 1)
        lab.jmi("proceed", id: "b-higher", from: Self.phone, to: Self.alice, number: 2)
        lab.jmi("proceed", id: "a-lower", from: Self.alice, to: Self.phone, number: 3)
        #expect(lab.findings() == ["a-lower": ["X11"], "b-higher": []])
        #expect(
            lab.findings(XMPPGlareRule(), call: "a-lower").map(\.message) == [
                "Proposals a-lower and b-higher crossed and both were accepted; the higher id (b-higher) should have "
                    + "been withdrawn."
            ])
    }

    @Test func glareWithdrawalWithoutTieBreakMarker() {
        let lab = Lab()
        lab.propose("b-higher")
        lab.jmi("propose", id: "a-lower", from: Self.phone, to: "alice@example.com", number: 1)
        lab.jmi("reject", id: "b-higher", from: Self.phone, to: Self.alice, reason: "expired", number: 2)
        lab.jmi("proceed", id: "a-lower", from: Self.alice, to: Self.phone, number: 3)
        #expect(lab.findings() == ["a-lower": ["X11"], "b-higher": []])
        let findings = lab.findings(XMPPGlareRule(), call: "a-lower")
        #expect(findings.map(\.outline) == ["xmpp.X11.glare warning [1]"])
        #expect(
            findings.first?.message
                == "reject <expired/> of b-higher (step 4 of that call) settles the glare with a-lower but carries no "
                + "<tie-break/>.")
    }
}
