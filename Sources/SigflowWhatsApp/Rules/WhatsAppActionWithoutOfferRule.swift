import SigflowCore

/// W1: a reject, accept, preaccept or terminate for a call-id no log shows an offer for, while the log
/// that shows the action was already running (it has earlier lines) and nothing was replayed from the
/// offline queue.
struct WhatsAppActionWithoutOfferRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W1.action-without-offer", signalingProtocol: .whatsapp, severity: .warning,
        summary:
            "A reject, accept, preaccept or terminate for a call-id with no offer or offer_notice in the logs "
            + "(the log was running and nothing was an offline replay).",
        clause: "whatsmeow call.go (actions keyed by call-id); Baileys callOfferCache")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        guard !view.hasOffer, !view.stanzas.contains(where: { $0.offline != nil }) else { return [] }
        let orphans = view.calls(["reject", "accept", "preaccept", "terminate"]).filter { stanza in
            stanza.steps.contains {
                $0.message.confidence == .observed && ($0.message.waLog?.logLine ?? 1) > 1
            }
        }
        guard let first = orphans.first else { return [] }
        return [
            descriptor.finding(
                "<\(first.action)> (step \(first.step)) concerns call \(call.callID), but no log shows an offer "
                    + "for it although the log was already running.",
                steps: orphans.map(\.step))
        ]
    }
}
