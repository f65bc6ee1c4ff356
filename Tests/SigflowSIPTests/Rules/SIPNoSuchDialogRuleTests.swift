import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S22: an in-dialog request answered 481 where the capture shows no dialog of its Call-ID.
struct SIPNoSuchDialogRuleTests {
    let rule = SIPNoSuchDialogRule()

    func byeAnswered481(_ flow: SIPFlow) throws {
        try flow.send(.caller, .phone, "BYE sip:bob@192.0.2.20 SIP/2.0", branch: "y1", cseq: "2 BYE", toTag: "ph")
        try flow.respond(
            .phone, .caller, "481 Call/Transaction Does Not Exist", branch: "y1", toTag: "ph", cseq: "2 BYE")
    }

    @Test func aByeForADialogNobodyKnows() throws {
        let flow = SIPFlow()
        try byeAnswered481(flow)
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S22.no-such-dialog warning [1, 2]"])
        let message = try #require(findings.first?.message)
        #expect(
            message.hasSuffix(
                "answered BYE (step 1) with 481 Call/Transaction Does Not Exist (step 2): it knows no such dialog, and the capture shows none of Call-ID call-1."
            ))
    }

    /// The capture shows the dialog set up: the far end lost a dialog that existed, which the
    /// capture cannot explain, and S22 is not about.
    @Test func theDialogWasSetUp() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        try flow.ack(branch: "k1", toTag: "ph")
        try byeAnswered481(flow)
        #expect(flow.findings(rule).isEmpty)
    }
}
