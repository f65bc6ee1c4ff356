import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W5: a user's decline followed by an accept from another of the user's devices.
struct WhatsAppAcceptAfterDeclineRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppAcceptAfterDeclineRule()

    /// alice's log: the phone refuses (with `extra`), then the desktop accepts.
    static func refusedThenAccepted(_ extra: String) -> [String] {
        [L.offer("14:07:12.000")] + L.received("14:07:13.000", id: "R1", from: L.phone, action: "reject", extra: extra)
            + L.received("14:07:14.000", id: "A1", from: L.desktop, action: "accept")
    }

    @Test func theDesktopAcceptsAfterTheUserDeclined() {
        let findings = L.findings(rule, logs: [Self.refusedThenAccepted("")])
        #expect(findings.map(\.outline) == ["whatsapp.W5.accept-after-decline warning [5, 8]"])
        #expect(
            findings.first?.message
                == "447700900123:24@s.whatsapp.net accepts (step 8) after 447700900123@s.whatsapp.net declined the "
                + "call for the user (step 5).")
    }

    /// Busy refuses on that device only: the desktop may take the call.
    @Test func theDesktopAcceptsAfterThePhoneWasBusy() {
        #expect(L.findings(rule, logs: [Self.refusedThenAccepted(#" reason="busy""#)]).isEmpty)
    }
}
