import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S12: the callee sends BYE on an early dialog.
struct SIPByeOnEarlyDialogRuleTests {
    let rule = SIPByeOnEarlyDialogRule()

    @Test func theCalleeHangsUpWhileRinging() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.calleeBye()
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S12.bye-on-early-dialog error [3]"])
        #expect(
            findings.first?.message
                == "callee sent BYE (step 3) on a dialog it never answered with 2xx: a callee ends an unanswered call "
                + "with a final response, not BYE.")
    }

    @Test func theCalleeHangsUpAnAnsweredCall() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        try flow.ack(branch: "k1", toTag: "ph")
        try flow.calleeBye()
        #expect(flow.findings(rule).isEmpty)
    }
}
