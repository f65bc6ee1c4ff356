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
///   first copy per vantage point is a sighting (several captures, or several HEP agents' copies in
///   one capture, see one step), later copies are retransmissions of it.
/// - The same message forwarded by a proxy has a different identity per hop, so each hop is a step.
/// - Captures are put on one clock with offsets estimated from the steps they share.
public enum CallCorrelator {
    /// Correlates everything at once: clock offsets between the captures, then every call.
    /// - Parameters:
    ///   - captureCount: how many captures the messages come from.
    ///   - captureEnd: when the last capture ends, to tell a call that timed out from one the capture cut.
    public static func correlate(
        _ messages: [SignalingMessage], captureCount: Int, captureEnd: CaptureTime?, policies: CallPolicies
    ) -> CorrelationResult {
        let offsets = clockOffsets(messages, captureCount: captureCount)
        var byCall: [CallKey: [SignalingMessage]] = [:]
        var order: [CallKey] = []
        for message in messages {
            if byCall[message.call] == nil { order.append(message.call) }
            byCall[message.call, default: []].append(message)
        }
        var calls = order.map {
            call(
                from: byCall[$0]!, offsets: offsets, captureEnd: captureEnd, policy: policies[$0.signalingProtocol])
        }
        linkLegs(&calls)
        calls.sort { ($0.timing.start, $0.callID) < ($1.timing.start, $1.callID) }
        return CorrelationResult(calls: calls, clockOffsets: offsets)
    }

    /// How far each capture's clock is from the first's, from the messages several captures saw.
    public static func clockOffsets(_ messages: [SignalingMessage], captureCount: Int) -> [ClockOffset] {
        guard captureCount > 1 else { return [] }
        var firstSeen: [CallHopKey: [Int: CaptureTime]] = [:]
        var order: [CallHopKey] = []
        for message in messages {
            let key = CallHopKey(message)
            if firstSeen[key] == nil { order.append(key) }
            let capture = message.stamp.source.capture
            if firstSeen[key, default: [:]][capture] == nil {
                firstSeen[key, default: [:]][capture] = message.stamp.time
            }
        }
        return ClockOffsetEstimator.estimate(
            captureCount: captureCount,
            occurrences: order.map { key in
                firstSeen[key]!.sorted { $0.key < $1.key }.map {
                    ClockOffsetEstimator.Sample(capture: $0.key, time: $0.value)
                }
            })
    }

    /// One call from all its messages (one protocol, one call id), on the clock `offsets` define.
    /// Without `detailed`, participants get no labels: a call list shows none.
    public static func call(
        from messages: [SignalingMessage], offsets: [ClockOffset], captureEnd: CaptureTime?, policy: any CallPolicy,
        detailed: Bool = true
    ) -> Call {
        var offsetByCapture: [Int: Int64] = [:]
        for offset in offsets { offsetByCapture[offset.capture] = offset.nanoseconds }
        func adjusted(_ message: SignalingMessage) -> CaptureTime {
            message.stamp.time.adding(nanoseconds: -(offsetByCapture[message.stamp.source.capture] ?? 0))
        }
        let messages = MessageRepair.repaired(messages)
        let steps = buildSteps(hopGroups(messages), messages, adjusted: adjusted)
        return CallAssembler(steps: steps, captureEnd: captureEnd, policy: policy, detailed: detailed).call(
            callID: messages[0].callID)
    }

    /// The messages' positions grouped by hop, groups in order of first message.
    static func hopGroups(_ messages: [SignalingMessage]) -> [[Int]] {
        var groups: [[Int]] = []
        var keys: [HopKey] = []
        // Most calls have a handful of messages, and comparing their keys (which mostly differ in
        // length) costs less than hashing them; a dictionary takes over for long calls.
        var index: [HopKey: Int]? = messages.count > 24 ? [:] : nil
        for (position, message) in messages.enumerated() {
            let key = HopKey(message)
            if let group = index != nil ? index![key] : keys.firstIndex(of: key) {
                groups[group].append(position)
            } else {
                index?[key] = groups.count
                keys.append(key)
                groups.append([position])
            }
        }
        return groups
    }

    /// One message on one hop within a call: all its copies share this key.
    struct HopKey: Hashable {
        var identity: MessageKey
        var sender: PartyKey
        var receiver: PartyKey

        init(_ message: SignalingMessage) {
            identity = message.identity
            sender = message.sender.key
            receiver = message.receiver.key
        }
    }

    /// One message on one hop among the messages of many calls.
    struct CallHopKey: Hashable {
        var call: CallKey
        var hop: HopKey

        init(_ message: SignalingMessage) {
            call = message.call
            hop = HopKey(message)
        }
    }

