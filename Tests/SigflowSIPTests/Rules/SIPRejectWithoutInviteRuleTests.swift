import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S16: a final 4xx-6xx for an INVITE never sent on that hop.
struct SIPRejectWithoutInviteRuleTests {
    let rule = SIPRejectWithoutInviteRule()

    /// The INVITE went to the proxy (drawn as the callee: the capture shows nothing beyond it).
    @Test func aRefusalOfAnotherTransaction() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .proxy, branch: "b1")
        try flow.respond(.proxy, .caller, "486 Busy Here", branch: "b7", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S16.reject-without-invite warning [2]"])
        #expect(
            findings.first?.message
                == "callee sent 486 Busy Here (step 2) for an INVITE (branch b7, CSeq 1) that was never sent to it.")
    }

    /// The proxy's cluster answers from a sibling address: the response belongs to the INVITE's
    /// transaction, and so to the proxy's lifeline (RFC 3261 §17.1.3).
    @Test func aRefusalFromASiblingAddress() throws {
        let flow = SIPFlow()
        try flow.invite(.caller, .proxy, branch: "b1")
        try flow.respond(.sibling, .caller, "486 Busy Here", branch: "b1", toTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
