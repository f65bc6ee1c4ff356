import SigflowCore

/// M16: a device acts on an invite whose end it had already received in the same /sync batch.
struct MatrixRingingAfterBatchRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M16.ringing-after-ended-batch", signalingProtocol: .matrix, severity: .warning,
        summary:
            "A device answers an invite although the same /sync batch that brought the invite also held its hangup, reject or answer.",
        clause: "Matrix Client-Server API, Voice over IP: Call Event Liveness")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let invite = view.invite else { return [] }
        let enders = view.events.filter {
            ["m.call.hangup", "m.call.reject", "m.call.answer"].contains(
                $0.stableType)
        }
        var findings: [Finding] = []
        for answer in view.events("m.call.answer") {
            guard let device = answer.senderDevice, let delivered = invite.delivery(to: device) else { continue }
            let batch = delivered.sightings[0].source
            guard
                let ended = enders.first(where: { ender in
                    ender.senderDevice != device && ender.delivery(to: device)?.sightings[0].source == batch
                })
            else { continue }
            findings.append(
                descriptor.finding(
                    "\(answer.party) answered (step \(answer.step)) although the /sync batch that brought the invite "
                        + "(step \(delivered.number)) also held \(ended.type) (step \(ended.step)).",
                    steps: [delivered.number, answer.step]))
        }
        return findings
    }
}
