import SigflowCore

/// Puts the logs of one run on one clock. Each device's clock is its own (a phone a few hundred
/// milliseconds off is normal), and the correlator aligns captures only through messages they both
/// see on the same hop, which two logs never do: one shows a stanza's send, the other its delivery.
///
/// What the logs do give is order: a delivery follows its send. Every stanza sent in log A and
/// delivered in log B bounds B's offset from A from above (offset(B) - offset(A) <= tB - tA), and
/// every stanza going the other way bounds it from below. With both bounds the offset is the middle
/// of the interval (the NTP assumption of symmetric delays); with one bound the clocks are left as
/// they are if they already agree, and moved just enough (1 ms past the bound) if they do not.
/// Offsets chain from the caller's log (the one that sent an offer), else the first log given. The shift is recorded on every moved
/// message (`log-clock-shift-ms`) and reported as a diagnostic.
enum WAClockAligner {
    static let margin: Int64 = 1_000_000

    static func align(_ messages: inout [SignalingMessage], diagnostics: inout [Diagnostic]) {
        let captures = Set(messages.map(\.stamp.source.capture)).sorted()
        guard captures.count > 1 else { return }
        // Earliest send and earliest delivery of each stanza per capture.
        var sends: [String: [Int: CaptureTime]] = [:]
        var deliveries: [String: [Int: CaptureTime]] = [:]
        for message in messages where message.waLog?.isRouted == true && message.confidence == .observed {
            guard let detail = message.waLog, let id = detail.stanzaID, let action = detail.action else { continue }
            let key = "\(id)|\(action)"
            let capture = message.stamp.source.capture
            if detail.direction == .send {
                sends[key, default: [:]][capture] = min(sends[key]?[capture] ?? message.stamp.time, message.stamp.time)
            } else if detail.direction == .recv {
                deliveries[key, default: [:]][capture] = min(
                    deliveries[key]?[capture] ?? message.stamp.time, message.stamp.time)
            }
        }
        // upper[a][b]: the least (delivery in b - send in a) over stanzas a sent and b received.
        var upper: [Int: [Int: Int64]] = [:]
        var pairs: [Int: [Int: Int]] = [:]
        for (key, bySender) in sends {
            guard let received = deliveries[key] else { continue }
            for (a, sent) in bySender {
                for (b, delivered) in received where b != a {
                    let difference = delivered.nanoseconds(since: sent)
                    upper[a, default: [:]][b] = min(upper[a]?[b] ?? difference, difference)
                    pairs[a, default: [:]][b, default: 0] += 1
                }
            }
        }
        // The reference clock is the caller's log (the one that sent an offer), else the first log.
        let offerLog = messages.first {
            $0.waLog?.stanza == .call && $0.waLog?.action == "offer" && $0.waLog?.direction == .send
                && $0.confidence == .observed
        }?.stamp.source.capture
        let reference = offerLog ?? captures[0]
        var offsets: [Int: Int64] = [reference: 0]
        var parents: [Int: Int] = [:]
        var queue = [reference]
        while !queue.isEmpty {
            let a = queue.removeFirst()
            for b in captures where offsets[b] == nil {
                let high = upper[a]?[b]
                let low = upper[b]?[a].map { -$0 }
                let delta: Int64
                switch (low, high) {
                case (let low?, let high?): delta = low + (high - low) / 2
                case (nil, let high?): delta = min(0, high - margin)
                case (let low?, nil): delta = max(0, low + margin)
                default: continue
                }
                offsets[b] = offsets[a]! + delta
                parents[b] = a
                queue.append(b)
            }
        }
        var names: [Int: String] = [:]
        for message in messages where names[message.stamp.source.capture] == nil {
            names[message.stamp.source.capture] = message.waLogName
        }
        for (capture, offset) in offsets.sorted(by: { $0.key < $1.key }) where offset != 0 {
            let millis = Double(offset) / 1e6
            let shift = String(Double((-millis * 10).rounded()) / 10)
            for index in messages.indices where messages[index].stamp.source.capture == capture {
                messages[index].stamp.time = messages[index].stamp.time.adding(nanoseconds: -offset)
                messages[index].waLog?.logClockShift = shift
            }
            let parent = parents[capture] ?? reference
            let count = (pairs[parent]?[capture] ?? 0) + (pairs[capture]?[parent] ?? 0)
            diagnostics.append(
                Diagnostic(
                    .note, "whatsapp_log_clock",
                    "\(names[capture] ?? "log"): times moved by \(shift) ms to agree with \(names[parent] ?? "log") "
                        + "(\(count) stanza\(count == 1 ? "" : "s") sent in one log and delivered in the other)"))
        }
    }
}
