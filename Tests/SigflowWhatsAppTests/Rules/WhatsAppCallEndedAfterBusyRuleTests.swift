import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W4: the caller ends the call right after one device refused as busy while another rang.
struct WhatsAppCallEndedAfterBusyRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppCallEndedAfterBusyRule()

    /// alice's log: the phone preaccepts, the desktop refuses as busy (steps 1 to 9).
    static let ringing =
        [L.offer("14:07:12.000")] + L.received("14:07:12.500", id: "P1", from: L.phone, action: "preaccept")
        + L.received("14:07:13.000", id: "R1", from: L.desktop, action: "reject", extra: #" reason="busy""#)

    @Test func theCallerHangsUpOnTheBusyDesktop() {
        let findings = L.findings(
            rule, logs: [Self.ringing + [L.sent("14:07:13.200", id: "T1", to: L.phone, action: "terminate")]])
        #expect(findings.map(\.outline) == ["whatsapp.W4.call-ended-after-busy warning [5, 8, 10]"])
        #expect(
            findings.first?.message
                == "The caller ends the call (step 10) right after 447700900123:24@s.whatsapp.net refused as busy "
                + "(step 8), while 447700900123@s.whatsapp.net was ringing (step 5).")
    }

    /// alice lets the phone ring until it times out.
    @Test func theCallerWaitsForThePhone() {
        let timeout = L.sent("14:07:58.000", id: "T1", to: L.phone, action: "terminate", extra: #" reason="timeout""#)
        #expect(L.findings(rule, logs: [Self.ringing + [timeout]]).isEmpty)
    }
}
