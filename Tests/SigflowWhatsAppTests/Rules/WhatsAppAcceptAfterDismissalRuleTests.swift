import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W2: a device accepts after it was dismissed with a `*_elsewhere` terminate.
struct WhatsAppAcceptAfterDismissalRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppAcceptAfterDismissalRule()

    /// alice's log: the phone preaccepts, the desktop accepts (steps 1 to 9).
    static let desktopAccepted =
        [L.offer("14:07:12.000")] + L.received("14:07:13.000", id: "P1", from: L.phone, action: "preaccept")
        + L.received("14:07:15.000", id: "A1", from: L.desktop, action: "accept")
    static let dismissal = L.sent(
        "14:07:15.010", id: "T1", to: L.phone, action: "terminate", extra: #" reason="accepted_elsewhere""#)

    @Test func thePhoneAcceptsAfterItWasDismissed() {
        let log =
            Self.desktopAccepted + [Self.dismissal]
            + L.received("14:07:16.000", id: "A2", from: L.phone, action: "accept")
        let findings = L.findings(rule, logs: [log])
        #expect(findings.map(\.outline) == ["whatsapp.W2.accept-after-dismissal warning [10, 13]"])
        #expect(
            findings.first?.message
                == "447700900123@s.whatsapp.net accepts (step 13) after it was dismissed with terminate "
                + "accepted_elsewhere (step 10).")
    }

    /// The phone's accept crossed the dismissal: the log shows it first.
    @Test func anAcceptCrossingTheDismissal() {
        let log =
            Self.desktopAccepted + L.received("14:07:15.005", id: "A2", from: L.phone, action: "accept") + [
                Self.dismissal
            ]
        #expect(L.findings(rule, logs: [log]).isEmpty)
    }
}
