import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S18: RTP going on after a refusal or a BYE.
struct SIPMediaAfterEndRuleTests {
    let rule = SIPMediaAfterEndRule()

    /// An answered call with RTP from bob for `seconds`, hung up by alice a second into it.
    func answeredCall(_ flow: SIPFlow, mediaSeconds seconds: Double) throws {
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        try flow.ack(branch: "k1", toTag: "ph")
        flow.media(from: .phone, to: .caller, seconds: seconds)
        try flow.send(
            .caller, .phone, "BYE sip:bob@192.0.2.20 SIP/2.0", branch: "y1", cseq: "2 BYE", toTag: "ph", after: 1)
        try flow.respond(.phone, .caller, "200 OK", branch: "y1", toTag: "ph", cseq: "2 BYE")
    }

    @Test func mediaGoesOnAfterTheBye() throws {
        let flow = SIPFlow()
        try answeredCall(flow, mediaSeconds: 6)
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S18.media-after-end error [5, 7]"])
        #expect(
            findings.first?.message
                == "Media from callee to caller (RTP 192.0.2.20:16000 -> 192.0.2.10:18000) goes on 5.0 s after BYE "
                + "(step 5): RTP stops: 300 packets in 6.0 s at step 7.")
    }

    /// Packets in flight for two seconds after the BYE are teardown, within the grace.
    @Test func mediaWithinTheGrace() throws {
        let flow = SIPFlow()
        try answeredCall(flow, mediaSeconds: 3)
        #expect(flow.findings(rule).isEmpty)
    }

    /// Media after a refusal: bob's phone streams early media, then refuses and goes on streaming.
    @Test func mediaGoesOnAfterARefusal() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "183 Session Progress", branch: "b1", toTag: "ph")
        flow.media(from: .phone, to: .caller, seconds: 8)
        try flow.respond(.phone, .caller, "486 Busy Here", branch: "b1", toTag: "ph", after: 1)
        #expect(flow.findings(rule).map(\.outline) == ["sip.S18.media-after-end error [4, 5]"])
    }

    /// The callee challenges the first INVITE (401) and answers the second: the media after the
    /// challenge belongs to the call that went on.
    @Test func mediaAfterAChallengeThatWasRetried() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "401 Unauthorized", branch: "b1", toTag: "ch")
        try flow.ack(branch: "b1", toTag: "ch")
        try flow.send(.caller, .phone, "INVITE sip:bob@example.com SIP/2.0", branch: "b2", cseq: "2 INVITE")
        try flow.respond(.phone, .caller, "200 OK", branch: "b2", toTag: "ph", cseq: "2 INVITE")
        try flow.ack(branch: "k2", toTag: "ph", cseq: "2 ACK")
        flow.media(from: .phone, to: .caller, seconds: 10)
        try flow.send(
            .caller, .phone, "BYE sip:bob@192.0.2.20 SIP/2.0", branch: "y1", cseq: "3 BYE", toTag: "ph", after: 9.5)
        let call = flow.call()
        #expect(call.attemptStep == 4)
        #expect(flow.findings(rule).isEmpty)
    }
}
