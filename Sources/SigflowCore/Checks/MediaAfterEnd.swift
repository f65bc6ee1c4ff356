/// What the media rules of every protocol share (SIP S18, XMPP X13, Matrix M17): the media steps a
/// call carries (`RTP starts` / `RTP stops` from the media tracker, one pair per segment of a path),
/// and whether a path still carried packets well after the signaling ended the session.
///
/// Judged only on media the capture shows: a call without media steps gives no finding. A grace of
/// `grace` after the ending message is normal teardown (packets in flight, the sender's audio loop
/// noticing the hang-up), so only a path whose last packet comes later is reported.
public struct MediaAfterEnd {
    /// Teardown grace: media may trail the message that ended the session by this much.
    public static let grace: Int64 = 3_000_000_000

    /// The last `stop` step of each path (sending and receiving endpoint), in order of step.
    public let lastStops: [CallStep]

    public init(_ call: Call) {
        var last: [String: CallStep] = [:]
        var order: [String] = []
        for step in call.steps where step.message.media?.event == .stop {
            let path = step.message.headline
            if last[path] == nil { order.append(path) }
            last[path] = step
        }
        lastStops = order.compactMap { last[$0] }.sorted { $0.number < $1.number }
    }

    /// Paths whose last packet comes more than the grace after `end`, among those `involving` accepts.
    public func late(after end: CallStep, involving: (CallStep) -> Bool) -> [CallStep] {
        lastStops.filter { $0.time.nanoseconds(since: end.time) > Self.grace && involving($0) }
    }

    /// Paths whose last packet comes more than the grace after `end`, to or from a lifeline of
    /// `lifelines` (the steps that carried the ending: its sender's and each device it reached).
    public func late(after end: CallStep, reaching lifelines: [CallStep]) -> [CallStep] {
        let parties = Set(lifelines.flatMap { [$0.from, $0.to] })
        return late(after: end) { parties.contains($0.from) || parties.contains($0.to) }
    }

    /// `Media from callee to caller (RTP 127.0.0.3:17000 -> 127.0.0.2:16000) goes on 4.0 s after BYE
    /// (step 9): RTP stops: 350 packets in 7.0 s at step 11.`
    public static func describe(_ stop: CallStep, after end: CallStep, endName: String) -> String {
        let tenths = stop.time.nanoseconds(since: end.time) / 100_000_000
        return
            "Media from \(stop.from) to \(stop.to) (\(stop.message.headline)) goes on \(tenths / 10).\(tenths % 10) s "
            + "after \(endName) (step \(end.number)): \(stop.message.label) at step \(stop.number)."
    }
}
