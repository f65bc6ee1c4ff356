/// Which calls a run shows: sngrep's match expression and Wireshark's call filters, applied to
/// whole calls. A call that is kept keeps every step; one that is not is left out whole.
public struct CallSelection {
    /// Text to find in a call's id, users, devices and user agents.
    public var match: TextMatch?
    /// The call's outcome is one of these (empty: any).
    public var outcomes: Set<CallOutcome> = []
    /// The status that settled the call is one of these (empty: any).
    public var statuses: [StatusPattern] = []
    /// The call's method, compared without case (empty: any).
    public var methods: Set<String> = []
    /// Protocol ids: `sip`, `matrix` (empty: any).
    public var protocols: Set<String> = []
    /// The call starts at or after `since` and before `until`.
    public var since: CaptureTime?
    public var until: CaptureTime?
    /// A call id, or a prefix of exactly one call's id.
    public var callID: String?

    public init() {}

    /// True when no criterion is set: every call is kept.
    public var isEmpty: Bool {
        match == nil && outcomes.isEmpty && statuses.isEmpty && methods.isEmpty && protocols.isEmpty
            && since == nil && until == nil && callID == nil
    }

    /// Whether a call with these facts passes every criterion. `callID` is compared exactly: a
    /// prefix is first `resolve`d against every call's id.
    public func accepts(_ facts: CallFacts) -> Bool {
        if let callID, facts.callID != callID { return false }
        if !outcomes.isEmpty && !outcomes.contains(facts.outcome) { return false }
        if !statuses.isEmpty && !statuses.contains(where: { $0.matches(facts.finalStatus) }) { return false }
        if !methods.isEmpty && !methods.contains(facts.method.uppercased()) { return false }
        if !protocols.isEmpty && !protocols.contains(facts.protocolID) { return false }
        if let since, facts.start < since { return false }
        if let until, facts.start >= until { return false }
        if let match, !facts.texts.contains(where: match.matches) { return false }
        return true
    }

    /// The calls that pass, `callID` read as an exact id or else the unique prefix of one.
    public func select(_ calls: [Call]) throws(SelectionError) -> [Call] {
        guard !isEmpty else { return calls }
        let resolved = try resolve(callIDs: calls.lazy.map(\.callID))
        return calls.filter { resolved.accepts(CallFacts($0, texts: match != nil)) }
    }

    /// The summaries that pass, for a call list read as a sequence; a `callID` prefix must be
    /// `resolve`d first.
    public func select<S: Sequence<CallSummary>>(summaries: S) -> LazyFilterSequence<S> {
        summaries.lazy.filter { accepts(CallFacts($0)) }
    }

    /// `callID` as the one call id it names among `callIDs`: itself when a call has it, else the id
    /// it is the prefix of.
    public func resolve(callIDs: some Sequence<String>) throws(SelectionError) -> CallSelection {
        guard let callID else { return self }
        var found: Set<String> = []
        for id in callIDs where id.hasPrefix(callID) {
            if id == callID { return self }
            found.insert(id)
        }
        guard let only = found.first else { throw .noSuchCall(callID) }
        if found.count > 1 { throw .ambiguousCallID(callID, matches: found.count) }
        var resolved = self
        resolved.callID = only
        return resolved
    }
}

/// Why `--call` chose no call.
public enum SelectionError: Error, Equatable, CustomStringConvertible {
    case noSuchCall(String)
    case ambiguousCallID(String, matches: Int)

    public var description: String {
        switch self {
        case .noSuchCall(let id): return "no call with id '\(id)' in the input, nor one that starts with it"
        case .ambiguousCallID(let id, let count):
            return "'\(id)' starts \(count) call ids: give more of the one you mean"
        }
    }
}

/// What a selection looks at, the same for a call and for a call list's summary of it.
public struct CallFacts {
    public var callID: String
    public var protocolID: String
    public var method: String
    public var outcome: CallOutcome
    public var finalStatus: Int?
    public var start: CaptureTime
    /// What `--match` looks at: the call id and users, and for a call its participants (as
    /// labelled, with their addresses), devices, user agents and messages' decoded fields.
    public var texts: [String]

    /// A call's facts are its summary's; with `texts`, also every participant, device and decoded
    /// field of its messages (SIP: From and To with display names, Request-URI, Contact,
    /// User-Agent, ...), as sngrep matches a call's payload.
    public init(_ call: Call, texts withTexts: Bool = true) {
        self.init(CallSummary(call))
        guard withTexts else { return }
        for participant in call.participants {
            texts += [participant.label, participant.user, participant.agent].compactMap { $0 }
            texts += participant.devices.map(\.label)
        }
        for step in call.steps { texts += step.message.detail.attributes.map(\.value) }
    }

