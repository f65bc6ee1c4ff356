import Synchronization

/// A call-signaling protocol sigflow decodes. Each protocol module defines its own value
/// (`SignalingProtocol.sip` in SigflowSIP); the shared model knows none of them by name.
///
/// Compared, hashed and ordered by `rank`, which also orders protocols in listings.
public struct SignalingProtocol: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// How the protocol is written in machine-readable output: `sip`, `matrix`.
    public let id: String
    /// How users write it: `SIP`, `Matrix`.
    public let displayName: String
    /// `an` where the name is read letter by letter with a vowel sound (`an XMPP call`), else `a`.
    public let article: String
    /// The protocol's own word for a call rung on several devices at once (SIP: `forked`), nil when
    /// it rings every device of the user as a matter of course.
    public let forkedWord: String?
    /// The position in listings, and the protocol's identity: unique per protocol.
    public let rank: UInt8

    /// Defines a protocol; a second definition of the same rank replaces the first.
    public init(id: String, displayName: String, article: String = "a", forkedWord: String? = nil, rank: UInt8) {
        self.id = id
        self.displayName = displayName
        self.article = article
        self.forkedWord = forkedWord
        self.rank = rank
        Self.registry.withLock { $0[Int(rank)] = self }
    }

    /// The protocol defined with `rank`, for reading back what was written by rank (the call list
    /// on disk); nil when no protocol of that rank was defined in this process.
    public static func defined(rank: UInt8) -> SignalingProtocol? {
        registry.withLock { $0[Int(rank)] }
    }

    private static let registry = Mutex<[SignalingProtocol?]>(Array(repeating: nil, count: 256))

    public static func == (lhs: SignalingProtocol, rhs: SignalingProtocol) -> Bool { lhs.rank == rhs.rank }
    public func hash(into hasher: inout Hasher) { hasher.combine(rank) }
    public static func < (lhs: SignalingProtocol, rhs: SignalingProtocol) -> Bool { lhs.rank < rhs.rank }
    public var description: String { id }
}

/// What a message does in the life of a call, in words every protocol maps onto.
///
/// The correlator, checks and renderers reason only in these terms; each decoder decides which kind
/// its messages are (a SIP 486 is `.reject`, a Matrix `m.call.reject` is `.reject`, a JMI `<retract>`
/// is `.cancel`).
public enum MessageKind: String, Hashable, Sendable, CaseIterable {
    /// Starts a call: SIP INVITE (initial), `m.call.invite`, JMI `<propose>`, Jingle
    /// `session-initiate`, WhatsApp `<offer>`.
    case offer
    /// Changes an established call: SIP re-INVITE/UPDATE, `m.call.negotiate`.
    case update
    /// A provisional answer that is not ringing: SIP 100, a Jingle IQ result.
    case progress
    /// The callee device is alerting: SIP 18x, JMI `<ringing>`, Jingle ringing, WhatsApp `<preaccept>`.
    case ringing
    /// The callee accepted: SIP 2xx to INVITE, `m.call.answer`, JMI `<proceed>`, `session-accept`,
    /// WhatsApp `<accept>`.
    case answer
    /// The caller confirms an answer: SIP ACK.
    case confirm
    /// The caller picks one answer among several: `m.call.select_answer`.
    case select
    /// The callee declines: SIP 4xx-6xx to INVITE (but 401/407), `m.call.reject`, JMI `<reject>`,
    /// WhatsApp `<reject>`.
    case reject
    /// The callee points elsewhere: SIP 3xx.
    case redirect
    /// The server asks for credentials: SIP 401/407, to any request.
    case challenge
    /// The caller withdraws before an answer: SIP CANCEL, JMI `<retract>`, a caller hang-up before answer.
    case cancel
    /// The established call ends: SIP BYE, `m.call.hangup`, `session-terminate`, WhatsApp `<terminate>`.
    case hangup
    /// Media negotiation detail: `m.call.candidates`, Jingle `transport-info`, WhatsApp `<transport>`.
    case candidates
    /// A transport- or stanza-level acknowledgement: WhatsApp `<ack>`, XMPP IQ result, SIP 2xx to
    /// BYE/CANCEL.
    case acknowledgement
    /// Any other request (SIP REGISTER, OPTIONS, MESSAGE, SUBSCRIBE, ...).
    case request
    /// Any other response.
    case response
    /// Media the signaling announced, counted in the capture: a stream's first and last packet.
    case media
    /// Anything else worth showing.
    case other
}

/// How a call, or one device's part in it, ended. The same words serve every protocol.
public enum CallOutcome: String, Hashable, Sendable, CaseIterable {
    case answered
    case declined
    case busy
    case rejected
    case cancelled
    case redirected
    case unauthorized
    case timedOut = "timed-out"
    case incomplete
    /// A device that stopped ringing because another device of the same user declined.
    case declinedElsewhere = "declined-elsewhere"
    /// A device that stopped ringing because another device answered.
    case answeredElsewhere = "answered-elsewhere"

    /// Words for titles and summaries.
    public var phrase: String {
        switch self {
        case .answered: return "answered"
        case .declined: return "declined"
        case .busy: return "busy"
        case .rejected: return "rejected"
        case .cancelled: return "cancelled by the caller"
        case .redirected: return "redirected"
        case .unauthorized: return "refused for lack of credentials"
        case .timedOut: return "timed out"
        case .incomplete: return "incomplete (the capture ends before the call does)"
        case .declinedElsewhere: return "declined on another device"
        case .answeredElsewhere: return "answered on another device"
        }
    }
}

/// Why a device stopped ringing, when a message says it was settled on another device.
public enum ElsewhereHint: String, Hashable, Sendable {
    case answered
    case declined
}

/// How sure a step is: seen in a capture or log, or only implied by what was seen.
public enum Confidence: String, Hashable, Sendable {
    case observed
    case inferred
}

/// How a message travelled, as JSON names it.
public enum MessageTransport: String, Hashable, Sendable {
    case udp, tcp, sctp, tls, ws, wss, http, https, log
}
