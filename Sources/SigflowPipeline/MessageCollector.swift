import SigflowCore

/// Gathers what the decoders emit, grouped by call, and keeps the number of open calls bounded, so
/// memory does not grow with the length of the capture: a call that is over is handed to `finalize`
/// and forgotten once it has been quiet for `quietPeriod`, and past `maxOpenCalls` the longest-idle
/// calls (settled ones first) go the same way.
final class MessageCollector: SignalingSink {
    struct Key: Hashable {
        var signalingProtocol: SignalingProtocol
        var callID: String
    }

    private struct OpenCall {
        /// Which opening of its Call-ID this is: a Call-ID seen again after its call was finished
        /// opens a new call, which an old entry in the quiet queue must not finish.
        let serial: Int
        var messages: [SignalingMessage]
        var lastTime: CaptureTime
        /// A refusal, cancel or hang-up was seen: the call may be over (see `isOver`).
        var settled: Bool
        var answered = false
        var hungUp = false
        /// Offer transactions still waiting for their final response (forks still ringing).
        var pendingOffers: Set<String> = []

        init(_ message: SignalingMessage, serial: Int) {
            self.serial = serial
            messages = []
            lastTime = message.stamp.time
            settled = false
            add(message)
        }

        /// Returns whether the call is over now.
        @discardableResult
        mutating func add(_ message: SignalingMessage) -> Bool {
            messages.append(message)
            lastTime = max(lastTime, message.stamp.time)
            switch message.kind {
            case .offer:
                if let transaction = message.transaction { pendingOffers.insert(transaction) }
            case .answer:
                answered = true
                if let transaction = message.transaction { pendingOffers.remove(transaction) }
            case .reject, .redirect:
                settled = true
                if let transaction = message.transaction { pendingOffers.remove(transaction) }
            case .challenge:
                // A challenged offer that is never sent again ends the call; one sent again with
                // credentials is pending again (a message restarts the quiet period anyway). A
                // challenged REGISTER settles nothing: registrations refresh under one Call-ID.
                if let transaction = message.transaction, pendingOffers.remove(transaction) != nil { settled = true }
            case .cancel:
                settled = true
            case .hangup:
                settled = true
                hungUp = true
            default:
                break
            }
            return isOver
        }

        /// Nothing more belongs to the call but retransmissions: every offer has its final answer,
        /// and the call was hung up, or refused without being answered anywhere. A proxy's CANCEL to
        /// the other forks of an answered call does not end it: the conversation goes on.
        var isOver: Bool { pendingOffers.isEmpty && (hungUp || (settled && !answered)) }
    }

    private var open: [Key: OpenCall] = [:]
    private var openedCalls = 0
    /// Calls that were over at their latest message, oldest first, waiting out their quiet period: a
    /// sweep reads only the front. An entry is stale once its call has had another message or is
    /// gone (each message to a call that is over queues it again).
    private var quietQueue: [(key: Key, serial: Int, lastTime: CaptureTime)] = []
    private var quietHead = 0
    private var lastSweep = CaptureTime.zero
    /// How long a call that is over stays open for stragglers: 64×T1, the longest a SIP transaction
    /// retransmits (RFC 3261 §17, Timers B, F, H and J). Later messages with its Call-ID start a new entry.
    static let quietPeriod: Int64 = 32_000_000_000
    /// Quiet calls are looked for at most this often, in capture time.
    static let sweepInterval: Int64 = 1_000_000_000
    private(set) var diagnostics = DiagnosticLog()
    /// Nil keeps every call until the end (needed when several captures must share one clock).
    let maxOpenCalls: Int?
    /// Receives the calls finished early, each as its messages, with the time the capture has reached:
    /// all those of one sweep or eviction at once, so they can be correlated side by side.
    var finalize: ([[SignalingMessage]], CaptureTime) -> Void = { _, _ in }
    private(set) var evictedCalls = 0

    init(maxOpenCalls: Int?) {
        self.maxOpenCalls = maxOpenCalls
    }

