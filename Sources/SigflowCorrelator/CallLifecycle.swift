import SigflowCore

/// Where one call is in its life while its messages arrive, as a state machine that returns what
/// its owner should do: a call is open while something can still happen, over once nothing but
/// retransmissions can (every offer has its final answer, and it was hung up, or refused without
/// being answered anywhere), and finished when it has been over and quiet for its protocol's quiet
/// period. A message to a call that is over opens it again (a late request of the same dialog).
///
/// A proxy's CANCEL to the other forks of an answered call does not end it: the conversation goes on.
public struct CallLifecycle: Sendable {
    public enum Phase: Equatable, Sendable {
        /// Something can still happen.
        case open
        /// Nothing but retransmissions can: finished once quiet until `lastTime + quietPeriod`.
        case over
    }

    /// What the owner does after a message.
    public enum Action: Equatable, Sendable {
        case none
        /// The call just became (or stays) over with this message: wait for its quiet period to
        /// end at `deadline`.
        case waitQuiet(deadline: CaptureTime)
    }

    public private(set) var phase = Phase.open
    public private(set) var lastTime: CaptureTime
    /// How long the call must be quiet once over.
    public let quietPeriod: Int64
    /// A refusal, cancel or hang-up was seen: the call may be over.
    public private(set) var settled = false
    private var answered = false
    private var hungUp = false
    /// Offer transactions still waiting for their final response (forks still ringing).
    private var pendingOffers: Set<MessageKey> = []

    public init(opening message: SignalingMessage, quietPeriod: Int64) {
        lastTime = message.stamp.time
        self.quietPeriod = quietPeriod
    }

    /// Takes in the call's next message (the first one too).
    public mutating func receive(_ message: SignalingMessage) -> Action {
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
            // credentials is pending again. A challenged REGISTER settles nothing: registrations
            // refresh under one Call-ID.
            if let transaction = message.transaction, pendingOffers.remove(transaction) != nil { settled = true }
        case .cancel:
            settled = true
        case .hangup:
            settled = true
            hungUp = true
        default:
            break
        }
        let over = pendingOffers.isEmpty && (hungUp || (settled && !answered))
        phase = over ? .over : .open
        return over ? .waitQuiet(deadline: lastTime.adding(nanoseconds: quietPeriod)) : .none
    }

    /// Whether the call is finished at `now`: over, and quiet since its last message for its quiet
    /// period.
    public func isFinished(at now: CaptureTime) -> Bool {
        phase == .over && now.nanoseconds(since: lastTime) >= quietPeriod
    }
}
