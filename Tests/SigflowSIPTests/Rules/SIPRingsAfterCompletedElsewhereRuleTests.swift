import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S11: a device rings after accepting a CANCEL that said the call was completed elsewhere.
struct SIPRingsAfterCompletedElsewhereRuleTests {
    let rule = SIPRingsAfterCompletedElsewhereRule()

    /// The phone answers; the proxy cancels the desk with `Reason: SIP;cause=200`.
    func answeredOnThePhone(_ flow: SIPFlow) throws {
        try flow.fork()
        try flow.respond(.phone, .proxy, "200 OK", branch: "p1", toTag: "ph")
        try flow.cancel(
            .proxy, .desk, branch: "d1",
            headers: ["Reason: SIP;cause=200;text=\"Call completed elsewhere\""])
    }

    @Test func theDeskRingsAfterAcceptingTheCancel() throws {
        let flow = SIPFlow()
        try answeredOnThePhone(flow)
        try flow.respond(.desk, .proxy, "200 OK", branch: "d1", toTag: "dk", cseq: "1 CANCEL")
        try flow.respond(.desk, .proxy, "180 Ringing", branch: "d1", toTag: "dk")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S11.rings-after-completed-elsewhere warning [5, 6, 7]"])
        #expect(
            findings.first?.message
                == "callee2 accepted the CANCEL saying the call was completed elsewhere (step 6) and then sent 180 "
                + "Ringing (step 7).")
    }

    /// The desk's 180 was on its way when the CANCEL came: it precedes the 200 to the CANCEL.
    @Test func aRingingInFlight() throws {
        let flow = SIPFlow()
        try answeredOnThePhone(flow)
        try flow.respond(.desk, .proxy, "180 Ringing", branch: "d1", toTag: "dk")
        try flow.respond(.desk, .proxy, "200 OK", branch: "d1", toTag: "dk", cseq: "1 CANCEL")
        try flow.respond(.desk, .proxy, "487 Request Terminated", branch: "d1", toTag: "dk")
        #expect(flow.findings(rule).isEmpty)
    }
}
