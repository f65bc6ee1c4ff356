import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S19: a device sends 600/603 while another device still rings.
struct SIPDeclineWhileOthersRingRuleTests {
    let rule = SIPDeclineWhileOthersRingRule()

    func bothRinging(_ flow: SIPFlow) throws {
        try flow.fork()
        try flow.respond(.phone, .proxy, "180 Ringing", branch: "p1", toTag: "ph")
        try flow.respond(.desk, .proxy, "180 Ringing", branch: "d1", toTag: "dk")
    }

    @Test func thePhoneDeclinesForEveryone() throws {
        let flow = SIPFlow()
        try bothRinging(flow)
        try flow.respond(.phone, .proxy, "603 Decline", branch: "p1", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S19.decline-while-others-ring warning [5, 6]"])
        #expect(
            findings.first?.message == "callee1 sent 603 Decline (step 6) while callee2 was still ringing (step 5).")
    }

    /// 486 refuses on this device only (RFC 3261 §21.4.24).
    @Test func thePhoneIsBusy() throws {
        let flow = SIPFlow()
        try bothRinging(flow)
        try flow.respond(.phone, .proxy, "486 Busy Here", branch: "p1", toTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
