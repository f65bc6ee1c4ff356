import SigflowCore

/// M1: `m.call.reject` for a version 0 invite.
struct MatrixRejectOfVersionZeroRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M1.reject-of-v0-invite", signalingProtocol: .matrix, severity: .error,
        summary: "An m.call.reject answers a version 0 invite, which must be declined with m.call.hangup.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject; MSC2746")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite, invite.version == "0" else { return [] }
        return view.events("m.call.reject").map { reject in
            descriptor.finding(
                "\(reject.senderDevice?.description ?? "A device") rejected with m.call.reject (step \(reject.step)) a version 0 invite "
                    + "(step \(invite.step)); v0 callers only understand m.call.hangup.",
                steps: [invite.step, reject.step])
        }
    }
}
