import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W6: terminate accepted_elsewhere sent to the device that accepted.
struct WhatsAppAnswererDismissedRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppAnswererDismissedRule()

    static func dismissing(_ device: String) -> [String] {
        [L.offer("14:07:12.000")] + L.received("14:07:15.000", id: "A1", from: L.desktop, action: "accept")
            + [
                L.sent(
                    "14:07:15.010", id: "T1", to: device, action: "terminate", extra: #" reason="accepted_elsewhere""#)
            ]
    }

    @Test func theAnswererIsDismissed() {
        let findings = L.findings(rule, logs: [Self.dismissing(L.desktop)])
        #expect(findings.map(\.outline) == ["whatsapp.W6.answerer-dismissed warning [5, 7]"])
        #expect(
            findings.first?.message
                == "terminate accepted_elsewhere (step 7) goes to 447700900123:24@s.whatsapp.net, the device whose "
                + "accept (step 5) it answers.")
    }

    @Test func theSiblingIsDismissed() {
        #expect(L.findings(rule, logs: [Self.dismissing(L.phone)]).isEmpty)
    }
}
