/// What part a lifeline plays in a call.
public enum ParticipantRole: String, Hashable, Sendable {
    case caller
    /// A SIP proxy: receives a request and forwards it with its own Via.
    case proxy
    /// A relaying server of a client-server protocol (Matrix homeserver, XMPP server, WhatsApp server).
    case server
    case callee
    /// Takes part without offering or being offered (e.g. a registrar answering REGISTER).
    case peer
}

/// One device a call rang, with its own fate.
public struct Device: Hashable, Sendable {
    /// The protocol's device identity: SIP To tag, Matrix party_id, XMPP full JID, WhatsApp device JID.
    public var key: DeviceKey
    public var label: String
    public var outcome: CallOutcome

    public init(key: DeviceKey, label: String, outcome: CallOutcome) {
        self.key = key
        self.label = label
        self.outcome = outcome
    }
}

/// A lifeline of the sequence diagram.
public struct Participant: Hashable, Sendable {
    /// A short alias safe to use as a Mermaid participant id: `caller`, `proxy`, `callee1`.
    public var id: String
    public var role: ParticipantRole
    public var label: String
    public var partyKey: PartyKey
    public var endpoints: [Endpoint]
    public var user: String?
    public var agent: String?
    /// Callee devices on this lifeline (several when a proxy hides the devices behind it).
    public var devices: [Device]
    /// The participant's own fate: its device's outcome for a callee, the call's for the caller.
    public var outcome: CallOutcome?

    public init(
        id: String, role: ParticipantRole, label: String, partyKey: PartyKey, endpoints: [Endpoint], user: String?,
        agent: String?, devices: [Device], outcome: CallOutcome?
    ) {
        self.id = id
        self.role = role
        self.label = label
        self.partyKey = partyKey
        self.endpoints = endpoints
        self.user = user
        self.agent = agent
        self.devices = devices
        self.outcome = outcome
    }
}

/// One place a message was seen: which capture, which frame, at what (unadjusted) time.
public struct Sighting: Hashable, Sendable {
    public var source: SourceRef
    public var time: CaptureTime

    public init(source: SourceRef, time: CaptureTime) {
        self.source = source
        self.time = time
    }
}

/// One arrow of the call flow.
public struct CallStep: Hashable, Sendable {
    /// 1-based, in time order.
    public var number: Int
    public var message: SignalingMessage
    /// Participant ids.
    public var from: String
    public var to: String
    /// The time on the reference clock (the first capture's), after clock-offset correction.
    public var time: CaptureTime
    /// Every capture this message was seen in; the first is the one the step is stamped with.
    public var sightings: [Sighting]
    /// Later copies of the same message on the same hop (retransmissions), not steps of their own.
    public var retransmissions: [Sighting]

    public init(
        number: Int, message: SignalingMessage, from: String, to: String, time: CaptureTime, sightings: [Sighting],
        retransmissions: [Sighting]
    ) {
        self.number = number
        self.message = message
        self.from = from
        self.to = to
        self.time = time
        self.sightings = sightings
        self.retransmissions = retransmissions
    }
}

/// How long the phases of a call took, in nanoseconds.
public struct CallTiming: Hashable, Sendable {
    public var start: CaptureTime
    public var end: CaptureTime
    /// Offer to the first ringing (SIP: INVITE to the first 18x).
    public var postDialDelay: Int64?
    /// Offer to the decision: answer or final refusal.
    public var timeToDecision: Int64?
    /// Answer to hang-up (or to the last message when the capture ends first).
    public var duration: Int64?

    public init(
        start: CaptureTime, end: CaptureTime, postDialDelay: Int64? = nil, timeToDecision: Int64? = nil,
        duration: Int64? = nil
    ) {
        self.start = start
        self.end = end
        self.postDialDelay = postDialDelay
        self.timeToDecision = timeToDecision
        self.duration = duration
    }
}

/// A rule a call breaks, with the evidence.
public struct Finding: Hashable, Sendable {
    public enum Severity: String, Hashable, Sendable, Comparable, CaseIterable {
        case info, warning, error

