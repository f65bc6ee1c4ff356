/// What a call list shows about a call, without its steps: small enough to keep for every call of a
/// capture of any length.
public struct CallSummary: Hashable, Sendable {
    public var signalingProtocol: SignalingProtocol
    public var callID: String
    /// The key its messages carry (see `Call.key`).
    public var key: CallKey
    public var method: String
    public var isCall: Bool
    /// The caller's user (SIP From address of record).
    public var fromUser: String?
    /// Who was called (SIP To address of record).
    public var toUser: String?
    public var start: CaptureTime
    /// The talk time of an answered call; otherwise first to last message.
    public var duration: Int64
    public var outcome: CallOutcome
    /// The status code that settled the call, and its reason phrase (see `Call.finalStatus`).
    public var finalStatus: Int?
    public var finalReason: String?
    public var stepCount: Int
    public var deviceCount: Int
    /// Tokens its messages carry that tie B2BUA legs together (see `Call.carriedLinkTokens`).
    public var carriedLinkTokens: [LinkToken]
    public var linkedCallIDs: [String]

    public init(
        signalingProtocol: SignalingProtocol, callID: String, key: CallKey, method: String, isCall: Bool,
        fromUser: String?,
        toUser: String?, start: CaptureTime, duration: Int64, outcome: CallOutcome, finalStatus: Int? = nil,
        finalReason: String? = nil, stepCount: Int, deviceCount: Int, carriedLinkTokens: [LinkToken],
        linkedCallIDs: [String] = []
    ) {
        self.signalingProtocol = signalingProtocol
        self.callID = callID
        self.key = key
        self.method = method
        self.isCall = isCall
        self.fromUser = fromUser
        self.toUser = toUser
        self.start = start
        self.duration = duration
        self.outcome = outcome
        self.finalStatus = finalStatus
        self.finalReason = finalReason
        self.stepCount = stepCount
        self.deviceCount = deviceCount
        self.carriedLinkTokens = carriedLinkTokens
        self.linkedCallIDs = linkedCallIDs
    }

    public init(_ call: Call) {
        let opening = call.steps.first { $0.message.kind == .offer || $0.message.kind == .request }?.message
        signalingProtocol = call.signalingProtocol
        callID = call.callID
        key = call.key
        method = call.method
        isCall = call.isCall
        fromUser = opening?.sender.user ?? call.caller?.user
        toUser = opening?.receiver.user ?? call.participants.first { $0.role == .callee }?.user
        start = call.timing.start
        duration = call.timing.duration ?? call.timing.end.nanoseconds(since: call.timing.start)
        outcome = call.outcome
        finalStatus = call.finalStatus
        finalReason = call.finalReason
        stepCount = call.steps.count
        deviceCount = call.participants.reduce(0) { $0 + $1.devices.count }
        carriedLinkTokens = call.carriedLinkTokens
        linkedCallIDs = call.linkedCallIDs
    }
}

extension Call {
    /// The tokens its messages carry that name other legs; its own call id links it too.
    public var carriedLinkTokens: [LinkToken] { steps.flatMap(\.message.linkTokens) }
}
