import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S17: the caller is answered by two devices and does not ACK each, or keeps both dialogs.
struct SIPUnwantedDialogRuleTests {
    let rule = SIPUnwantedDialogRule()

    /// Both devices answer, and the proxy passes both 2xx on (steps 6 and 7).
    func answeredTwice(_ flow: SIPFlow) throws {
        try flow.fork()
        try flow.respond(.phone, .proxy, "200 OK", branch: "p1", toTag: "ph")
        try flow.respond(.desk, .proxy, "200 OK", branch: "d1", toTag: "dk")
        try flow.respond(.proxy, .caller, "200 OK", branch: "c1", toTag: "ph")
        try flow.respond(.proxy, .caller, "200 OK", branch: "c1", toTag: "dk")
    }

    func ack(_ flow: SIPFlow, _ tag: String) throws {
        try flow.ack(.caller, .proxy, branch: "k-\(tag)", toTag: tag)
    }

    func bye(_ flow: SIPFlow, _ tag: String) throws {
        try flow.send(.caller, .proxy, "BYE sip:bob@example.com SIP/2.0", branch: "y-\(tag)", cseq: "2 BYE", toTag: tag)
    }

    @Test func theCallerKeepsBothDialogs() throws {
        let flow = SIPFlow()
        try answeredTwice(flow)
        try ack(flow, "ph")
        try ack(flow, "dk")
        let findings = flow.findings(rule, captureEndsAfter: 33)
        #expect(findings.map(\.outline) == ["sip.S17.unwanted-dialog-not-ended warning [6, 7]"])
        #expect(
            findings.first?.message
                == "The caller was answered by 2 devices and kept 2 of the dialogs (steps 6, 7) for 32 s without a BYE."
        )
    }

    @Test func theCallerNeverAcknowledgesTheSecondAnswer() throws {
        let flow = SIPFlow()
        try answeredTwice(flow)
        try ack(flow, "ph")
        try bye(flow, "dk")
        let findings = flow.findings(rule, captureEndsAfter: 33)
        #expect(findings.map(\.outline) == ["sip.S17.unwanted-dialog-not-ended warning [7]"])
        #expect(findings.first?.message == "The caller never acknowledged 200 OK from device dk (step 7).")
    }

    /// RFC 3261 §13.2.2.4: acknowledge every 2xx, then end the dialogs not wanted with BYE.
    @Test func theCallerAcknowledgesBothAndEndsOne() throws {
        let flow = SIPFlow()
        try answeredTwice(flow)
        try ack(flow, "ph")
        try ack(flow, "dk")
        try bye(flow, "dk")
        #expect(flow.findings(rule, captureEndsAfter: 33).isEmpty)
    }

    /// The capture ends before the caller's 64×T1 is up: it may still act.
    @Test func aShortCaptureCannotTell() throws {
        let flow = SIPFlow()
        try answeredTwice(flow)
        try ack(flow, "ph")
        #expect(flow.findings(rule, captureEndsAfter: 10).isEmpty)
    }
}
