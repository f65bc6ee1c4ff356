/// What every rule states about itself: `sigflow check --list-rules` prints these.
public struct RuleDescriptor: Hashable, Sendable {
    /// `sip.S1.answer-after-decline`: protocol, number in the protocol sheet, what it flags.
    public var id: String
    public var signalingProtocol: SignalingProtocol
    public var severity: Finding.Severity
    /// What the rule flags, in one line.
    public var summary: String
    /// The spec clause it rests on.
    public var clause: String

    public init(
        id: String, signalingProtocol: SignalingProtocol, severity: Finding.Severity, summary: String, clause: String
    ) {
        self.id = id
        self.signalingProtocol = signalingProtocol
        self.severity = severity
        self.summary = summary
        self.clause = clause
    }

    public func finding(_ message: String, steps: [Int]) -> Finding {
        Finding(ruleID: id, severity: severity, message: message, steps: steps.sorted(), clause: clause)
    }
}

/// What rules may know beyond the call itself.
public struct CheckContext {
    /// When the captures end: a rule about something that never happened judges only if the capture
    /// went on long enough for it to have happened.
    public var captureEnd: CaptureTime?
    /// Every call of the run, for rules about how calls interact (glare).
    public var calls: [Call]

    public init(captureEnd: CaptureTime?, calls: [Call] = []) {
        self.captureEnd = captureEnd
        self.calls = calls
    }

    /// Protocol views of the call being checked, built once and shared by its rules; the checker
    /// gives each call a fresh set.
    public var views = CallViews()

    /// True when the capture continues at least `seconds` after `time`.
    public func covers(_ seconds: Double, after time: CaptureTime) -> Bool {
        guard let captureEnd else { return false }
        return Double(captureEnd.nanoseconds(since: time)) / 1e9 >= seconds
    }
}

/// A check of one protocol's rules on one call.
///
/// A rule judges only what the capture shows: when it needs a vantage point the capture lacks (the
/// other side of a proxy, the end of a timer), it says nothing rather than guess.
public protocol CallRule: Sendable {
    var descriptor: RuleDescriptor { get }
    func check(_ call: Call, context: CheckContext) -> [Finding]
}

/// The protocol views of one call (its steps with the fields rules compare), built on first use and
/// shared by every rule of the protocol: 17 SIP rules reading one view instead of building 17.
public final class CallViews: @unchecked Sendable {
    private var views: [ObjectIdentifier: Any] = [:]

    public init() {}

    /// The view of type `View` for the call being checked, made by `make` the first time.
    public func view<View>(_ type: View.Type, _ make: () -> View) -> View {
        if let known = views[ObjectIdentifier(type)] as? View { return known }
        let view = make()
        views[ObjectIdentifier(type)] = view
        return view
    }
}
