import SigflowCore

/// W2: a device accepts after it was sent `terminate reason="rejected_elsewhere"` or
/// `"accepted_elsewhere"`: it was dismissed and should have stopped ringing.
struct WhatsAppAcceptAfterDismissalRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W2.accept-after-dismissal", signalingProtocol: .whatsapp, severity: .warning,
        summary: "A device accepts after it was sent terminate rejected_elsewhere or accepted_elsewhere. [U]",
        clause: "whatsapp-rust handlers/call.rs, types/call.rs (sibling dismissal)")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        let dismissals = view.calls(["terminate"]).filter(\.isDismissal)
        return view.calls(["accept"]).compactMap { accept in
            guard let device = accept.sender,
                let dismissal = dismissals.first(where: { $0.target == device && $0.precedes(accept) })
            else { return nil }
            return descriptor.finding(
                "\(device) accepts (step \(accept.step)) after it was dismissed with terminate "
                    + "\(dismissal.reason ?? "") (step \(dismissal.step)).",
                steps: [dismissal.step, accept.step])
        }
    }
}
