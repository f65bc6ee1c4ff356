import SigflowCore

/// W7: a preaccept or accept answering an offer that says the call already ended
/// (`is_call_ended="1"` or a `terminate_reason`).
struct WhatsAppAnswerToEndedOfferRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W7.answer-to-ended-offer", signalingProtocol: .whatsapp, severity: .warning,
        summary: "A preaccept or accept answers an offer marked is_call_ended or carrying terminate_reason.",
        clause: "purpshell/meowcaller engine.go onOffer")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        let ended = view.calls(["offer"]).filter {
            $0.isCallEnded == "1" || $0.terminateReason != nil
        }
        guard let offer = ended.first else { return [] }
        return view.calls(["preaccept", "accept"]).filter { offer.precedes($0) }.map { answer in
            descriptor.finding(
                "<\(answer.action)> (step \(answer.step)) answers an offer (step \(offer.step)) that announces an "
                    + "already-ended call.",
                steps: [offer.step, answer.step])
        }
    }
}
