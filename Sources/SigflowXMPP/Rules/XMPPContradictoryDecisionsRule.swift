import SigflowCore

/// X2: one resource proceeds and another resource of the same user rejects the same proposal.
struct XMPPContradictoryDecisionsRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X2.contradictory-decisions", signalingProtocol: .xmpp, severity: .error,
        summary:
            "A <proceed> from one resource after another resource of the same user sent <reject> for the id "
            + "(or the reverse): a reject stops every device.",
        clause: "XEP-0353 #reject, #proceed; XEP-0280 #outbound")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        let decisions = view.jingleMessages("proceed", "accept", "reject")
        var findings: [Finding] = []
        var reported: Set<String> = []
        for (index, later) in decisions.enumerated() {
            guard
                let earlier = decisions[..<index].first(where: {
                    $0.user == later.user && $0.origin != later.origin
                        && ($0.element == "reject") != (later.element == "reject")
                }), reported.insert(later.user).inserted
            else { continue }
            findings.append(
                descriptor.finding(
                    "\(JID.short(later.origin)) sends \(later.label) (step \(later.step)) after "
                        + "\(JID.short(earlier.origin)) of the same user sent \(earlier.label) (step \(earlier.step)) "
                        + "for call \(call.callID).",
                    steps: [earlier.step, later.step]))
        }
        return findings
    }
}
