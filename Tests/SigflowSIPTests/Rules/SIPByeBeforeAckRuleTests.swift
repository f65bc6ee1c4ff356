import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S13: the callee sends BYE after its 2xx but before the ACK.
struct SIPByeBeforeAckRuleTests {
    let rule = SIPByeBeforeAckRule()

    func answered(_ flow: SIPFlow) throws {
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
    }

    @Test func theCalleeHangsUpBeforeTheAck() throws {
        let flow = SIPFlow()
        try answered(flow)
        try flow.calleeBye()
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S13.bye-before-ack error [2, 3]"])
        #expect(
            findings.first?.message == "callee sent BYE (step 3) after its 200 OK (step 2) but before any ACK for it.")
    }

    @Test func theAckCameFirst() throws {
        let flow = SIPFlow()
        try answered(flow)
        try flow.ack(branch: "k1", toTag: "ph")
        try flow.calleeBye()
        #expect(flow.findings(rule).isEmpty)
    }

    /// No ACK in 64×T1: the callee ends the dialog, as RFC 3261 §13.3.1.4 tells it to.
    @Test func theCalleeGaveUpWaitingForTheAck() throws {
        let flow = SIPFlow()
        try answered(flow)
        try flow.calleeBye(after: 32)
        #expect(flow.findings(rule).isEmpty)
    }
}
