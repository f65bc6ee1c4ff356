import SigflowCore

/// `sigflow stats`: what `tshark -q -z sip,stat` counts (messages, retransmissions, requests by
/// method, responses by code), for every protocol, with calls by outcome and the time calls took to
/// ring and to be answered.
public struct CallStatistics: Sendable {
    /// The figures of one protocol's calls.
    public struct Figures: Sendable {
        public let signalingProtocol: SignalingProtocol
        /// Every copy of a signaling message in the captures, retransmissions included: the packets
        /// tshark counts (media steps and inferred steps are not messages).
        public var messages = 0
        /// Later copies of a message on its hop (RFC 3261 §17). tshark's "resent" is a heuristic
        /// that leaves out ACK, CANCEL, provisional responses and TCP, and takes a different final
        /// response with the same CSeq (a second fork's 2xx relayed, the INVITE's 200 after the
        /// CANCEL's) for a resend: the two differ where those occur.
        public var retransmissions = 0
        /// Call ids (SIP: of any method) and, of those, calls (an offer/answer exchange).
        public var exchanges = 0
        public var calls = 0
        public var requests: [String: Int] = [:]
        public var responses: [Int: Int] = [:]
        public var outcomes: [CallOutcome: Int] = [:]
        /// Offer to first ringing, per call that rang, in nanoseconds.
        public var postDialDelays: [Int64] = []
        /// Offer to answer, per answered call.
        public var timesToAnswer: [Int64] = []

        init(_ signalingProtocol: SignalingProtocol) {
            self.signalingProtocol = signalingProtocol
        }

        mutating func add(_ call: Call) {
            exchanges += 1
            for step in call.steps where step.message.kind != .media && step.message.confidence == .observed {
                let copies = step.sightings.count + step.retransmissions.count
                messages += copies
                retransmissions += step.retransmissions.count
                if let code = step.message.statusCode {
                    responses[code, default: 0] += copies
                } else {
                    requests[step.message.method ?? step.message.kind.rawValue, default: 0] += copies
                }
            }
            guard call.isCall else { return }
            calls += 1
            outcomes[call.outcome, default: 0] += 1
            if let delay = call.timing.postDialDelay { postDialDelays.append(delay) }
            if call.outcome == .answered, let time = call.timing.timeToDecision { timesToAnswer.append(time) }
        }
    }

    /// Min, median (the mean of the two middle values of an even count), 95th percentile (nearest
    /// rank) and max of a set of durations.
    public struct Spread: Equatable, Sendable {
        public let count: Int
        public let min: Int64
        public let median: Int64
        public let p95: Int64
        public let max: Int64

        init?(_ values: [Int64]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            count = sorted.count
            min = sorted[0]
            max = sorted[sorted.count - 1]
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? sorted[middle] : sorted[middle - 1] / 2 + sorted[middle] / 2
            p95 = sorted[Swift.max(0, (sorted.count * 95 + 99) / 100 - 1)]
        }
    }

    /// `--by`: the caller's or the callee's domain (the host of the address of record).
    public enum Grouping: String, Sendable, CaseIterable {
        case callerDomain = "caller-domain"
        case calleeDomain = "callee-domain"

        func key(_ call: Call) -> String {
            let summary = CallSummary(call)
            let user = self == .callerDomain ? summary.fromUser : summary.toUser
            guard let user else { return "-" }
            return user.lastIndex(of: "@").map { String(user[user.index(after: $0)...]) } ?? user
        }
    }

    /// The group's name with `--by`, nil for the whole input.
    public let group: String?
    /// By protocol, in protocol order.
    public let protocols: [Figures]

    public init(_ calls: [Call], group: String? = nil) {
        var figures: [SignalingProtocol: Figures] = [:]
        for call in calls { figures[call.signalingProtocol, default: Figures(call.signalingProtocol)].add(call) }
        self.group = group
        protocols = figures.keys.sorted().map { figures[$0]! }
    }

    /// One set of statistics per group, groups in name order.
    public static func grouped(_ calls: [Call], by grouping: Grouping) -> [CallStatistics] {
        Dictionary(grouping: calls, by: grouping.key).sorted { $0.key < $1.key }.map {
            CallStatistics($0.value, group: $0.key)
        }
    }

    // MARK: Output

