import SigflowCore

/// W11: the server acks the caller's offer with an `error` (it refused the offer), yet the call goes
/// on: the caller sends further actions other than terminate, or gets preaccepts and accepts.
struct WhatsAppRefusedOfferContinuesRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W11.refused-offer-continues", signalingProtocol: .whatsapp, severity: .warning,
        summary: "The server's ack of the offer carries an error, yet the call continues.",
        clause: "purpshell/meowcaller onCallAck; JotaDev66/WaCalls PR #10")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        guard
            let refusal = view.acks.first(where: {
                $0.message.waLog?.action == "offer" && $0.message.waLog?.error != nil && $0.message.sender.isServer
            })
        else { return [] }
        let later = view.stanzas.filter { stanza in
            stanza.tag == .call && stanza.time > refusal.time
                && ((stanza.sender == view.creator && stanza.action != "terminate")
                    || ["preaccept", "accept"].contains(stanza.action))
        }
        guard let first = later.first else { return [] }
        return [
            descriptor.finding(
                "The server refused the offer (step \(refusal.number), error \(refusal.message.waLog?.error ?? "")), "
                    + "yet <\(first.action)> follows (step \(first.step)).",
                steps: [refusal.number] + later.map(\.step))
        ]
    }
}