    /// One step per hop-copy instance: the k-th copy from each vantage point is the same transmission.
    static func buildSteps(
        _ hopGroups: [[Int]], _ messages: [SignalingMessage], adjusted: (SignalingMessage) -> CaptureTime
    ) -> [UnnumberedStep] {
        var steps: [UnnumberedStep] = []
        for indices in hopGroups {
            let firstVantage = messages[indices[0]].stamp.vantage
            if indices.allSatisfy({ messages[$0].stamp.vantage == firstVantage }) {
                // Seen from one vantage point (always so with one input and no HEP): each later copy
                // is a retransmission, without the per-vantage bookkeeping below.
                let lead = messages[indices[0]]
                steps.append(
                    UnnumberedStep(
                        message: lead, time: adjusted(lead),
                        sightings: [Sighting(source: lead.stamp.source, time: lead.stamp.time)],
                        retransmissions: indices.dropFirst().map {
                            Sighting(source: messages[$0].stamp.source, time: messages[$0].stamp.time)
                        }))
                continue
            }
            var perVantage: [Vantage: [Int]] = [:]
            for index in indices { perVantage[messages[index].stamp.vantage, default: []].append(index) }
            let instanceCount = perVantage.values.map(\.count).max() ?? 0
            var instances: [[Int]] = []
            for instance in 0..<instanceCount {
                let copies = perVantage.keys.sorted().compactMap { vantage -> Int? in
                    let list = perVantage[vantage]!
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
    public static func linkLegs(_ calls: inout [Call]) {
        let groups = legGroups(calls)
        for index in calls.indices {
            calls[index].linkedCallIDs = groups[index].map { calls[$0].callID }.sorted()
        }
    }

    /// Per call, the indices of the other calls its group of legs holds.
    static func legGroups<Item: LinkableCall>(_ items: [Item]) -> [[Int]] {
        LegLinker.groups(count: items.count) { index, visit in
            visit(.naming(items[index].callKey))
            for token in items[index].carriedLinkTokens { visit(token) }
        }
    }
}

/// A call, or a listed call that may have another leg, as leg linking sees it.
protocol LinkableCall {
    var callID: String { get }
    var callKey: CallKey { get }
    var carriedLinkTokens: [LinkToken] { get }
}

extension Call: LinkableCall {
    var callKey: CallKey { key }
}

/// Links listed calls to their other legs without holding every call (`CallSummaryStore` keeps
/// them on disk). A call can have another leg only when it carries a link token, when another call
/// names its Call-ID, or when another listed call has the same Call-ID. Noting each summary as it is
/// made finds the first two exactly, and the third from the hashes of the Call-IDs seen: exactly up
/// to 32,768 calls, then in a 2 MB Bloom filter whose false alarms only add calls to the pass that
/// links them. One pass over the list then picks those calls out, and only they are held.
public struct SummaryLegLinks {
    private var named: Set<LinkToken> = []
    private var carriers = 0
    /// Hashes of the Call-IDs seen while there are few of them.
    private var seenExactly: Set<Int> = []
    /// Past that, three bits per Call-ID in 2^24: a Call-ID whose bits are all set already may
    /// repeat one.
    private var seenFilter: [UInt64] = []
    private var maybeRepeated: Set<Int> = []

    private static let exactLimit = 1 << 15
    private static let filterBits = 1 << 24

    /// A listed call that may have another leg, with its position in the list.
    private struct Candidate: LinkableCall {
        var position: Int
        var callID: String
        var callKey: CallKey
        var carriedLinkTokens: [LinkToken]
    }

    public init() {}

    public mutating func note(_ summary: CallSummary) {
        if !summary.carriedLinkTokens.isEmpty {
            carriers += 1
            for token in summary.carriedLinkTokens where token.namesCall { named.insert(token) }
        }
        let hash = Int(truncatingIfNeeded: summary.key.low)
        if seenFilter.isEmpty {
            if !seenExactly.insert(hash).inserted { maybeRepeated.insert(hash) }
            guard seenExactly.count > Self.exactLimit else { return }
            seenFilter = [UInt64](repeating: 0, count: Self.filterBits / 64)
            for earlier in seenExactly { _ = setFilterBits(earlier) }
            seenExactly = []
        } else if setFilterBits(hash) {
            maybeRepeated.insert(hash)
        }
    }

    /// Sets a hash's three bits; returns whether they were all set already.
    private mutating func setFilterBits(_ hash: Int) -> Bool {
        let bits = UInt64(bitPattern: Int64(hash))
        let (first, step) = (bits & 0xFFFF_FFFF, (bits >> 32) | 1)
        var present = true
        for index in 0..<UInt64(3) {
            let bit = Int((first &+ index &* step) % UInt64(Self.filterBits))
            let (word, mask) = (bit / 64, UInt64(1) << UInt64(bit % 64))
            if seenFilter[word] & mask == 0 {
                present = false
                seenFilter[word] |= mask
            }
        }
        return present
    }

    /// The other legs of each call in `summaries`, by position; calls without any have no entry.
    public func links(_ summaries: some Sequence<CallSummary>) -> [Int: [String]] {
        guard carriers > 0 || !maybeRepeated.isEmpty else { return [:] }
        var candidates: [Candidate] = []
        for (position, summary) in summaries.enumerated()
        where !summary.carriedLinkTokens.isEmpty
            || (!named.isEmpty && named.contains(.naming(summary.key)))
            || maybeRepeated.contains(Int(truncatingIfNeeded: summary.key.low))
        {
            candidates.append(
                Candidate(
                    position: position, callID: summary.callID,
                    callKey: summary.key,
                    carriedLinkTokens: summary.carriedLinkTokens))
        }
        var links: [Int: [String]] = [:]
        for (index, group) in CallCorrelator.legGroups(candidates).enumerated() where !group.isEmpty {
            links[candidates[index].position] = group.map { candidates[$0].callID }.sorted()
        }
        return links
    }
}

/// A step before participants are known and numbers given.
struct UnnumberedStep {
    var message: SignalingMessage
    var time: CaptureTime
    var sightings: [Sighting]
    var retransmissions: [Sighting]
}

extension LinkToken {
    /// Whether the token names a call by its id.
    var namesCall: Bool {
        if case .callID = self { return true }
        return false
    }
}
