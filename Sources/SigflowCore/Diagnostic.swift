/// Something odd but survivable noticed while reading: a truncated file, a reassembly cap hit, an
/// unparsable message. Diagnostics travel with the results instead of aborting them.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case note, warning, error

        private var rank: Int {
            switch self {
            case .note: return 0
            case .warning: return 1
            case .error: return 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    /// A stable snake_case name, `<layer>_<what>`, never renamed once shipped (e.g. `tcp_gap`).
    public var name: String
    public var message: String
    public var source: SourceRef?

    public init(_ severity: Severity, _ name: String, _ message: String, source: SourceRef? = nil) {
        self.severity = severity
        self.name = name
        self.message = message
        self.source = source
    }

    public var description: String { "\(severity): \(message)" }
}

/// Collects diagnostics, folding repeats of one name into a count so a hostile capture cannot make
/// the list grow without bound.
public struct DiagnosticLog: Sendable {
    public private(set) var entries: [Diagnostic] = []
    public private(set) var suppressed: [String: Int] = [:]
    /// How many diagnostics of one name are kept before the rest are only counted.
    public var maxPerName: Int

    public init(maxPerName: Int = 20) {
        self.maxPerName = maxPerName
    }

    private var countsByName: [String: Int] = [:]

    public mutating func append(_ diagnostic: Diagnostic) {
        let count = countsByName[diagnostic.name, default: 0]
        countsByName[diagnostic.name] = count + 1
        if count < maxPerName {
            entries.append(diagnostic)
        } else {
            suppressed[diagnostic.name, default: 0] += 1
        }
    }

    public mutating func append(contentsOf other: DiagnosticLog) {
        for entry in other.entries { append(entry) }
        for (name, count) in other.suppressed {
            suppressed[name, default: 0] += count
            countsByName[name, default: 0] += count
        }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public var hasErrors: Bool { entries.contains { $0.severity == .error } }
}
