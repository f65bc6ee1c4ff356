import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W9: a call action after the terminate that ended the call with a device.
struct WhatsAppActionAfterTerminateRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppActionAfterTerminateRule()

    /// alice's log: the phone accepts and alice hangs up on it (steps 1 to 8).
    static let hungUp =
        [L.offer("14:07:12.000")] + L.received("14:07:14.000", id: "A1", from: L.phone, action: "accept")
        + [L.sent("14:07:30.000", id: "T1", to: L.phone, action: "terminate")]

    @Test func thePhoneGoesOnAfterTheTerminate() {
        let findings = L.findings(
            rule, logs: [Self.hungUp + L.received("14:07:31.000", id: "X1", from: L.phone, action: "transport")])
        #expect(findings.map(\.outline) == ["whatsapp.W9.action-after-terminate error [7, 10]"])
        #expect(
            findings.first?.message
                == "<transport> (step 10) follows the terminate (step 7) that ended the call with "
                + "447700900123@s.whatsapp.net.")
    }

    /// The caller terminates each device it rang, in turn.
    @Test func aTerminateToEachDevice() {
        let log = Self.hungUp + [L.sent("14:07:30.010", id: "T2", to: L.desktop, action: "terminate")]
        #expect(L.findings(rule, logs: [log]).isEmpty)
    }
}
