import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W11: the server refuses the offer, yet the call goes on.
struct WhatsAppRefusedOfferContinuesRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppRefusedOfferContinuesRule()

    /// alice's log: the offer, and the server's ack of it with an error (steps 1 to 4).
    static let refused = [
        L.offer("14:07:12.000"),
        L.line(
            "14:07:12.300", "Recv",
            #"<ack class="call" error="439" from="447700900123@s.whatsapp.net" id="OFFER1" t="1773324432" type="offer"/>"#
        ),
    ]

    @Test func theCallerGoesOnAfterTheRefusal() {
        let findings = L.findings(
            rule, logs: [Self.refused + [L.sent("14:07:13.000", id: "L1", to: L.phone, action: "relaylatency")]])
        #expect(findings.map(\.outline) == ["whatsapp.W11.refused-offer-continues warning [4, 5]"])
        #expect(
            findings.first?.message
                == "The server refused the offer (step 4, error 439), yet <relaylatency> follows (step 5).")
    }

    @Test func theCallerGivesUp() {
        let log = Self.refused + [L.sent("14:07:12.400", id: "T1", to: L.phone, action: "terminate")]
        #expect(L.findings(rule, logs: [log]).isEmpty)
    }
}