    func deliver(_ message: SignalingMessage) {
        let key = Key(signalingProtocol: message.signalingProtocol, callID: message.callID)
        // Updated in place: a copy taken out and stored back would share, and so copy, the messages.
        let call: (isOver: Bool, serial: Int, lastTime: CaptureTime)
        if let index = open.index(forKey: key) {
            let isOver = open.values[index].add(message)
            call = (isOver, open.values[index].serial, open.values[index].lastTime)
        } else {
            openedCalls += 1
            let opened = OpenCall(message, serial: openedCalls)
            open[key] = opened
            call = (opened.isOver, opened.serial, opened.lastTime)
            if let maxOpenCalls, open.count > maxOpenCalls { evict(now: message.stamp.time, keeping: maxOpenCalls) }
        }
        if call.isOver && maxOpenCalls != nil { quietQueue.append((key, call.serial, call.lastTime)) }
        if maxOpenCalls != nil, message.stamp.time.nanoseconds(since: lastSweep) >= Self.sweepInterval {
            finishQuietCalls(now: message.stamp.time)
        }
    }

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// Calls held now: bounded by `maxOpenCalls` plus the one just opened.
    var openCount: Int { open.count }

    /// Every message still held, call by call in order of first message.
    func remaining() -> [[SignalingMessage]] {
        open.values.map(\.messages).sorted { ($0[0].stamp.time, $0[0].callID) < ($1[0].stamp.time, $1[0].callID) }
    }

    /// All messages held, for clock-offset estimation over every capture.
    var allMessages: [SignalingMessage] { remaining().flatMap { $0 } }

    /// Finalises the calls that are over and have been quiet for the quiet period, so a long capture
    /// holds only the calls in progress. The queue is in capture order, so the sweep stops at the
    /// first entry still inside its quiet period (a timestamp out of order delays the entries behind
    /// it, which the cap on open calls still bounds).
    private func finishQuietCalls(now: CaptureTime) {
        lastSweep = now
        var quiet: [OpenCall] = []
        while quietHead < quietQueue.count {
            let entry = quietQueue[quietHead]
            if let call = open[entry.key], call.serial == entry.serial, call.lastTime == entry.lastTime, call.isOver {
                guard now.nanoseconds(since: entry.lastTime) >= Self.quietPeriod else { break }
                quiet.append(open.removeValue(forKey: entry.key)!)
            }
            quietHead += 1
        }
        if quietHead > 4096 && quietHead * 2 > quietQueue.count {
            quietQueue.removeFirst(quietHead)
            quietHead = 0
        }
        guard !quiet.isEmpty else { return }
        // In order of first message, so what finalising reports comes out in a stable order; sorted
        // by keys taken once, since reaching into the calls at every comparison costs more.
        let order = quiet.indices.map {
            (time: quiet[$0].messages[0].stamp.time, callID: quiet[$0].messages[0].callID, index: $0)
        }
        .sorted { ($0.time, $0.callID) < ($1.time, $1.callID) }
        finalize(order.map { quiet[$0.index].messages }, now)
    }

    /// Finalises a tenth of the cap at once, so eviction runs rarely: settled calls first, then the
    /// longest idle, then by Call-ID and protocol so the choice does not depend on the hash seed.
    private func evict(now: CaptureTime, keeping cap: Int) {
        let count = max(1, cap / 10)
        // Ranked by position: sorting the entries themselves retains and releases every call's
        // messages at each comparison, which made a scanner flood spend half its time here.
        var ranked = open.indices.map {
            (index: $0, settled: open.values[$0].settled, lastTime: open.values[$0].lastTime)
        }
        ranked.sort { lhs, rhs in
            if lhs.settled != rhs.settled { return lhs.settled }
            if lhs.lastTime != rhs.lastTime { return lhs.lastTime < rhs.lastTime }
            let (left, right) = (open.keys[lhs.index], open.keys[rhs.index])
            return (left.callID, left.signalingProtocol.rawValue) < (right.callID, right.signalingProtocol.rawValue)
        }
        let victims = ranked.prefix(count).map { open.keys[$0.index] }
        if evictedCalls == 0 {
            diagnostics.append(
                Diagnostic(
                    .note, "calls_evicted",
                    "more than \(cap) calls open at once: finishing the longest idle early (a Call-ID reused "
                        + "after that starts a new entry)"))
        }
        var finished: [[SignalingMessage]] = []
        for key in victims {
            guard let call = open.removeValue(forKey: key) else { continue }
            evictedCalls += 1
            finished.append(call.messages)
        }
        finalize(finished, now)
    }
}
