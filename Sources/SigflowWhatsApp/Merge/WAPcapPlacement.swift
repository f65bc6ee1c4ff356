import SigflowCore

/// Places client logs on the timeline of a capture of the same device: when a log and a pcap are
/// given together, the log's stanzas should line up with the capture's encrypted signaling bursts
/// (a stanza the device sends inside a burst with frames going up, one it receives inside a burst
/// with frames coming down).
///
/// For each capture client and each log, every offset that puts some stanza at the start or end of
/// some burst is tried; the offset that fits the most stanzas (within `tolerance`) wins, the median
/// of the tied ones. A log matches a client when at least half of its stanzas, and at least two, fit.
/// Then the logs move onto the capture's clock (all by the same amount, keeping their alignment with
/// each other), the client's lifeline becomes the log's device, and the timeline's steps join the
/// device's call they fall within (30 s either side), so that the call shows its media (rule W12).
enum WAPcapPlacement {
    static let tolerance: Int64 = 300_000_000
    /// Offsets further than this are not tried: a phone's clock is seldom ten minutes off.
    static let maxOffset: Int64 = 600_000_000_000
    static let callMargin: Int64 = 30_000_000_000

    struct Burst {
        var start: CaptureTime
        var until: CaptureTime
        var up: Bool
        var down: Bool
    }

    static func place(
        logs: inout [SignalingMessage], timeline: inout [SignalingMessage], diagnostics: inout [Diagnostic]
    ) {
        guard !logs.isEmpty, !timeline.isEmpty else { return }
        var bursts: [String: [Burst]] = [:]
        for message in timeline {
            guard let step = message.waTimeline, let burst = step.event.burst else { continue }
            bursts[step.client, default: []].append(
                Burst(
                    start: message.stamp.time, until: burst.until, up: burst.framesUp != 0, down: burst.framesDown != 0)
            )
        }
        let stanzasByLog = Dictionary(
            grouping: logs.filter { $0.confidence == .observed && $0.waLog?.stanza != nil },
            by: { $0.stamp.source.capture })
        var candidates: [(client: String, capture: Int, offset: Int64, score: Int)] = []
        for (client, clientBursts) in bursts {
            for (capture, stanzas) in stanzasByLog {
                guard let (offset, score) = bestOffset(stanzas, clientBursts), score >= 2, score * 2 >= stanzas.count
                else { continue }
                candidates.append((client, capture, offset, score))
            }
        }
        candidates.sort { ($0.score, $1.client, $1.capture) > ($1.score, $0.client, $0.capture) }
        var usedClients: Set<String> = []
        var usedLogs: Set<Int> = []
        var shifted = false
        for candidate in candidates {
            guard !usedClients.contains(candidate.client), !usedLogs.contains(candidate.capture) else { continue }
            usedClients.insert(candidate.client)
            usedLogs.insert(candidate.capture)
            let stanzas = stanzasByLog[candidate.capture]!
            let file = stanzas[0].waLogName
            if !shifted {
                shifted = true
                let millis = String(Double(candidate.offset / 100_000) / 10)
                for index in logs.indices {
                    logs[index].stamp.time = logs[index].stamp.time.adding(nanoseconds: candidate.offset)
                    logs[index].waLog?.pcapClockShift = millis
                }
                diagnostics.append(
                    Diagnostic(
                        .note, "whatsapp_log_on_capture",
                        "\(file): placed on the capture's timeline of \(candidate.client), moved by \(millis) ms "
                            + "(\(candidate.score) of \(stanzas.count) stanzas fall in encrypted bursts)"))
            }
            join(client: candidate.client, device: stanzas[0], logs: logs, timeline: &timeline)
        }
    }

    /// Gives the client's timeline steps the log device's lifeline and the device's calls.
    static func join(
        client: String, device sample: SignalingMessage, logs: [SignalingMessage], timeline: inout [SignalingMessage]
    ) {
        let deviceKey = sample.waLogDevice ?? sample.sender.key.description
        let party = sample.sender.key == .name(deviceKey) ? sample.sender : sample.receiver
        var spans: [(callID: String, start: CaptureTime, end: CaptureTime)] = []
        let calls = Dictionary(grouping: logs.filter { $0.waLogDevice == deviceKey }, by: \.callID)
        for (callID, messages) in calls {
            let times = messages.map(\.stamp.time)
            spans.append((callID, times.min()!, times.max()!))
        }
        spans.sort { ($0.start, $0.callID) < ($1.start, $1.callID) }
        for index in timeline.indices where timeline[index].waTimeline?.client == client {
            var message = timeline[index]
            if message.sender.key == .name(client) { message.sender = party }
            if message.receiver.key == .name(client) { message.receiver = party }
            let time = message.stamp.time
            if let span = spans.first(where: {
                time >= $0.start.adding(nanoseconds: -callMargin) && time <= $0.end.adding(nanoseconds: callMargin)
            }) {
                message.move(toCall: span.callID)
            }
            timeline[index] = message
        }
    }

    /// The offset (capture time - log time) that fits the most stanzas into bursts of their direction.
    static func bestOffset(_ stanzas: [SignalingMessage], _ bursts: [Burst]) -> (Int64, Int)? {
        let sorted = bursts.sorted { $0.start < $1.start }
        let sample = Array(stanzas.prefix(200))
        var offsets: Set<Int64> = []
        for stanza in sample {
            for burst in sorted {
                for edge in [burst.start, burst.until] {
                    let offset = edge.nanoseconds(since: stanza.stamp.time)
                    // Whole milliseconds: finer candidates only repeat the same fits.
                    if abs(offset) <= maxOffset { offsets.insert(offset / 1_000_000 * 1_000_000) }
                }
            }
        }
        var best = 0
        var tied: [Int64] = []
        for offset in offsets.sorted() {
            let score = sample.filter { fits($0, offset: offset, sorted) }.count
            if score > best {
                best = score
                tied = [offset]
            } else if score == best {
                tied.append(offset)
            }
        }
        guard best > 0 else { return nil }
        return (tied[tied.count / 2], best)
    }

    /// Whether a stanza, moved by `offset`, falls in a burst with frames its way. `bursts` is sorted by
    /// start; bursts of several connections may overlap, so a few earlier ones are checked too.
    static func fits(_ stanza: SignalingMessage, offset: Int64, _ bursts: [Burst]) -> Bool {
        let time = stanza.stamp.time.adding(nanoseconds: offset)
        let sent = stanza.waLog?.direction == .send
        var low = 0
        var high = bursts.count
        let latestStart = time.adding(nanoseconds: tolerance)
        while low < high {
            let middle = (low + high) / 2
            if bursts[middle].start <= latestStart { low = middle + 1 } else { high = middle }
        }
        for index in stride(from: low - 1, through: max(0, low - 8), by: -1) {
            let burst = bursts[index]
            if (sent ? burst.up : burst.down) && time <= burst.until.adding(nanoseconds: tolerance) { return true }
        }
        return false
    }
}
