import SigflowCore

/// S12: the callee sends BYE on an early dialog instead of a final response.
struct SIPByeOnEarlyDialogRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S12.bye-on-early-dialog", signalingProtocol: .sip, severity: .error,
        summary: "The callee sends BYE on an early dialog (before its 2xx) instead of a final response.",
        clause: "RFC 3261 §15")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        let calleeTags = view.deviceTags
        return view.steps.compactMap { bye in
            guard bye.isRequest("BYE"), let tag = bye.fromTag, calleeTags.contains(tag) else { return nil }
            let confirmed = view.steps.contains {
                $0.isInviteResponse && $0.status?.isSuccess == true && $0.toTag == tag && $0.time <= bye.time
            }
            guard !confirmed else { return nil }
            return descriptor.finding(
                "\(bye.from) sent BYE (step \(bye.number)) on a dialog it never answered with 2xx: a callee ends an "
                    + "unanswered call with a final response, not BYE.",
                steps: [bye.number])
        }
    }
}
