import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S2: a proxy forwards a 6xx while another branch is still pending.
struct SIPDeclineForwardedWithPendingBranchesRuleTests {
    let rule = SIPDeclineForwardedWithPendingBranchesRule()

    static func forkDeclinedByThePhone(_ flow: SIPFlow) throws {
        try flow.fork()
        try flow.respond(.phone, .proxy, "603 Decline", branch: "p1", toTag: "ph")
    }

    @Test func theDeclineGoesUpWhileTheDeskStillRings() throws {
        let flow = SIPFlow()
        try Self.forkDeclinedByThePhone(flow)
        try flow.respond(.proxy, .caller, "603 Decline", branch: "c1", toTag: "ph")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S2.decline-forwarded-with-pending-branches warning [3, 5]"])
        #expect(
            findings.first?.message
                == "proxy forwarded 603 Decline (step 5) while the branch to callee2 (step 3) was still pending and "
                + "not cancelled.")
    }

    /// The proxy cancels the desk's branch first, as RFC 3261 §16.7 step 5 asks.
    @Test func theOtherBranchWasCancelledFirst() throws {
        let flow = SIPFlow()
        try Self.forkDeclinedByThePhone(flow)
        try flow.cancel(.proxy, .desk, branch: "d1")
        try flow.respond(.proxy, .caller, "603 Decline", branch: "c1", toTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
