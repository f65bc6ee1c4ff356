import SigflowCore

/// S18: RTP from a device going on after its branch got a 4xx-6xx final response (487 included), or
/// after a BYE. A non-2xx final response ends the sessions of that branch (RFC 3261 §15) and BYE ends
/// the session's media (§15.1.1). Judged on the media the capture shows, after the teardown grace of
/// `MediaAfterEnd`: for a BYE, every path to or from either end of the BYE; for a refusal, the paths
/// the refusing lifeline sends (a device that had already answered is refusing a re-INVITE, which
/// ends nothing).
struct SIPMediaAfterEndRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S18.media-after-end", signalingProtocol: .sip, severity: .error,
        summary:
            "RTP from a device goes on more than 3 s after its branch got a 4xx-6xx final response (487 "
            + "included), or after a BYE.",
        clause: "RFC 3261 §15, §15.1.1")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let media = MediaAfterEnd(call)
        guard !media.lastStops.isEmpty else { return [] }
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var reported: Set<Int> = []
        var findings: [Finding] = []
        func report(_ late: [CallStep], after end: SIPStep) {
            for stop in late where reported.insert(stop.number).inserted {
                findings.append(
                    descriptor.finding(
                        MediaAfterEnd.describe(stop, after: end.step, endName: end.step.message.label),
                        steps: [end.number, stop.number]))
            }
        }
        // A challenge the caller answered with a new INVITE refused nothing: the call went on.
        let attempt = call.attemptStep ?? 0
        for refusal in view.steps where refusal.isInviteResponse && (refusal.status ?? 0) >= 400 {
            if refusal.step.message.kind == .challenge && refusal.number < attempt { continue }
            let answered = view.steps.contains {
                $0.isInviteResponse && $0.status?.isSuccess == true && $0.from == refusal.from
                    && $0.time <= refusal.time
            }
            guard !answered else { continue }
            report(media.late(after: refusal.step) { $0.from == refusal.from }, after: refusal)
        }
        if let bye = view.steps.first(where: { $0.isRequest("BYE") }) {
            report(
                media.late(after: bye.step) {
                    [bye.from, bye.to].contains($0.from) || [bye.from, bye.to].contains($0.to)
                },
                after: bye)
        }
        return findings.sorted { $0.steps.last ?? 0 < $1.steps.last ?? 0 }
    }
}
