import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S20: the 200 to a CANCEL and the 487 to its INVITE carry different To tags.
struct SIPCancelTagsDifferRuleTests {
    let rule = SIPCancelTagsDifferRule()

    func cancelled(_ flow: SIPFlow, terminatedTag: String) throws {
        try flow.ringingPhone()
        try flow.cancel(.caller, .phone, branch: "b1")
        try flow.respond(.phone, .caller, "200 OK", branch: "b1", toTag: "ph", cseq: "1 CANCEL")
        try flow.respond(.phone, .caller, "487 Request Terminated", branch: "b1", toTag: terminatedTag)
    }

    @Test func theTerminatedResponseHasAnotherTag() throws {
        let flow = SIPFlow()
        try cancelled(flow, terminatedTag: "p2")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S20.cancel-tags-differ warning [4, 5]"])
        #expect(findings.first?.message == "The 200 to the CANCEL (step 4) has To tag ph but the 487 (step 5) has p2.")
    }

    @Test func bothCarryTheDialogsTag() throws {
        let flow = SIPFlow()
        try cancelled(flow, terminatedTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
