import SigflowCore

/// M17: media between the devices going on after the call ended for them: after the first
/// `m.call.hangup` or `m.call.reject`, every stream to or from a device that sent or was handed the
/// event; after `m.call.select_answer`, the streams of each device whose answer was not selected
/// (answered elsewhere). Judged on the media the capture shows (streams to the SDP and ICE candidate
/// endpoints the devices announced), after the teardown grace of `MediaAfterEnd`.
struct MatrixMediaAfterEndRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M17.media-after-end", signalingProtocol: .matrix, severity: .error,
        summary:
            "Media to a device's candidates goes on more than 3 s after m.call.hangup, m.call.reject or a select_answer that chose another device.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.hangup, m.call.select_answer")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let media = MediaAfterEnd(call)
        guard !media.lastStops.isEmpty else { return [] }
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        var reported: Set<Int> = []
        var findings: [Finding] = []
        func report(_ stops: [CallStep], after end: CallStep, endName: String) {
            for stop in stops where reported.insert(stop.number).inserted {
                findings.append(
                    descriptor.finding(
                        MediaAfterEnd.describe(stop, after: end, endName: endName), steps: [end.number, stop.number]))
            }
        }
        let ending = view.events.first { event in
            ["m.call.hangup", "m.call.reject"].contains(event.stableType)
        }
        if let ending, let endStep = Self.firstStep(ending) {
            report(media.late(after: endStep, reaching: Self.steps(ending)), after: endStep, endName: ending.type)
        }
        if let select = view.events("m.call.select_answer").first, let selected = select.selectedParty,
            let endStep = Self.firstStep(select)
        {
            let losers = Set(
                view.events("m.call.answer").filter { $0.party != selected }.compactMap { $0.send?.from })
            report(
                media.late(after: endStep) { losers.contains($0.from) || losers.contains($0.to) }, after: endStep,
                endName: "\(select.type) of \(selected)")
        }
        return findings
    }

    static func steps(_ event: MatrixEvent) -> [CallStep] { (event.send.map { [$0] } ?? []) + event.deliveries }

    static func firstStep(_ event: MatrixEvent) -> CallStep? { steps(event).min { $0.number < $1.number } }
}
