import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S8: a CANCEL after the INVITE's final response.
struct SIPCancelAfterFinalRuleTests {
    let rule = SIPCancelAfterFinalRule()

    func cancel(_ flow: SIPFlow, after: Double = 0.1) throws {
        try flow.cancel(
            .caller, .phone, branch: "b1", after: after)
    }

    @Test func theCallerCancelsAFinishedInvite() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.respond(.phone, .caller, "486 Busy Here", branch: "b1", toTag: "ph")
        try flow.ack(branch: "b1", toTag: "ph")
        try flow.cancel(.caller, .phone, branch: "b1")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S8.cancel-after-final warning [3, 5]"])
        #expect(
            findings.first?.message
                == "caller sent CANCEL (step 5) after the INVITE had its final response 486 Busy Here (step 3).")
    }

    /// The CANCEL left before the 200 arrived: they crossed on the wire.
    @Test func aCancelRacingTheAnswer() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", after: 0.01)
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        #expect(flow.findings(rule).isEmpty)
    }
}
