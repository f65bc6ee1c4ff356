import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowXMPP

/// The rules the first tests leave out (X1, X2, X5, X13), and for every rule the shape real
/// networks have that it must leave alone.
extension XMPPRuleTests {
    static let bob = "bob@example.com"

    /// alice proposes, the phone proceeds, alice initiates and the phone accepts (steps 1 to 14).
    static func accepted(_ lab: Lab) {
        lab.propose("c1")
        lab.jmi("proceed", id: "c1", from: phone, to: alice, number: 1)
        lab.jingle("session-initiate", sid: "c1", from: alice, to: phone)
        lab.jingle("session-accept", sid: "c1", from: phone, to: alice)
    }

    @Test func anOrdinaryCallIsClean() {
        let lab = Lab()
        Self.accepted(lab)
        lab.jingle("session-terminate", sid: "c1", from: Self.alice, to: Self.phone, reason: "success")
        #expect(lab.findings(captureEndsAfter: 200) == ["c1": []])
    }

    @Test func aResponseToAProposeTheLiveConnectionNeverGot() {
        let lab = Lab()
        lab.jmi("reject", id: "c9", from: Self.phone, to: Self.alice, reason: "decline", number: 1)
        let findings = lab.findings(XMPPResponseWithoutProposeRule(), call: "c9")
        #expect(findings.map(\.outline) == ["xmpp.X1.response-without-propose warning [1]"])
        #expect(
            findings.first?.message
                == "reject <decline/> from bob@example.com/phone (step 1) answers JMI id c9, but no <propose> with "
                + "that id reached it: its connection is in the capture from the stream header on.")
    }

    @Test func oneResourceProceedsAndAnotherRejects() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("proceed", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        lab.jmi("reject", id: "c1", from: Self.desktop, to: Self.alice, reason: "decline", number: 2)
        let findings = lab.findings(XMPPContradictoryDecisionsRule())
        #expect(findings.map(\.outline) == ["xmpp.X2.contradictory-decisions error [4, 7]"])
        #expect(
            findings.first?.message
                == "desktop sends reject <decline/> (step 7) after phone of the same user sent proceed (step 4) for "
                + "call c1.")
    }

    /// The desktop gets a carbon of the phone's proceed: the phone's decision seen again, not the
    /// desktop's own, and no forged copy either.
    @Test func aCarbonCopyIsNoSecondDecision() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("proceed", id: "c1", from: Self.phone, to: Self.alice, number: 1)
        #expect(lab.findings(XMPPContradictoryDecisionsRule()).isEmpty)
        #expect(lab.findings(XMPPTwoProceedsRule()).isEmpty)
        #expect(lab.findings(XMPPSpoofedCarbonRule()).isEmpty)
    }

    @Test func anActionAfterTerminateIsAcknowledged() {
        let lab = Lab()
        Self.accepted(lab)
        lab.jingle("session-terminate", sid: "c1", from: Self.alice, to: Self.phone, reason: "success")
        lab.jingle("transport-info", sid: "c1", from: Self.phone, to: Self.alice, acked: false)
        lab.alice.send("<iq type='result' id='c1-transport-info' to='\(Self.phone)'/>")
        let findings = lab.findings(XMPPActionAfterTerminateRule())
        #expect(findings.map(\.outline) == ["xmpp.X5.action-after-terminate error [15, 19, 21]"])
        #expect(
            findings.first?.message
                == "transport-info (step 19) comes after session-terminate (step 15) and is answered with a plain IQ "
                + "result (step 21) instead of item-not-found + <unknown-session/>.")
    }

    /// Media from the phone for `seconds` from half a second before alice ends the session.
    static func terminatedDuringMedia(seconds: Double) -> Lab {
        let lab = Lab()
        accepted(lab)
        lab.media(from: phone, to: alice, start: 23.5, seconds: seconds)
        lab.jingle("session-terminate", sid: "c1", from: alice, to: phone, reason: "success")
        return lab
    }

    @Test func mediaGoesOnAfterTheSessionEnds() {
        let findings = Self.terminatedDuringMedia(seconds: 10).findings(XMPPMediaAfterEndRule())
        #expect(findings.map(\.outline) == ["xmpp.X13.media-after-end error [16, 20]"])
        #expect(
            findings.first?.message
                == "Media from callee1 to caller (RTP 192.0.2.11:50000 -> 192.0.2.10:50002) goes on 9.5 s after "
                + "session-terminate <success/> (step 16): RTP stops: 500 packets in 10.0 s at step 20.")
    }

    @Test func mediaWithinTheGrace() {
        #expect(Self.terminatedDuringMedia(seconds: 3).findings(XMPPMediaAfterEndRule()).isEmpty)
    }

    /// Each side ends with its own reason: the initiator cancels, a responder declines.
    @Test func eachSideGivesItsOwnReason() {
        let cancelled = Lab()
        cancelled.propose("c1")
        cancelled.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        cancelled.jingle("session-terminate", sid: "c1", from: Self.alice, to: Self.phone, reason: "cancel")
        #expect(cancelled.findings(XMPPReasonFromWrongPartyRule()).isEmpty)
        let declined = Lab()
        declined.propose("c1")
        declined.jingle("session-initiate", sid: "c1", from: Self.alice, to: Self.phone)
        declined.jingle("session-terminate", sid: "c1", from: Self.phone, to: Self.alice, reason: "decline")
        #expect(declined.findings(XMPPReasonFromWrongPartyRule()).isEmpty)
        #expect(declined.findings(XMPPDeclineAfterAcceptRule()).isEmpty)
    }

    @Test func aRejectWithAReason() {
        let lab = Lab()
        lab.propose("c1")
        lab.jmi("reject", id: "c1", from: Self.phone, to: Self.alice, reason: "busy", number: 1)
        #expect(lab.findings(XMPPRejectWithoutReasonRule()).isEmpty)
    }

    /// One responder accepts, and the session ends after: no second accept, nothing after the end.
    @Test func oneAcceptBeforeTheEnd() {
        let lab = Lab()
        Self.accepted(lab)
        lab.jingle("session-terminate", sid: "c1", from: Self.phone, to: Self.alice, reason: "success")
        #expect(lab.findings(XMPPSecondAcceptRule()).isEmpty)
        #expect(lab.findings(XMPPInitiateAfterRefusalRule()).isEmpty)
        #expect(lab.findings(XMPPInitiateNeverAckedRule(), captureEndsAfter: 60).isEmpty)
    }
}
