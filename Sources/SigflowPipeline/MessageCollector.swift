import SigflowCore

/// Gathers what the decoders emit, grouped by call, and keeps the number of open calls bounded:
/// past `maxOpenCalls`, the longest-idle calls (settled ones first) are handed to `finalize` and
/// forgotten, so memory does not grow with the length of the capture.
final class MessageCollector: SignalingSink {
    struct Key: Hashable {
        var signalingProtocol: SignalingProtocol
        var callID: String
    }

    private struct OpenCall {
        var messages: [SignalingMessage]
        var lastTime: CaptureTime
        /// A refusal, cancel or hang-up was seen: the call is over but for stragglers.
        var settled: Bool

        mutating func add(_ message: SignalingMessage, settles: Bool) {
            messages.append(message)
            lastTime = max(lastTime, message.stamp.time)
            settled = settled || settles
        }
    }

    private var open: [Key: OpenCall] = [:]
    private(set) var diagnostics = DiagnosticLog()
    /// Nil keeps every call until the end (needed when several captures must share one clock).
    let maxOpenCalls: Int?
    /// Receives the messages of each call evicted early, with the time the capture has reached.
    var finalize: ([SignalingMessage], CaptureTime) -> Void = { _, _ in }
    private(set) var evictedCalls = 0

    init(maxOpenCalls: Int?) {
        self.maxOpenCalls = maxOpenCalls
    }

    func deliver(_ message: SignalingMessage) {
        let key = Key(signalingProtocol: message.signalingProtocol, callID: message.callID)
        let settles = [.reject, .redirect, .cancel, .hangup].contains(message.kind)
        // Updated in place: a copy taken out and stored back would share, and so copy, the messages.
        let known: Void? = open[key]?.add(message, settles: settles)
        if known == nil {
            open[key] = OpenCall(messages: [message], lastTime: message.stamp.time, settled: settles)
            if let maxOpenCalls, open.count > maxOpenCalls { evict(now: message.stamp.time, keeping: maxOpenCalls) }
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

    /// Finalises a tenth of the cap at once, so eviction runs rarely: settled calls first, then the
    /// longest idle.
    private func evict(now: CaptureTime, keeping cap: Int) {
        let count = max(1, cap / 10)
        let victims = open.sorted { lhs, rhs in
            lhs.value.settled != rhs.value.settled ? lhs.value.settled : lhs.value.lastTime < rhs.value.lastTime
        }.prefix(count)
        if evictedCalls == 0 {
            diagnostics.append(
                Diagnostic(
                    .note, "calls_evicted",
                    "more than \(cap) calls open at once: finishing the longest idle early (a Call-ID reused "
                        + "after that starts a new entry)"))
        }
        for (key, call) in victims {
            open[key] = nil
            evictedCalls += 1
            finalize(call.messages, now)
        }
    }
}
