import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S4: a proxy had a 6xx but forwarded another refusal.
struct SIPDeclineNotChosenRuleTests {
    let rule = SIPDeclineNotChosenRule()

    static func forkRefusedTwice(_ flow: SIPFlow) throws {
        try flow.fork()
        try flow.respond(.phone, .proxy, "603 Decline", branch: "p1", toTag: "ph")
        try flow.respond(.desk, .proxy, "486 Busy Here", branch: "d1", toTag: "dk")
    }

    @Test func theProxyForwardsTheBusyInsteadOfTheDecline() throws {
        let flow = SIPFlow()
        try Self.forkRefusedTwice(flow)
        try flow.respond(.proxy, .caller, "486 Busy Here", branch: "c1", toTag: "dk")
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S4.decline-not-chosen error [4, 6]"])
        #expect(
            findings.first?.message
                == "proxy received 603 Decline from callee1 (step 4) but forwarded 486 Busy Here (step 6): a 6xx in "
                + "the response context must be the one chosen.")
    }

    @Test func theProxyForwardsTheDecline() throws {
        let flow = SIPFlow()
        try Self.forkRefusedTwice(flow)
        try flow.respond(.proxy, .caller, "603 Decline", branch: "c1", toTag: "ph")
        #expect(flow.findings(rule).isEmpty)
    }
}
