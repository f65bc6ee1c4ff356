import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W1: an action for a call no log shows an offer for, while the log was running.
struct WhatsAppActionWithoutOfferRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppActionWithoutOfferRule()
    static let reject = L.sent("14:07:13.000", id: "R1", to: L.alice, action: "reject")

    /// The phone's log runs from before the call, and shows its reject but no offer.
    @Test func aRejectOfAnOfferTheLogNeverShowed() {
        let findings = L.findings(rule, logs: [["14:07:00.000 [Client INFO] Successfully authenticated", Self.reject]])
        #expect(findings.map(\.outline) == ["whatsapp.W1.action-without-offer warning [1]"])
        #expect(
            findings.first?.message
                == "<reject> (step 1) concerns call CALL1, but no log shows an offer for it although the log was "
                + "already running.")
    }

    /// The log starts with the reject: the offer came before it began.
    @Test func aLogThatStartsWithTheReject() {
        #expect(L.findings(rule, logs: [[Self.reject]]).isEmpty)
    }
}