        private var rank: Int {
            switch self {
            case .info: return 0
            case .warning: return 1
            case .error: return 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// `sip.S1.answer-after-decline` style: protocol, number in the protocol sheet, what it is.
    public var ruleID: String
    public var severity: Severity
    /// What happened, in plain words.
    public var message: String
    /// The step numbers involved.
    public var steps: [Int]
    /// The spec clause the rule rests on (`RFC 3261 §16.7 step 5`).
    public var clause: String

    public init(ruleID: String, severity: Severity, message: String, steps: [Int], clause: String) {
        self.ruleID = ruleID
        self.severity = severity
        self.message = message
        self.steps = steps
        self.clause = clause
    }
}

/// One call (or, for SIP, one Call-ID of any method) with everything known about it.
public struct Call: Hashable, Sendable {
    public var signalingProtocol: SignalingProtocol
    public var callID: String
    /// The key its messages carry, made from the call id's bytes.
    public var key: CallKey
    /// Call ids of other legs tied to this one (a B2BUA's other side); shown as one group.
    public var linkedCallIDs: [String]
    /// SIP: the method of the first request (INVITE, REGISTER, ...). Others: the protocol's call word.
    public var method: String
    public var participants: [Participant]
    public var steps: [CallStep]
    public var outcome: CallOutcome
    public var timing: CallTiming
    public var findings: [Finding]
    /// What the capture could not settle: gaps in a stream, steps inferred but not seen.
    public var openQuestions: [String]
    /// The number of the step that settled the call: the final answer or refusal the outcome rests
    /// on (for a REGISTER, OPTIONS ... the final response), nil when none did (a cancel without a
    /// response, a call the capture cut).
    public var settlingStep: Int?
    /// The number of the step that opened the caller's last attempt: its offer after the last
    /// challenge or redirect it followed. Timers and rules count from here.
    public var attemptStep: Int?

    public init(
        signalingProtocol: SignalingProtocol, callID: String, key: CallKey? = nil, linkedCallIDs: [String],
        method: String,
        participants: [Participant], steps: [CallStep], outcome: CallOutcome, timing: CallTiming,
        findings: [Finding] = [], openQuestions: [String] = [], settlingStep: Int? = nil, attemptStep: Int? = nil
    ) {
        self.signalingProtocol = signalingProtocol
        self.callID = callID
        self.key = key ?? CallKey(signalingProtocol, callID: callID)
        self.linkedCallIDs = linkedCallIDs
        self.method = method
        self.participants = participants
        self.steps = steps
        self.outcome = outcome
        self.timing = timing
        self.findings = findings
        self.openQuestions = openQuestions
        self.settlingStep = settlingStep
        self.attemptStep = attemptStep
    }

    /// The step that settled the call (see `settlingStep`).
    public var settling: CallStep? { settlingStep.flatMap { steps.indices.contains($0 - 1) ? steps[$0 - 1] : nil } }

    /// The status code that settled the call (SIP `603`), where the protocol has status codes.
    public var finalStatus: Int? { settling?.message.statusCode }

    /// What settled the call in words: the reason phrase of the final status (`Decline`), or the
    /// message itself where the protocol has no status codes (`m.call.reject`).
    public var finalReason: String? {
        guard let message = settling?.message else { return nil }
        guard let status = message.statusCode else { return message.label }
        let code = String(status)
        guard message.label.hasPrefix(code) else { return message.label }
        let phrase = message.label.dropFirst(code.count).drop { $0 == " " }
        return phrase.isEmpty ? nil : String(phrase)
    }

    /// Whether this is a call (an offer/answer exchange) rather than a REGISTER, OPTIONS, ... dialog.
    public var isCall: Bool { steps.contains { $0.message.kind == .offer } }

    public func participant(id: String) -> Participant? { participants.first { $0.id == id } }

    public var caller: Participant? { participants.first { $0.role == .caller } }
}
