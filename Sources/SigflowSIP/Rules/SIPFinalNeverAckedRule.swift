import SigflowCore

/// S15: a non-2xx final response that is never acknowledged.
struct SIPFinalNeverAckedRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S15.final-never-acked", signalingProtocol: .sip, severity: .error,
        summary: "A non-2xx final response to INVITE is never acknowledged (retransmitted until Timer H).",
        clause: "RFC 3261 §17.2.1")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            for final in view.responses(to: invite) where (final.status ?? 0) >= 300 {
                let acked = view.requests("ACK", onHopOf: invite).contains { $0.time >= final.time }
                let copies = 1 + final.step.retransmissions.count
                // Judge only when the capture shows the whole wait: Timer H is 64*T1 = 32 s.
                guard !acked, copies >= 3 || context.covers(32, after: final.time) else { continue }
                let last = final.step.retransmissions.last?.time ?? final.step.sightings[0].time
                findings.append(
                    descriptor.finding(
                        "\(final.step.message.label) (step \(final.number)) was sent \(copies) time"
                            + (copies == 1 ? "" : "s") + " over "
                            + "\(Int((Double(last.nanoseconds(since: final.step.sightings[0].time)) / 1e9).rounded())) s "
                            + "and never acknowledged.",
                        steps: [final.number]))
            }
        }
        return findings
    }
}
