/// What every rule states about itself: `sigflow check --list-rules` prints these.
public struct RuleDescriptor: Hashable, Sendable {
    /// `sip.S1.answer-after-decline`: protocol, number in the protocol sheet, what it flags.
    public var id: String
    /// The protocol whose calls the rule judges; nil for the rules of `--expect`, which judge any.
    public var signalingProtocol: SignalingProtocol?
    public var severity: Finding.Severity
    /// What the rule flags, in one line.
    public var summary: String
    /// The spec clause it rests on.
    public var clause: String

    public init(
        id: String, signalingProtocol: SignalingProtocol?, severity: Finding.Severity, summary: String, clause: String
    ) {
        self.id = id
        self.signalingProtocol = signalingProtocol
        self.severity = severity
        self.summary = summary
        self.clause = clause
    }

    /// Where the clause can be read, from the first document it names: the RFC section at the RFC
    /// Editor, the XEP section at xmpp.org, the Voice over IP module of the Matrix spec; nil for
    /// sources without a stable address (the WhatsApp rules cite client implementations).
    public var helpURI: String? {
        let words = clause.split(separator: " ")
        guard let first = words.first else { return nil }
        let second = words.count > 1 ? words[1].trimmingCharacters(in: ",;") : nil
        if first == "RFC", let number = second, number.allSatisfy(\.isNumber) {
            let section =
                words.count > 2 && words[2].hasPrefix("§") ? words[2].dropFirst().trimmingCharacters(in: ",;") : nil
            return "https://www.rfc-editor.org/rfc/rfc\(number)" + (section.map { "#section-\($0)" } ?? "")
        }
        if first.hasPrefix("XEP-") {
            let number = first.dropFirst(4).trimmingCharacters(in: ",;")
            let anchor = second.flatMap { $0.hasPrefix("#") ? $0 : nil } ?? ""
            return "https://xmpp.org/extensions/xep-\(number).html\(anchor)"
        }
        if first == "Matrix" { return "https://spec.matrix.org/latest/client-server-api/#voice-over-ip" }
        return nil
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

extension Substring {
    /// The text without the given marks at either end (`§16.7,` becomes `16.7`).
    fileprivate func trimmingCharacters(in marks: String) -> String {
        var text = self
        while let last = text.last, marks.contains(last) { text.removeLast() }
        while let first = text.first, marks.contains(first) { text.removeFirst() }
        return String(text)
    }
}
