import SigflowCapture
import SigflowCore
import SigflowFraming
import SigflowProtocols
import SigflowTLS

/// Everything a run needs to know about its inputs, decided by the CLI and handed over whole.
public struct PipelineConfiguration: Sendable {
    public var inputs: [CaptureInput]
    /// A BPF expression applied to files and interfaces alike.
    public var filter: String?
    public var limits: ReassemblyLimits
    /// How much to work out about each message and call.
    public var detail: Detail
    /// The date of client logs that print only the time of day (whatsmeow text logs without a
    /// received stanza carrying `t`), as days since 1970-01-01 in UTC: `--date`.
    public var logDate: Int?
    /// TLS key logs (`--keylog`): TLS connections are decrypted with them. Without any, TLS is left
    /// alone at no cost.
    public var keyLogs: [TLSKeyLog]

    public enum Detail: Sendable {
        /// Everything: notes, decoded attributes and rule checks, for flows, documents and checks.
        case full
        /// What a call list shows (participants, outcomes, timing): no SDP summaries, notes,
        /// attributes or rule checks. `sigflow calls` reads captures this way, much faster.
        case summary
    }

    public init(
        inputs: [CaptureInput], filter: String? = nil, limits: ReassemblyLimits = ReassemblyLimits(),
        detail: Detail = .full, logDate: Int? = nil, keyLogs: [TLSKeyLog] = []
    ) {
        self.inputs = inputs
        self.filter = filter
        self.limits = limits
        self.detail = detail
        self.logDate = logDate
        self.keyLogs = keyLogs
    }
}

/// Reports how far the reading got, for a progress bar; called at most a few times per second.
public typealias ProgressHandler = (ReadProgress) -> Void

/// Every rule the run checks, as `check --list-rules` and SARIF describe them, and the protocols
/// they belong to.
public enum RuleCatalog {
    public static var descriptors: [RuleDescriptor] { Protocols.rules.map(\.descriptor) }
    /// The ids of the protocols sigflow decodes (`--protocol`): `sip`, `matrix`, ...
    public static var protocolIDs: [String] { Protocols.policies.all.map(\.signalingProtocol.id) }
}
