import SigflowCore

/// X4: a Jingle session-initiate for a JMI id that was already rejected or retracted.
struct XMPPInitiateAfterRefusalRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X4.initiate-after-refusal", signalingProtocol: .xmpp, severity: .error,
        summary:
            "A session-initiate whose sid is a JMI id that was rejected or retracted (initiate only after <proceed>).",
        clause: "XEP-0353 #initiate")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard let refusal = view.jingleMessages("reject", "retract").first,
            let initiate = view.jingleActions("session-initiate").first(where: { $0.time > refusal.time })
        else { return [] }
        return [
            descriptor.finding(
                "session-initiate (step \(initiate.step)) reuses JMI id \(call.callID) after \(refusal.label) "
                    + "(step \(refusal.step)).",
                steps: [refusal.step, initiate.step])
        ]
    }
}
