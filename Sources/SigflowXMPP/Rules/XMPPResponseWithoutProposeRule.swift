import SigflowCore

/// X1: a JMI `<ringing>`, `<proceed>` or `<reject>` whose id matches no `<propose>`, when the capture
/// would have shown the propose: the responder's connection followed from its stream header, with
/// no archive catch-up, stream resumption, delayed delivery or lost bytes.
struct XMPPResponseWithoutProposeRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X1.response-without-propose", signalingProtocol: .xmpp, severity: .warning,
        summary:
            "A JMI <ringing>, <proceed> or <reject> whose id matches no <propose> in a capture that would show it "
            + "(no MAM catch-up, stream resumption or gap).",
        clause: "XEP-0353 #ring, #proceed, #reject")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard view.jingleMessages("propose").isEmpty, !view.mayMissStanzas else { return [] }
        // The responder's own send must be seen: its connection is where the propose would have arrived.
        let responses = view.jingleMessages("ringing", "proceed", "reject").filter { $0.send != nil }
        guard let first = responses.first else { return [] }
        return [
            descriptor.finding(
                "\(first.label) from \(first.origin) (step \(first.step)) answers JMI id \(call.callID), but no "
                    + "<propose> with that id reached it: its connection is in the capture from the stream header on.",
                steps: responses.map(\.step))
        ]
    }
}
