import SigflowCore

/// How far one capture's clock is from the reference capture's (the first on the command line).
public struct ClockOffset: Hashable, Sendable {
    public var capture: Int
    /// Subtract from this capture's times to get reference times, in nanoseconds.
    public var nanoseconds: Int64
    /// Messages seen by both captures (directly or through a chain) that the estimate rests on.
    public var sharedMessages: Int
    /// The capture the estimate was made against.
    public var relativeTo: Int
}

/// Estimates clock offsets between captures of the same traffic from different vantage points.
///
/// The same message on the same hop seen by two captures was on the wire once, so the difference of
/// its two timestamps is the clock offset plus a little propagation. The median over all shared
/// messages resists the odd outlier (a retransmission matched to the wrong copy).
enum ClockOffsetEstimator {
    struct Sample {
        var capture: Int
        var time: CaptureTime
    }

    /// - Parameter occurrences: for each message (same identity, same hop), its first sighting per capture.
    static func estimate(captureCount: Int, occurrences: [[Sample]]) -> [ClockOffset] {
        guard captureCount > 1 else { return [] }
        var differences: [Int: [Int: [Int64]]] = [:]
        for samples in occurrences where samples.count > 1 {
            for a in samples {
                for b in samples where b.capture != a.capture {
                    differences[a.capture, default: [:]][b.capture, default: []].append(
                        b.time.nanoseconds(since: a.time))
                }
            }
        }
        var offsets: [Int: ClockOffset] = [0: ClockOffset(capture: 0, nanoseconds: 0, sharedMessages: 0, relativeTo: 0)]
        var queue = [0]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            for (other, samples) in (differences[current] ?? [:]).sorted(by: { $0.key < $1.key })
            where offsets[other] == nil {
                let median = samples.sorted()[samples.count / 2]
                offsets[other] = ClockOffset(
                    capture: other, nanoseconds: offsets[current]!.nanoseconds + median, sharedMessages: samples.count,
                    relativeTo: current)
                queue.append(other)
            }
        }
        return (1..<captureCount).compactMap { offsets[$0] }
    }
}
