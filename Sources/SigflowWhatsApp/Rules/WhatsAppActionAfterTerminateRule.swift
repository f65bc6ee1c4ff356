import SigflowCore

/// W9: a call action after the terminate that ended the call between the caller and a device.
///
/// A terminate ends a leg when it has no reason, `timeout` or `group_call_ended`; a `*_elsewhere`
/// terminate only dismisses a ringing sibling and is W2/W6's business. After an ending terminate
/// between the caller and device D, any further stanza between them but acks and terminates (the
/// caller terminates each rung device in turn) is flagged.
struct WhatsAppActionAfterTerminateRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W9.action-after-terminate", signalingProtocol: .whatsapp, severity: .error,
        summary: "A call action (other than an ack) follows the terminate that ended the call.",
        clause: "Baileys deletes call state on terminate; whatsapp-rust ends the registry entry")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        guard let creator = view.creator else { return [] }
        let ends = view.calls(["terminate"]).filter { !$0.isDismissal }
        var findings: [Finding] = []
        var flagged: Set<String> = []
        for end in ends {
            let device = end.sender == creator ? end.target : end.sender
            guard let device else { continue }
            let later = view.stanzas.filter { stanza in
                stanza.tag == .call && stanza.action != "terminate" && end.precedes(stanza)
                    && ((stanza.sender == device && (stanza.target == creator || stanza.target == nil))
                        || (stanza.sender == creator && stanza.target == device))
            }
            for action in later where flagged.insert("\(action.id)|\(action.action)").inserted {
                findings.append(
                    descriptor.finding(
                        "<\(action.action)> (step \(action.step)) follows the terminate (step \(end.step)) that ended "
                            + "the call with \(device).",
                        steps: [end.step, action.step]))
            }
        }
        return findings
    }
}
