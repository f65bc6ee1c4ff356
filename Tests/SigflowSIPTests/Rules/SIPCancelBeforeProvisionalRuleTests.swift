import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S7: a CANCEL before any provisional response.
struct SIPCancelBeforeProvisionalRuleTests {
    let rule = SIPCancelBeforeProvisionalRule()

    @Test func theCallerCancelsAnUnansweredInvite() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.cancel(.caller, .phone, branch: "b1")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S7.cancel-before-provisional error [1, 2]"])
        #expect(
            findings.first?.message
                == "caller cancelled the INVITE (step 1) at step 2 before any provisional response had arrived.")
    }

    @Test func aTryingCameFirst() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "100 Trying", branch: "b1", toTag: nil)
        try flow.cancel(.caller, .phone, branch: "b1")
        #expect(flow.findings(rule).isEmpty)
    }
}
