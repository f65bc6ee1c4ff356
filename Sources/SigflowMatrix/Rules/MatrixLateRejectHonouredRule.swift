import SigflowCore

/// M9: a reject that arrives after the caller selected an answer tears the call down anyway.
struct MatrixLateRejectHonouredRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M9.late-reject-honoured", signalingProtocol: .matrix, severity: .warning,
        summary:
            "A reject reaches the caller after it selected an answer, and the caller hangs up right after: a reject seen after an answer must be disregarded.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject")

    /// A hang-up this soon after the late reject is taken as caused by it.
    static let reactionWindowSeconds: Double = 5

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let callerDevice = view.callerDevice,
            let select = view.events("m.call.select_answer").first(where: { $0.senderDevice == callerDevice })
        else { return [] }
        var findings: [Finding] = []
        for reject in view.events("m.call.reject") where reject.party != select.selectedParty {
            guard let reached = reject.delivery(to: callerDevice), reached.time > select.time,
                let hangup = view.events("m.call.hangup").first(where: {
                    $0.senderDevice == callerDevice && $0.time >= reached.time
                        && Double($0.time.nanoseconds(since: reached.time)) / 1e9 <= Self.reactionWindowSeconds
                })
            else { continue }
            findings.append(
                descriptor.finding(
                    "After selecting \(select.selectedParty ?? "an answer") (step \(select.step)), the caller received a "
                        + "late reject from \(reject.party) (step \(reached.number)) and hung up (step \(hangup.step)).",
                    steps: [select.step, reached.number, hangup.step]))
        }
        return findings
    }
}
