import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S9: a CANCEL that does not mirror its INVITE, or one answered 481 while the INVITE is pending.
struct SIPCancelMismatchRuleTests {
    let rule = SIPCancelMismatchRule()

    func ringing(_ flow: SIPFlow) throws {
        try flow.ringingPhone()
    }

    @Test func aCancelWithAnotherBranch() throws {
        let flow = SIPFlow()
        try ringing(flow)
        try flow.cancel(.caller, .phone, branch: "b9")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S9.cancel-mismatch error [1, 3]"])
        #expect(
            findings.first?.message
                == "The CANCEL (step 3) does not match its INVITE (step 1): top Via branch b9 instead of b1.")
    }

    @Test func aCancelAnswered481WhileTheInviteRings() throws {
        let flow = SIPFlow()
        try ringing(flow)
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(
            .phone, .caller, "481 Call/Transaction Does Not Exist", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S9.cancel-mismatch error [1, 3, 4]"])
        #expect(
            findings.first?.message
                == "callee answered the CANCEL (step 3) with 481 (step 4) while the INVITE (step 1) was still pending.")
    }

    /// The device had answered when the CANCEL came: it knows no pending INVITE to cancel.
    @Test func a481AfterTheAnswer() throws {
        let flow = SIPFlow()
        try ringing(flow)
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(
            .phone, .caller, "481 Call/Transaction Does Not Exist", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        #expect(flow.findings(rule).isEmpty)
    }
}