    public init(_ summary: CallSummary) {
        callID = summary.callID
        protocolID = summary.signalingProtocol.id
        method = summary.method
        outcome = summary.outcome
        finalStatus = summary.finalStatus
        start = summary.start
        texts = [summary.callID, summary.fromUser, summary.toUser].compactMap { $0 }
    }
}

/// `--match`: a substring, found without regard to case, or `/regex/` (`/regex/i` ignores case).
public struct TextMatch {
    public let text: String
    private let regex: Regex<AnyRegexOutput>?
    private let folded: String

    /// Throws when the text is a `/regex/` that does not compile.
    public init(parsing text: String) throws(SelectionSyntaxError) {
        self.text = text
        folded = text.lowercased()
        if text.count >= 2, text.hasPrefix("/"), text.hasSuffix("/") || text.hasSuffix("/i"), text != "/i" {
            let ignoresCase = text.hasSuffix("/i") && text.count >= 3
            let pattern = String(text.dropFirst().dropLast(ignoresCase ? 2 : 1))
            do {
                let compiled = try Regex(pattern)
                regex = ignoresCase ? compiled.ignoresCase() : compiled
            } catch {
                throw SelectionSyntaxError("'\(text)' is not a regular expression: \(error)")
            }
        } else {
            regex = nil
        }
    }

    public func matches(_ candidate: String) -> Bool {
        if let regex { return (try? regex.firstMatch(in: candidate)) != nil }
        return candidate.lowercased().contains(folded)
    }
}

/// `--status`: a code (`603`) or a class (`4xx`).
public struct StatusPattern: Equatable, Sendable {
    public let low: Int
    public let high: Int

    public init(parsing text: String) throws(SelectionSyntaxError) {
        let lowered = text.lowercased()
        if lowered.count == 3, lowered.hasSuffix("xx"), let digit = Int(lowered.prefix(1)), (1...6).contains(digit) {
            (low, high) = (digit * 100, digit * 100 + 99)
        } else if let code = Int(text), (100...699).contains(code) {
            (low, high) = (code, code)
        } else {
            throw SelectionSyntaxError("--status takes a status code (603) or a class (4xx), not '\(text)'")
        }
    }

    public func matches(_ status: Int?) -> Bool { status.map { (low...high).contains($0) } ?? false }
}

/// A filter written wrongly on the command line.
public struct SelectionSyntaxError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension CaptureTime {
    /// `--since`/`--until`: `2026-11-22`, `2026-11-22T21:44`, `2026-11-22T21:44:10.5`, with `Z` or
    /// an offset such as `+01:00` (UTC when none; a space may stand for the `T`).
    public init(parsingTime text: String) throws(SelectionSyntaxError) {
        let failure = SelectionSyntaxError(
            "'\(text)' is not a time: write YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]")
        let bytes = Array(text.utf8)
        var position = 0
        func number(_ width: Int) -> Int? {
            guard position + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<position + width] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            position += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard position < bytes.count, characters.utf8.contains(bytes[position]) else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { throw failure }
        var seconds = Int64(Self.daysSinceEpoch(year: year, month: month, day: day)) * 86_400
        var nanoseconds: Int64 = 0
        if position < bytes.count {
            guard expect("T "), let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60
            else { throw failure }
            seconds += Int64(hour * 3600 + minute * 60)
            if expect(":") {
                guard let second = number(2), second < 61 else { throw failure }
                seconds += Int64(second)
                if expect(".") {
                    var scale: Int64 = 100_000_000
                    let start = position
                    while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                        nanoseconds += Int64(bytes[position] - UInt8(ascii: "0")) * scale
                        scale /= 10
                        position += 1
                    }
                    guard position > start else { throw failure }
                }
            }
            if position < bytes.count, !expect("Zz") {
                let sign: Int64
                if expect("+") {
                    sign = 1
                } else if expect("-") {
                    sign = -1
                } else {
                    throw failure
                }
                guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60
                else { throw failure }
                seconds -= sign * Int64(hours * 3600 + minutes * 60)
            }
        }
        guard position == bytes.count else { throw failure }
        self.init(seconds: seconds, nanoseconds: nanoseconds)
    }
}
