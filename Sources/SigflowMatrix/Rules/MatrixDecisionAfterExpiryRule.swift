import SigflowCore

/// M12: an answer or reject sent after the invite expired or after the caller's invite_timeout hang-up.
struct MatrixDecisionAfterExpiryRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M12.decision-after-expiry", signalingProtocol: .matrix, severity: .warning,
        summary:
            "An answer or reject is sent after the invite's lifetime ran out, or after the caller hung up with invite_timeout.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.invite lifetime; Call Event Liveness")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite else { return [] }
        let lifetime = invite.lifetime.map(Self.milliseconds)
        let timeout = view.events("m.call.hangup").first { $0.reason == "invite_timeout" }
        var findings: [Finding] = []
        for decision in view.events("m.call.answer") + view.events("m.call.reject") {
            if let timeout, decision.time > timeout.time {
                findings.append(
                    descriptor.finding(
                        "\(decision.party) sent \(decision.type) (step \(decision.step)) after the caller gave up with "
                            + "invite_timeout (step \(timeout.step)).",
                        steps: [timeout.step, decision.step]))
                continue
            }
            guard let lifetime, let device = decision.senderDevice, let delivered = invite.delivery(to: device) else {
                continue
            }
            // The invite was `age` ms old when it reached the device.
            let age = delivered.message.matrix?.age.map(Self.milliseconds) ?? 0
            let expiry = delivered.time.adding(nanoseconds: (lifetime - age) * 1_000_000)
            guard decision.time > expiry.adding(nanoseconds: 1_000_000_000) else { continue }
            findings.append(
                descriptor.finding(
                    "\(decision.party) sent \(decision.type) (step \(decision.step)) after the invite's \(lifetime / 1000) s "
                        + "lifetime had run out.",
                    steps: [invite.step, decision.step]))
        }
        return findings
    }

    /// A duration the sender chose, kept between zero and ten years so that arithmetic in nanoseconds
    /// cannot overflow: a longer lifetime never runs out within a capture anyway.
    static func milliseconds(_ value: Int) -> Int64 {
        min(max(Int64(value), 0), 315_360_000_000)
    }
}
