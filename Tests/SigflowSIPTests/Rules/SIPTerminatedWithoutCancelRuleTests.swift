import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S6: 487 for an INVITE no CANCEL or BYE reached.
struct SIPTerminatedWithoutCancelRuleTests {
    let rule = SIPTerminatedWithoutCancelRule()

    @Test func aRequestTerminatedOutOfTheBlue() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.respond(.phone, .caller, "487 Request Terminated", branch: "b1", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S6.terminated-without-cancel warning [1, 3]"])
        #expect(
            findings.first?.message
                == "callee answered the INVITE (step 1) with 487 (step 3) though no CANCEL or BYE ended it.")
    }

    @Test func theCallerCancelled() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        try flow.respond(.phone, .caller, "487 Request Terminated", branch: "b1", toTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
