import SigflowCore

/// X3: two resources proceed for one proposal; only one device can take the call.
struct XMPPTwoProceedsRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X3.two-proceeds", signalingProtocol: .xmpp, severity: .warning,
        summary: "Two <proceed> from different resources for one JMI id: only one device takes the call.",
        clause: "XEP-0353 #proceed (implicit)")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let proceeds = context.views.view(XMPPCallView.self) { XMPPCallView(call) }.jingleMessages("proceed", "accept")
        guard let first = proceeds.first,
            let second = proceeds.first(where: { $0.origin != first.origin && $0.user == first.user })
        else { return [] }
        return [
            descriptor.finding(
                "Both \(JID.short(first.origin)) (step \(first.step)) and \(JID.short(second.origin)) "
                    + "(step \(second.step)) accept call \(call.callID).",
                steps: [first.step, second.step])
        ]
    }
}
