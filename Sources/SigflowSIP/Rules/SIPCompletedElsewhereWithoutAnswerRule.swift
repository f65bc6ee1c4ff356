import SigflowCore

/// S10: a CANCEL claiming the call was completed elsewhere when no branch answered.
struct SIPCompletedElsewhereWithoutAnswerRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S10.completed-elsewhere-without-answer", signalingProtocol: .sip, severity: .warning,
        summary: "A CANCEL says 'Call completed elsewhere' (Reason: SIP;cause=200) but no branch answered with 2xx.",
        clause: "RFC 3326 §2; RFC 3261 §16.10")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        let answered = view.steps.contains { $0.isInviteResponse && $0.status?.isSuccess == true }
        guard !answered else { return [] }
        return view.steps.compactMap { cancel in
            guard cancel.isRequest("CANCEL"), cancel.step.message.elsewhere == .answered,
                // A proxy forwards any 2xx upstream: without its upstream leg the capture cannot tell.
                view.invites.contains(where: { $0.to == cancel.from })
            else { return nil }
            return descriptor.finding(
                "\(cancel.from) cancelled \(cancel.to) (step \(cancel.number)) saying the call was completed "
                    + "elsewhere, but no branch of the call answered.",
                steps: [cancel.number])
        }
    }
}
