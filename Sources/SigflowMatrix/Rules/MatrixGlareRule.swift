import SigflowCore

/// M15: glare between two calls in one room: the call with the lesser call_id must survive.
struct MatrixGlareRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M15.glare-wrong-call-kept", signalingProtocol: .matrix, severity: .warning,
        summary:
            "Two users invite each other in one room at once and the call with the lesser call_id is the one aborted, or both survive.",
        clause: "Matrix Client-Server API, Voice over IP: Glare")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite, let room = invite.roomID else { return [] }
        var findings: [Finding] = []
        for other in context.calls where other.signalingProtocol == .matrix && other.callID != call.callID {
            // The shared view is this call's: the other call gets its own.
            let otherView = MatrixCallView(other)
            guard let otherInvite = otherView.invite, otherInvite.roomID == room,
                otherInvite.senderUser != invite.senderUser, call.callID < other.callID,
                // The two invites crossed: each was sent before the other call was settled.
                otherInvite.time < (view.events.last?.time ?? invite.time),
                invite.time < (otherView.events.last?.time ?? otherInvite.time)
            else { continue }
            // This call has the lesser id and must survive.
            if call.outcome == .cancelled {
                findings.append(
                    descriptor.finding(
                        "Glare with call \(other.callID): this call has the lesser call_id and should have survived, but its "
                            + "caller aborted it.",
                        steps: [invite.step]))
            } else if other.outcome == .answered && call.outcome == .answered {
                findings.append(
                    descriptor.finding(
                        "Glare with call \(other.callID): both calls were answered; the one with the greater call_id should "
                            + "have been aborted.",
                        steps: [invite.step]))
            }
        }
        return findings
    }
}
