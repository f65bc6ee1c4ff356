import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S15: a non-2xx final response never acknowledged.
struct SIPFinalNeverAckedRuleTests {
    let rule = SIPFinalNeverAckedRule()

    func busy(_ flow: SIPFlow, after: Double = 0.1) throws {
        try flow.respond(.phone, .caller, "486 Busy Here", branch: "b1", toTag: "ph", after: after)
    }

    @Test func theBusyIsRetransmittedAndNeverAcked() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try busy(flow)
        try busy(flow, after: 0.5)
        try busy(flow, after: 1.5)
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S15.final-never-acked error [3]"])
        #expect(findings.first?.message == "486 Busy Here (step 3) was sent 3 times over 2 s and never acknowledged.")
    }

    /// Sent once, and the capture ends five seconds later: the ACK may still come.
    @Test func aShortCaptureCannotTell() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try busy(flow)
        #expect(flow.findings(rule, captureEndsAfter: 5).isEmpty)
        #expect(flow.findings(rule, captureEndsAfter: 33).map(\.outline) == ["sip.S15.final-never-acked error [2]"])
    }

    @Test func theRetransmissionsStopAtTheAck() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try busy(flow)
        try busy(flow, after: 0.5)
        try busy(flow, after: 1.0)
        try flow.ack(branch: "b1", toTag: "ph")
        #expect(flow.findings(rule, captureEndsAfter: 40).isEmpty)
    }
}
