import SigflowCore

/// X9: a JMI `<reject>` without `<reason>`.
struct XMPPRejectWithoutReasonRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X9.reject-without-reason", signalingProtocol: .xmpp, severity: .info,
        summary: "A JMI <reject> without <reason> (it SHOULD carry one, e.g. <busy/> or <decline/>).",
        clause: "XEP-0353 #reject")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        context.views.view(XMPPCallView.self) { XMPPCallView(call) }.jingleMessages("reject").compactMap { reject in
            guard reject.reason == nil else { return nil }
            return descriptor.finding(
                "<reject> from \(reject.origin) (step \(reject.step)) carries no <reason>.", steps: [reject.step])
        }
    }
}
