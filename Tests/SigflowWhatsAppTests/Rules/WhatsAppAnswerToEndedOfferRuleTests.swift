import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W7: a preaccept or accept answering an offer that says the call already ended.
struct WhatsAppAnswerToEndedOfferRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppAnswerToEndedOfferRule()

    /// The phone's log: alice's offer (with `extra`) arrives, and the phone preaccepts.
    static func preaccepted(offer extra: String) -> [String] {
        L.received("14:07:12.000", id: "OFFER1", from: L.alice, action: "offer", extra: extra)
            + [L.sent("14:07:12.100", id: "P1", to: L.alice, action: "preaccept")]
    }

    @Test func thePhoneAnswersAnEndedOffer() {
        let findings = L.findings(rule, logs: [Self.preaccepted(offer: #" is_call_ended="1""#)])
        #expect(findings.map(\.outline) == ["whatsapp.W7.answer-to-ended-offer warning [2, 4]"])
        #expect(
            findings.first?.message
                == "<preaccept> (step 4) answers an offer (step 2) that announces an already-ended call.")
    }

    @Test func thePhoneAnswersALiveOffer() {
        #expect(L.findings(rule, logs: [Self.preaccepted(offer: "")]).isEmpty)
    }
}
