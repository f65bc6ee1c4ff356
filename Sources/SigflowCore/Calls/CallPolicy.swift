/// How one protocol's calls live, settle and end: what the collector and the correlator ask,
/// instead of knowing any protocol themselves. Each protocol module provides one; the composition
/// module lists them.
public protocol CallPolicy: Sendable {
    var signalingProtocol: SignalingProtocol { get }

    /// How long a call that is over stays open for stragglers before it is correlated (SIP: 64×T1,
    /// the longest a transaction retransmits). A later message with its call id starts a new call.
    var quietPeriod: Int64 { get }

    /// An offer without a lifetime of its own that has no final answer this long after it, while the
    /// capture went on, timed out (SIP: Timer B, 64×T1).
    var offerTimeout: Int64 { get }

    /// The word a call of this protocol is known by when no message names a method.
    var callWord: String { get }

    /// The step that settles an exchange that is not a call (a REGISTER, an OPTIONS), and what it
    /// means; `retried` holds the numbers of challenges answered by the request again.
    func settleExchange(_ steps: [CallStep], retried: Set<Int>) -> (step: CallStep?, outcome: CallOutcome)

    /// Before correlation: the messages of calls that end together, as the protocol reads them
    /// (client logs merged, hops the capture missed inferred). May move messages between calls.
    func prepare(_ calls: [[SignalingMessage]]) -> PreparedCalls

    /// After correlation, before the checks: the protocol's own reading of a correlated call
    /// (outcomes its rules decide differently, open questions its evidence answers).
    func review(_ call: Call) -> Call

    /// The protocol's rules.
    var rules: [any CallRule] { get }
}

/// What a policy's `prepare` hands on.
public struct PreparedCalls: Sendable {
    /// The calls' messages, grouped by call.
    public var calls: [[SignalingMessage]]
    /// What the preparation noticed.
    public var diagnostics: [Diagnostic]

    public init(calls: [[SignalingMessage]], diagnostics: [Diagnostic] = []) {
        self.calls = calls
        self.diagnostics = diagnostics
    }
}

extension CallPolicy {
    /// 64×T1 (RFC 3261 §17): long enough for any protocol whose messages a transport may repeat.
    public var quietPeriod: Int64 { 32_000_000_000 }
    public var offerTimeout: Int64 { 32_000_000_000 }

    public func settleExchange(_ steps: [CallStep], retried: Set<Int>) -> (step: CallStep?, outcome: CallOutcome) {
        (nil, .incomplete)
    }

    public func prepare(_ calls: [[SignalingMessage]]) -> PreparedCalls { PreparedCalls(calls: calls) }
    public func review(_ call: Call) -> Call { call }
    public var rules: [any CallRule] { [] }
}

/// The policies of every protocol a run decodes, by protocol.
public struct CallPolicies: Sendable {
    private var byRank: [UInt8: any CallPolicy] = [:]

    public init(_ policies: [any CallPolicy]) {
        for policy in policies { byRank[policy.signalingProtocol.rank] = policy }
    }

    /// The policy of `signalingProtocol`; the defaults for a protocol nobody registered.
    public subscript(_ signalingProtocol: SignalingProtocol) -> any CallPolicy {
        byRank[signalingProtocol.rank] ?? DefaultPolicy(signalingProtocol: signalingProtocol)
    }

    public var all: [any CallPolicy] { byRank.keys.sorted().map { byRank[$0]! } }

    /// Every rule of every protocol, in protocol order.
    public var rules: [any CallRule] { all.flatMap(\.rules) }
}

/// The policy of a protocol that registered none: every default.
public struct DefaultPolicy: CallPolicy {
    public let signalingProtocol: SignalingProtocol
    public var callWord: String { "call" }

    public init(signalingProtocol: SignalingProtocol) {
        self.signalingProtocol = signalingProtocol
    }
}
