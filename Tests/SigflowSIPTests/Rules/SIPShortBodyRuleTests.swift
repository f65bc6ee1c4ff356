import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowSIP

/// S21: a UDP message whose body is shorter than its Content-Length.
struct SIPShortBodyRuleTests {
    let rule = SIPShortBodyRule()

    /// An INVITE whose Content-Length says 200 bytes of SDP while 10 follow.
    static let invite =
        sipText(
            "INVITE sip:bob@example.com SIP/2.0", branch: "b1", cseq: "1 INVITE", headers: ["Content-Type: text/plain"]
        )
        .replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: 200") + "0123456789"

    @Test func theSenderPromisedMoreThanItSent() throws {
        let flow = SIPFlow()
        try flow.send(Self.invite, from: .caller, to: .phone)
        let findings = flow.findings(rule)
        #expect(findings.map(\.outline) == ["sip.S21.short-body error [1]"])
        #expect(
            findings.first?.message == "INVITE (step 1) declares Content-Length 200 but its body is 190 bytes short.")
    }

    /// The capture's snapshot length cut the datagram: it was whole on the wire.
    @Test func theCaptureCutTheDatagram() throws {
        let flow = SIPFlow()
        try flow.send(Self.invite, from: .caller, to: .phone, missingBytes: 190)
        #expect(flow.findings(rule).isEmpty)
    }
}
