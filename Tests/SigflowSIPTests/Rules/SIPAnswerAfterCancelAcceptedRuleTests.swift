import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S5: a device accepts a CANCEL with 200 and then answers the INVITE with 2xx.
struct SIPAnswerAfterCancelAcceptedRuleTests {
    let rule = SIPAnswerAfterCancelAcceptedRule()

    @Test func theDeviceAnswersAfterAcceptingTheCancel() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S5.answer-after-cancel-accepted warning [4, 5]"])
        #expect(
            findings.first?.message
                == "callee accepted the CANCEL (step 4) and then answered the INVITE with 200 OK (step 5) instead of "
                + "487.")
    }

    /// The answer crossed the CANCEL: the device answered first, then accepted the CANCEL, which
    /// came too late to do anything (RFC 3261 §9.2).
    @Test func anAnswerRacingTheCancel() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        #expect(flow.findings(rule).isEmpty)
    }

    /// Through a proxy: it accepts alice's CANCEL at once (RFC 3261 §16.10), but the phone's 200
    /// had already left, and the proxy must forward it (§16.7 step 5): the device answered before
    /// it had any CANCEL.
    @Test func aProxyForwardsAnAnswerThatRacedTheCancel() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .proxy, branch: "c1")
        try flow.invite(.proxy, .phone, branch: "p1")
        try flow.respond(.phone, .proxy, "180 Ringing", branch: "p1", toTag: "ph")
        try flow.respond(.proxy, .caller, "180 Ringing", branch: "c1", toTag: "ph")
        try flow.cancel(.caller, .proxy, branch: "c1")
        try flow.respond(.proxy, .caller, "200 OK", branch: "c1", toTag: "ph", cseq: "1 CANCEL")
        try flow.respond(.phone, .proxy, "200 OK", branch: "p1", toTag: "ph", after: 0.01)
        try flow.cancel(.proxy, .phone, branch: "p1", after: 0.01)
        try flow.respond(.proxy, .caller, "200 OK", branch: "c1", toTag: "ph", after: 0.01)
        try flow.respond(.phone, .proxy, "200 OK", branch: "p1", toTag: "ph", cseq: "1 CANCEL")
        #expect(flow.findings(rule).isEmpty)
    }

    /// Behind the proxy, the device's own hop is judged: the phone accepts the proxy's CANCEL and
    /// answers after.
    @Test func theDeviceBehindAProxyAnswersAfterAcceptingTheCancel() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .proxy, branch: "c1")
        try flow.invite(.proxy, .phone, branch: "p1")
        try flow.respond(.phone, .proxy, "180 Ringing", branch: "p1", toTag: "ph")
        try flow.cancel(.proxy, .phone, branch: "p1")
        try flow.respond(.phone, .proxy, "200 OK", branch: "p1", toTag: "ph", cseq: "1 CANCEL")
        try flow.respond(.phone, .proxy, "200 OK", branch: "p1", toTag: "ph")
        #expect(
            flow.findings(rule).map(\.message) == [
                "callee accepted the CANCEL (step 5) and then answered the INVITE with 200 OK (step 6) instead of 487."
            ])
    }
}
