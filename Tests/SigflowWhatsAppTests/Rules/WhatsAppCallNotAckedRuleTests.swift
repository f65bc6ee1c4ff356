import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W10: a received call stanza the client never acks.
struct WhatsAppCallNotAckedRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppCallNotAckedRule()

    /// The phone's log: alice's offer, without the ack that should follow it.
    static let offer = L.received("14:07:12.000", id: "OFFER1", from: L.alice, action: "offer")[0]

    @Test func theOfferIsNeverAcked() {
        let findings = L.findings(
            rule, logs: [[Self.offer, L.sent("14:07:12.500", id: "P1", to: L.alice, action: "preaccept")]])
        #expect(findings.map(\.outline) == ["whatsapp.W10.call-not-acked error [2]"])
        #expect(
            findings.first?.message
                == "<call><offer> received at step 2 (log1.log line 1) is never acked by that client.")
    }

    /// The log ends right after the offer: the ack may simply not be in it.
    @Test func theLogEndsAtTheOffer() {
        #expect(L.findings(rule, logs: [[Self.offer]]).isEmpty)
    }

    @Test func theOfferIsAcked() {
        let log =
            L.received("14:07:12.000", id: "OFFER1", from: L.alice, action: "offer")
            + [L.sent("14:07:12.500", id: "P1", to: L.alice, action: "preaccept")]
        #expect(L.findings(rule, logs: [log]).isEmpty)
    }
}
