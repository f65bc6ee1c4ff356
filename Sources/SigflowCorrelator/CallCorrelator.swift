import SigflowCore

/// What correlation produced: the calls, and the clock offsets it applied between captures.
public struct CorrelationResult: Sendable {
    public var calls: [Call]
    public var clockOffsets: [ClockOffset]
}

/// Groups signaling messages into calls, knowing no protocol: it works only with the neutral keys
/// decoders put on every message (call id, identity, transaction, devices, kinds and outcome hints).
///
/// - Copies of one message on one hop (same identity, same sender and receiver) are one step: the
///   first copy per capture is a sighting (several captures = several vantage points of one step),
///   later copies are retransmissions of it.
/// - The same message forwarded by a proxy has a different identity per hop, so each hop is a step.
/// - Captures are put on one clock with offsets estimated from the steps they share.
public enum CallCorrelator {
    /// - Parameters:
    ///   - captureCount: how many captures the messages come from.
    ///   - captureEnd: when the last capture ends, to tell a call that timed out from one the capture cut.
    public static func correlate(
        _ messages: [SignalingMessage], captureCount: Int, captureEnd: CaptureTime?
    ) -> CorrelationResult {
        var hops: [HopKey: [Int]] = [:]
        var hopOrder: [HopKey] = []
        for (index, message) in messages.enumerated() {
            let key = HopKey(message)
            if hops[key] == nil { hopOrder.append(key) }
            hops[key, default: []].append(index)
        }
        let offsets = ClockOffsetEstimator.estimate(
            captureCount: captureCount,
            occurrences: hopOrder.map { key in
                firstPerCapture(hops[key]!, messages).map {
                    ClockOffsetEstimator.Sample(
                        capture: messages[$0].stamp.source.capture, time: messages[$0].stamp.time)
                }
            })
        var offsetByCapture = [Int64](repeating: 0, count: max(captureCount, 1))
        for offset in offsets where offset.capture < offsetByCapture.count {
            offsetByCapture[offset.capture] = offset.nanoseconds
        }
        func adjusted(_ message: SignalingMessage) -> CaptureTime {
            let capture = message.stamp.source.capture
            let offset = capture < offsetByCapture.count ? offsetByCapture[capture] : 0
            return message.stamp.time.adding(nanoseconds: -offset)
        }

        var hopsByCall: [CallKey: [HopKey]] = [:]
        var callOrder: [CallKey] = []
        for key in hopOrder {
            if hopsByCall[key.call] == nil { callOrder.append(key.call) }
            hopsByCall[key.call, default: []].append(key)
        }
        var calls: [Call] = []
        for callKey in callOrder {
            let steps = buildSteps(hopsByCall[callKey]!.map { hops[$0]! }, messages, adjusted: adjusted)
            calls.append(CallAssembler(steps: steps, captureEnd: captureEnd).call(callKey))
        }
        linkLegs(&calls)
        calls.sort { ($0.timing.start, $0.callID) < ($1.timing.start, $1.callID) }
        return CorrelationResult(calls: calls, clockOffsets: offsets)
    }

    struct CallKey: Hashable {
        var signalingProtocol: SignalingProtocol
        var callID: String
    }

    /// One message on one hop: all its copies share this key.
    struct HopKey: Hashable {
        var call: CallKey
        var identity: String
        var sender: String
        var receiver: String

        init(_ message: SignalingMessage) {
            call = CallKey(signalingProtocol: message.signalingProtocol, callID: message.callID)
            identity = message.identity
            sender = message.sender.key
            receiver = message.receiver.key
        }
    }

    /// Indices of the first copy in each capture.
    static func firstPerCapture(_ indices: [Int], _ messages: [SignalingMessage]) -> [Int] {
        var seen: Set<Int> = []
        return indices.filter { seen.insert(messages[$0].stamp.source.capture).inserted }
    }

    /// One step per hop-copy instance: the k-th copy in each capture is the same transmission.
    static func buildSteps(
        _ hopGroups: [[Int]], _ messages: [SignalingMessage], adjusted: (SignalingMessage) -> CaptureTime
    ) -> [UnnumberedStep] {
        var steps: [UnnumberedStep] = []
        for indices in hopGroups {
            var perCapture: [Int: [Int]] = [:]
            for index in indices { perCapture[messages[index].stamp.source.capture, default: []].append(index) }
            let instanceCount = perCapture.values.map(\.count).max() ?? 0
            var instances: [[Int]] = []
            for instance in 0..<instanceCount {
                let copies = perCapture.keys.sorted().compactMap { capture -> Int? in
                    let list = perCapture[capture]!
                    return instance < list.count ? list[instance] : nil
                }
                instances.append(
                    copies.sorted {
                        (adjusted(messages[$0]), messages[$0].stamp.source) < (
                            adjusted(messages[$1]), messages[$1].stamp.source
                        )
                    })
            }
            let first = instances[0]
            let lead = messages[first[0]]
            steps.append(
                UnnumberedStep(
                    message: lead,
                    time: adjusted(lead),
                    sightings: first.map { Sighting(source: messages[$0].stamp.source, time: messages[$0].stamp.time) },
                    retransmissions: instances.dropFirst().map {
                        Sighting(source: messages[$0[0]].stamp.source, time: messages[$0[0]].stamp.time)
                    }))
        }
        steps.sort { ($0.time, $0.sightings[0].source) < ($1.time, $1.sightings[0].source) }
        return steps
    }

    /// Ties each call to the other legs its messages name.
    static func linkLegs(_ calls: inout [Call]) {
        let tokens = calls.map { call in
            ["call-id:" + call.callID] + call.steps.flatMap(\.message.linkedCallIDs)
        }
        let groups = LegLinker.groups(tokens: tokens)
        for index in calls.indices {
            calls[index].linkedCallIDs = groups[index].map { calls[$0].callID }.sorted()
        }
    }
}

/// A step before participants are known and numbers given.
struct UnnumberedStep {
    var message: SignalingMessage
    var time: CaptureTime
    var sightings: [Sighting]
    var retransmissions: [Sighting]
}
