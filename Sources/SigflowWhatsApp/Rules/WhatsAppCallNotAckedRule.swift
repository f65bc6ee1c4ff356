import SigflowCore

/// W10: a `<call>` a log shows as received, with no `<ack class="call" id=...>` sent by the same log
/// afterwards. Judged only when that log goes on to show more of the call (it did not just end).
/// Server acks of sent stanzas are not required: the server's side is not logged.
struct WhatsAppCallNotAckedRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W10.call-not-acked", signalingProtocol: .whatsapp, severity: .error,
        summary: "A received <call> is never answered with <ack class=\"call\" id=...> by the receiving client.",
        clause:
            "whatsmeow receipt.go sendAck; Baileys stanza-ack.ts; whatsapp-rust should_ack")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        var findings: [Finding] = []
        let observed = call.steps.filter {
            $0.message.signalingProtocol == .whatsapp && $0.message.confidence == .observed
        }
        for stanza in view.calls(Set(view.stanzas.map(\.action))) {
            for delivery in stanza.steps
            where delivery.message.confidence == .observed && delivery.message.waLog?.direction == .recv {
                let source = delivery.sightings[0].source
                let sameLog = observed.filter { $0.sightings.contains { $0.source.capture == source.capture } }
                func line(_ step: CallStep) -> Int {
                    step.sightings.first { $0.source.capture == source.capture }?.source.frame ?? 0
                }
                let acked = sameLog.contains {
                    $0.message.waLog?.stanza == .ack && $0.message.waLog?.stanzaID == stanza.id
                        && $0.message.waLog?.direction == .send && line($0) > source.frame
                }
                let logGoesOn = sameLog.contains { line($0) > source.frame }
                guard !acked, logGoesOn else { continue }
                findings.append(
                    descriptor.finding(
                        "<call><\(stanza.action)> received at step \(delivery.number) "
                            + "(\(delivery.message.waLogName) line \(source.frame)) is never acked "
                            + "by that client.",
                        steps: [delivery.number]))
            }
        }
        return findings
    }
}
