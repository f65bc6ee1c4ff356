import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W8: the caller's own device sends reject.
struct WhatsAppCallerRejectsRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppCallerRejectsRule()

    @Test func theCallerRejects() {
        let findings = L.findings(
            rule, logs: [[L.offer("14:07:12.000"), L.sent("14:07:14.000", id: "R1", to: L.phone, action: "reject")]])
        #expect(findings.map(\.outline) == ["whatsapp.W8.caller-rejects error [4]"])
        #expect(
            findings.first?.message
                == "The caller's device 4915112345678:7@s.whatsapp.net sends <reject> (step 4) for its own call.")
    }

    @Test func theCallerTerminates() {
        let log = [L.offer("14:07:12.000"), L.sent("14:07:14.000", id: "T1", to: L.phone, action: "terminate")]
        #expect(L.findings(rule, logs: [log]).isEmpty)
    }
}
