import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W13: a Baileys log reporting call status "ringing".
struct WhatsAppBaileysRingingRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppBaileysRingingRule()

    /// A pino line with a received stanza, then the `recv call event` block Baileys prints for it.
    static func received(_ time: String, id: String, action: String, status: String) -> [String] {
        [
            #"{"level":10,"time":"2026-03-24T19:20:\#(time)Z","msg":"recv xml","xml":"<call from='\#(L.alice)' "#
                + #"id='\#(id)' t='1774380001'><\#(action) call-id='CALL1' call-creator='\#(L.alice)'/></call>"}"#,
            "recv call event [", "  {", "    id: 'CALL1',", "    status: '\(status)',", "  }", "]",
            #"{"level":10,"time":"2026-03-24T19:20:\#(time)Z","msg":"xml send","xml":"<ack id='\#(id)' "#
                + #"to='\#(L.alice)' class='call'/>"}"#,
        ]
    }

    @Test func anUnknownActionReportedAsRinging() {
        let log =
            Self.received("01.000", id: "S1", action: "offer", status: "offer")
            + Self.received("03.000", id: "S2", action: "mute_v2", status: "ringing")
        let findings = L.findings(rule, logs: [log])
        #expect(findings.map(\.outline) == ["whatsapp.W13.baileys-ringing warning [5, 7]"])
        #expect(
            findings.first?.message
                == "Baileys reports status 'ringing' (step 7) after <mute_v2> (step 5); it is Baileys' name for any "
                + "action it does not know, not a ringing device.")
    }

    @Test func knownActionsKeepTheirStatus() {
        let log =
            Self.received("01.000", id: "S1", action: "offer", status: "offer")
            + Self.received("03.000", id: "S2", action: "terminate", status: "terminate")
        #expect(L.findings(rule, logs: [log]).isEmpty)
    }
}
