import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S5: a device accepts a CANCEL with 200 and then answers the INVITE with 2xx.
struct SIPAnswerAfterCancelAcceptedRuleTests {
    let rule = SIPAnswerAfterCancelAcceptedRule()

    @Test func theDeviceAnswersAfterAcceptingTheCancel() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S5.answer-after-cancel-accepted warning [4, 5]"])
        #expect(
            findings.first?.message
                == "callee accepted the CANCEL (step 4) and then answered the INVITE with 200 OK (step 5) instead of "
                + "487.")
    }

    /// The answer crossed the CANCEL: the device answered first, then accepted the CANCEL, which
    /// came too late to do anything (RFC 3261 §9.2).
    @Test func anAnswerRacingTheCancel() throws {
        let flow = SIPFlow()
        try flow.ringingPhone()
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph")
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        #expect(flow.findings(rule).isEmpty)
    }
}
