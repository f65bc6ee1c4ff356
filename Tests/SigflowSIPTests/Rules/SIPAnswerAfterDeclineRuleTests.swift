import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S1: a 2xx after a 6xx for the same INVITE.
struct SIPAnswerAfterDeclineRuleTests {
    let rule = SIPAnswerAfterDeclineRule()

    @Test func theCallerGetsADeclineAndThenAnAnswer() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .proxy, branch: "c1")
        try flow.respond(.proxy, .caller, "603 Decline", branch: "c1", toTag: "ph")
        try flow.respond(.proxy, .caller, "200 OK", branch: "c1", toTag: "dk")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S1.answer-after-decline error [2, 3]"])
        #expect(
            findings.first?.message
                == "caller received 603 Decline (step 2) and then 200 OK (step 3) for the same INVITE (CSeq 1).")
    }

    /// A fork: one device declines to the proxy, the other answers, and the caller sees only the answer.
    @Test func aDeclineOnAnotherBranchIsNotTheCallers() throws {
        let flow = SIPFlow()
        try flow.fork()
        try flow.respond(.phone, .proxy, "603 Decline", branch: "p1", toTag: "ph")
        try flow.respond(.desk, .proxy, "200 OK", branch: "d1", toTag: "dk")
        try flow.respond(.proxy, .caller, "200 OK", branch: "c1", toTag: "dk")
        #expect(flow.findings(rule).isEmpty)
    }
}
