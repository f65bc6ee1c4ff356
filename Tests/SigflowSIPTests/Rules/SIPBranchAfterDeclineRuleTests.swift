import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S3: a proxy forks a new branch after a 6xx.
struct SIPBranchAfterDeclineRuleTests {
    let rule = SIPBranchAfterDeclineRule()

    static func serialFork(_ flow: SIPFlow, firstAnswer: String) throws {
        try flow.invite(.caller, .proxy, branch: "c1")
        try flow.invite(.proxy, .phone, branch: "p1")
        try flow.respond(.phone, .proxy, firstAnswer, branch: "p1", toTag: "ph")
        try flow.invite(.proxy, .desk, branch: "d1")
    }

    @Test func theProxyTriesTheDeskAfterTheDecline() throws {
        let flow = SIPFlow()
        try Self.serialFork(flow, firstAnswer: "603 Decline")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S3.branch-after-decline error [3, 4]"])
        #expect(
            findings.first?.message
                == "proxy sent a new INVITE to callee2 (step 4) after receiving 603 Decline (step 3).")
    }

    /// Serial forking after a busy device is what proxies are for.
    @Test func aNewBranchAfterBusyIsSerialForking() throws {
        let flow = SIPFlow()
        try Self.serialFork(flow, firstAnswer: "486 Busy Here")
        #expect(flow.findings(rule).isEmpty)
    }
}
