import SigflowCore

/// W6: `terminate reason="accepted_elsewhere"` addressed to the very device that accepted.
struct WhatsAppAnswererDismissedRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W6.answerer-dismissed", signalingProtocol: .whatsapp, severity: .warning,
        summary: "terminate accepted_elsewhere is sent to the device that itself accepted. [U]",
        clause: "whatsapp-rust handlers/call.rs (routed answerer must not receive accepted_elsewhere)")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        let accepts = view.calls(["accept"])
        return view.calls(["terminate"]).filter { $0.reason == "accepted_elsewhere" }.compactMap { terminate in
            guard let target = terminate.target,
                let accept = accepts.first(where: { $0.sender == target && $0.precedes(terminate) })
            else { return nil }
            return descriptor.finding(
                "terminate accepted_elsewhere (step \(terminate.step)) goes to \(target), the device whose accept "
                    + "(step \(accept.step)) it answers.",
                steps: [accept.step, terminate.step])
        }
    }
}