    public static func text(_ statistics: [CallStatistics], grouping: Grouping?) -> String {
        var output = ""
        for (index, group) in statistics.enumerated() {
            if index > 0 { output += "\n" }
            if let name = group.group, let grouping {
                output += "== \(grouping.rawValue) \(TerminalText.escape(name)) ==\n\n"
            }
            for (position, figures) in group.protocols.enumerated() {
                if position > 0 { output += "\n" }
                output += text(figures)
            }
        }
        return output
    }

    static func text(_ figures: Figures) -> String {
        var output =
            "\(figures.signalingProtocol.displayName): \(Wording.count(figures.messages, "message"))"
            + " (\(Wording.count(figures.retransmissions, "retransmission"))),"
            + " \(Wording.count(figures.exchanges, "call id")), \(Wording.count(figures.calls, "call"))\n\n"
        let requests = figures.requests.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        TextTable.write(
            header: ["REQUEST", "MESSAGES"], rows: requests.map { [$0.key, String($0.value)] }, rightAligned: [1],
            to: &output)
        if !figures.responses.isEmpty {
            output += "\n"
            TextTable.write(
                header: ["RESPONSE", "MESSAGES"],
                rows: figures.responses.sorted { $0.key < $1.key }.map { [String($0.key), String($0.value)] },
                rightAligned: [1], to: &output)
        }
        if figures.calls > 0 {
            output += "\n"
            TextTable.write(
                header: ["OUTCOME", "CALLS"],
                rows: CallOutcome.allCases.compactMap { outcome in
                    figures.outcomes[outcome].map { [outcome.rawValue, String($0)] }
                }, rightAligned: [1], to: &output)
            output += "\n"
            let timings = [("post-dial delay", figures.postDialDelays), ("time to answer", figures.timesToAnswer)]
            TextTable.write(
                header: ["SECONDS", "CALLS", "MIN", "MEDIAN", "P95", "MAX"],
                rows: timings.map { name, values in
                    guard let spread = Spread(values) else { return [name, "0", "-", "-", "-", "-"] }
                    return [name, String(spread.count)]
                        + [spread.min, spread.median, spread.p95, spread.max].map(TextTable.seconds)
                }, rightAligned: [1, 2, 3, 4, 5], to: &output)
        }
        return output
    }

    public static func json(_ statistics: [CallStatistics], grouping: Grouping?) -> String {
        func figures(_ group: CallStatistics) -> JSONValue {
            .array(group.protocols.map(json))
        }
        guard let grouping else {
            return JSONValue.object([("protocols", figures(statistics.first ?? CallStatistics([])))]).rendered()
        }
        return JSONValue.object([
            ("by", .string(grouping.rawValue)),
            (
                "groups",
                .array(
                    statistics.map { group in
                        .object([("group", .string(group.group ?? "-")), ("protocols", figures(group))])
                    })
            ),
        ]).rendered()
    }

    static func json(_ figures: Figures) -> JSONValue {
        func spread(_ values: [Int64]) -> JSONValue {
            guard let spread = Spread(values) else { return .null }
            let seconds = { (value: Int64) in JSONValue.number(CaptureTime(nanoseconds: value).epochString) }
            return .object([
                ("count", .int(spread.count)), ("min", seconds(spread.min)), ("median", seconds(spread.median)),
                ("p95", seconds(spread.p95)), ("max", seconds(spread.max)),
            ])
        }
        return .object([
            ("protocol", .string(figures.signalingProtocol.id)),
            ("messages", .int(figures.messages)),
            ("retransmissions", .int(figures.retransmissions)),
            ("call_ids", .int(figures.exchanges)),
            ("calls", .int(figures.calls)),
            (
                "requests",
                .array(
                    figures.requests.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                        .object([("method", .string($0.key)), ("messages", .int($0.value))])
                    })
            ),
            (
                "responses",
                .array(
                    figures.responses.sorted { $0.key < $1.key }.map {
                        .object([("code", .int($0.key)), ("messages", .int($0.value))])
                    })
            ),
            (
                "outcomes",
                .array(
                    CallOutcome.allCases.compactMap { outcome in
                        figures.outcomes[outcome].map {
                            .object([("outcome", .string(outcome.rawValue)), ("calls", .int($0))])
                        }
                    })
            ),
            ("post_dial_delay", spread(figures.postDialDelays)),
            ("time_to_answer", spread(figures.timesToAnswer)),
        ])
    }
}
