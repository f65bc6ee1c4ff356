import SigflowCore

/// M11: an answer, reject or hangup for a call whose invite was never seen.
struct MatrixOrphanDecisionRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M11.decision-without-invite", signalingProtocol: .matrix, severity: .warning,
        summary:
            "m.call.answer, reject or hangup for a call_id with no m.call.invite in the capture (and no timeline gap).",
        clause: "Matrix Client-Server API, Voice over IP")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard view.invite == nil, !view.hasTimelineGap else { return [] }
        let decisions = view.events.filter {
            ["m.call.answer", "m.call.reject", "m.call.hangup"].contains(
                $0.stableType)
        }
        guard let first = decisions.first else { return [] }
        return [
            descriptor.finding(
                "\(first.type) (step \(first.step)) concerns call \(call.callID), whose m.call.invite is not in the capture.",
                steps: decisions.map(\.step))
        ]
    }
}
