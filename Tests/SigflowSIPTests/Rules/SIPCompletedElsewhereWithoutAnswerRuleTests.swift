import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S10: a CANCEL saying the call was completed elsewhere when no branch answered.
struct SIPCompletedElsewhereWithoutAnswerRuleTests {
    let rule = SIPCompletedElsewhereWithoutAnswerRule()

    func fork(_ flow: SIPFlow, phoneAnswers status: String) throws {
        try flow.fork()
        try flow.respond(.phone, .proxy, status, branch: "p1", toTag: "ph")
        try flow.cancel(
            .proxy, .desk, branch: "d1",
            headers: ["Reason: SIP;cause=200;text=\"Call completed elsewhere\""])
    }

    @Test func completedElsewhereWhileEveryoneRings() throws {
        let flow = SIPFlow()
        try fork(flow, phoneAnswers: "180 Ringing")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S10.completed-elsewhere-without-answer warning [5]"])
        #expect(
            findings.first?.message
                == "proxy cancelled callee2 (step 5) saying the call was completed elsewhere, but no branch of the "
                + "call answered.")
    }

    @Test func thePhoneDidAnswer() throws {
        let flow = SIPFlow()
        try fork(flow, phoneAnswers: "200 OK")
        #expect(flow.findings(rule).isEmpty)
    }
}
