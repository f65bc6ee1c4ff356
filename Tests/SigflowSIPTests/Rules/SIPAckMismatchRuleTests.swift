import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S14: the ACK for a non-2xx does not reuse the INVITE's branch or the response's To tag.
struct SIPAckMismatchRuleTests {
    let rule = SIPAckMismatchRule()

    func refused(_ flow: SIPFlow, with status: String) throws {
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, status, branch: "b1", toTag: "ph")
    }

    @Test func anAckWithANewBranch() throws {
        let flow = SIPFlow()
        try refused(flow, with: "486 Busy Here")
        try flow.ack(branch: "b9", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S14.ack-mismatch error [2, 3]"])
        #expect(findings.first?.message == "The ACK (step 3) for 486 Busy Here (step 2) has branch b9 instead of b1.")
    }

    @Test func anAckWithAnotherToTag() throws {
        let flow = SIPFlow()
        try refused(flow, with: "486 Busy Here")
        try flow.ack(branch: "b1", toTag: "xx")
        #expect(
            flow.findings(rule).map(\.message) == [
                "The ACK (step 3) for 486 Busy Here (step 2) has To tag xx instead of ph."
            ])
    }

    /// The ACK of a 2xx is a transaction of its own, with a new branch (RFC 3261 §13.2.2.4).
    @Test func theAckOfAnAnswerHasItsOwnBranch() throws {
        let flow = SIPFlow()
        try refused(flow, with: "200 OK")
        try flow.ack(branch: "b9", toTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
