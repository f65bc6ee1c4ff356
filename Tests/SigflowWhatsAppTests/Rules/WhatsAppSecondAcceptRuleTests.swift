import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W3: a second callee device accepts after the first.
struct WhatsAppSecondAcceptRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppSecondAcceptRule()

    /// alice's log: the desktop accepts and alice dismisses the phone (steps 1 to 8).
    static let accepted =
        [L.offer("14:07:12.000")] + L.received("14:07:15.000", id: "A1", from: L.desktop, action: "accept")
        + [L.sent("14:07:15.010", id: "T1", to: L.phone, action: "terminate", extra: #" reason="accepted_elsewhere""#)]

    @Test func thePhoneAcceptsToo() {
        let findings = L.findings(
            rule, logs: [Self.accepted + L.received("14:07:16.000", id: "A2", from: L.phone, action: "accept")])
        #expect(findings.map(\.outline) == ["whatsapp.W3.second-accept warning [5, 10]"])
        #expect(
            findings.first?.message
                == "447700900123@s.whatsapp.net accepts (step 10) after 447700900123:24@s.whatsapp.net already "
                + "accepted (step 5).")
    }

    @Test func oneAcceptAndTheSiblingDismissed() {
        #expect(L.findings(rule, logs: [Self.accepted]).isEmpty)
    }
}
