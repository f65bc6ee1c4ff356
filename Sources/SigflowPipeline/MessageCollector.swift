import SigflowCore
import SigflowCorrelator

/// Gathers what the decoders emit, grouped by call, and keeps the number of open calls bounded, so
/// memory does not grow with the length of the capture: a call whose `CallLifecycle` says it is
/// finished (over and quiet for its protocol's quiet period) is handed on and forgotten, and past
/// `maxOpenCalls` the longest-idle calls (settled ones first) go the same way. What is handed on
/// waits in `finished` for the owner to take (`takeFinished`).
final class MessageCollector: SignalingSink {
    private struct OpenCall {
        /// Which opening of its call id this is: a call id seen again after its call was finished
        /// opens a new call, which an old entry in a quiet queue must not finish.
        let serial: Int
        var messages: [SignalingMessage]
        var lifecycle: CallLifecycle
    }

    /// Calls that were over at their latest message, by deadline, waiting out their quiet period: a
    /// sweep reads only the front. An entry is stale once its call has had another message or is
    /// gone (each message to a call that is over queues it again). One queue per quiet period, so
    /// each stays in deadline order.
    private struct QuietQueue {
        var entries: [(key: CallKey, serial: Int, deadline: CaptureTime)] = []
        var head = 0
    }

    private let policies: CallPolicies
    private var open: [CallKey: OpenCall] = [:]
    private var openedCalls = 0
    private var quietQueues: [Int64: QuietQueue] = [:]
    private var lastSweep = CaptureTime.zero
    /// Quiet calls are looked for at most this often, in capture time.
    static let sweepInterval: Int64 = 1_000_000_000
    private(set) var diagnostics = DiagnosticLog()
    /// Nil keeps every call until the end (needed when several captures must share one clock).
    let maxOpenCalls: Int?
    /// Calls finished early, in batches (one per sweep or eviction) with the capture time reached:
    /// those of one batch are correlated side by side.
    private var finished: [(calls: [[SignalingMessage]], now: CaptureTime)] = []
    private(set) var evictedCalls = 0

    init(maxOpenCalls: Int?, policies: CallPolicies) {
        self.maxOpenCalls = maxOpenCalls
        self.policies = policies
    }

    /// Whether calls wait to be taken: checked after every packet, one load.
    var hasFinished: Bool { !finished.isEmpty }

    /// The calls finished since the last call, batch by batch.
    func takeFinished() -> [(calls: [[SignalingMessage]], now: CaptureTime)] {
        defer { finished = [] }
        return finished
    }

    func deliver(_ message: SignalingMessage) {
        let key = message.call
        // Updated in place: a copy taken out and stored back would share, and so copy, the messages.
        let action: CallLifecycle.Action
        let serial: Int
        if let index = open.index(forKey: key) {
            open.values[index].messages.append(message)
            action = open.values[index].lifecycle.receive(message)
            serial = open.values[index].serial
        } else {
            openedCalls += 1
            serial = openedCalls
            var lifecycle = CallLifecycle(
                opening: message, quietPeriod: policies[message.signalingProtocol].quietPeriod)
            action = lifecycle.receive(message)
            open[key] = OpenCall(serial: serial, messages: [message], lifecycle: lifecycle)
            if let maxOpenCalls, open.count > maxOpenCalls { evict(now: message.stamp.time, keeping: maxOpenCalls) }
        }
        guard maxOpenCalls != nil else { return }
        if case .waitQuiet(let deadline) = action, let period = open[key]?.lifecycle.quietPeriod {
            quietQueues[period, default: QuietQueue()].entries.append((key, serial, deadline))
        }
        if message.stamp.time.nanoseconds(since: lastSweep) >= Self.sweepInterval {
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

    /// Hands on the calls that are finished, so a long capture holds only the calls in progress.
    /// Each queue is in deadline order, so a sweep stops at its first entry still inside its quiet
    /// period (a timestamp out of order delays the entries behind it, which the cap on open calls
    /// still bounds).
    private func finishQuietCalls(now: CaptureTime) {
        lastSweep = now
        var quiet: [OpenCall] = []
        for period in quietQueues.keys.sorted() {
            var queue = quietQueues[period]!
            while queue.head < queue.entries.count {
                let entry = queue.entries[queue.head]
                if let call = open[entry.key], call.serial == entry.serial,
                    call.lifecycle.lastTime.adding(nanoseconds: period) == entry.deadline, call.lifecycle.phase == .over
                {
                    guard call.lifecycle.isFinished(at: now) else { break }
                    quiet.append(open.removeValue(forKey: entry.key)!)
                }
                queue.head += 1
            }
            if queue.head > 4096 && queue.head * 2 > queue.entries.count {
                queue.entries.removeFirst(queue.head)
                queue.head = 0
            }
            quietQueues[period] = queue
        }
        guard !quiet.isEmpty else { return }
        // In order of first message, so what finishing reports comes out in a stable order; sorted
        // by keys taken once, since reaching into the calls at every comparison costs more.
        let order = quiet.indices.map {
            (time: quiet[$0].messages[0].stamp.time, callID: quiet[$0].messages[0].callID, index: $0)
        }
        .sorted { ($0.time, $0.callID) < ($1.time, $1.callID) }
        finished.append((order.map { quiet[$0.index].messages }, now))
    }

    /// Hands on a tenth of the cap at once, so eviction runs rarely: settled calls first, then the
    /// longest idle, then by call id and protocol so the choice does not depend on the hash seed.
    private func evict(now: CaptureTime, keeping cap: Int) {
        let count = max(1, cap / 10)
        // Ranked by position: sorting the entries themselves retains and releases every call's
        // messages at each comparison, which made a scanner flood spend half its time here.
        var ranked = open.indices.map {
            (index: $0, settled: open.values[$0].lifecycle.settled, lastTime: open.values[$0].lifecycle.lastTime)
        }
        ranked.sort { lhs, rhs in
            if lhs.settled != rhs.settled { return lhs.settled }
            if lhs.lastTime != rhs.lastTime { return lhs.lastTime < rhs.lastTime }
            let (left, right) = (open.values[lhs.index].messages[0], open.values[rhs.index].messages[0])
            return (left.callID, left.signalingProtocol) < (right.callID, right.signalingProtocol)
        }
        let victims = ranked.prefix(count).map { open.keys[$0.index] }
        if evictedCalls == 0 {
            diagnostics.append(
                Diagnostic(
                    .note, "calls_evicted",
                    "more than \(cap) calls open at once: finishing the longest idle early (a Call-ID reused "
                        + "after that starts a new entry)"))
        }
        var evicted: [[SignalingMessage]] = []
        for key in victims {
            guard let call = open.removeValue(forKey: key) else { continue }
            evictedCalls += 1
            evicted.append(call.messages)
        }
        finished.append((evicted, now))
    }
}
