import SigflowCore
import SigflowFraming

/// TLS decryption for one run: the key store, a consumer for each TLS connection, and the account
/// of what was read. Enabled once a key log is given (even one without the keys a connection needs:
/// then it says so) or arrives mid-read; until then it makes nothing, and TLS connections are left
/// alone at no cost, as without decryption.
public final class TLSDecryption: StreamDecryptor {
    public let keys: TLSKeyStore
    public private(set) var isEnabled: Bool
    private let report: (Diagnostic) -> Void
    private var summary = TLSSummary()
    /// Each connection's version and suite, for the status lines; past `maxSessions` connections
    /// later ones are not named (a status line then names fewer).
    private var sessions: [FlowKey: String] = [:]
    static let maxSessions = 65_536
    private var versions: Set<String> = []
    private var suites: Set<String> = []

    /// - Parameters:
    ///   - keyLogs: the key logs given (`--keylog`).
    ///   - report: where diagnostics go.
    public init(keyLogs: [TLSKeyLog], report: @escaping (Diagnostic) -> Void) {
        self.keys = TLSKeyStore(keyLogs)
        self.isEnabled = !keyLogs.isEmpty
        self.report = report
        for log in keyLogs {
            let name = log.source
            if log.connectionCount == 0 {
                report(
                    Diagnostic(
                        .warning, "tls_keylog_empty",
                        "\(name): no TLS secrets in this key log"
                            + (log.malformedLines > 0 ? " (\(log.malformedLines) lines not understood)" : "")))
            } else if log.malformedLines > 0 {
                report(
                    Diagnostic(.note, "tls_keylog_lines", "\(name): \(log.malformedLines) lines not understood"))
            }
        }
    }

    /// More secrets, as key log text (a pcapng Decryption Secrets Block): connections whose
    /// ServerHello comes later are decrypted with them.
    public func add(keyLogText text: String) {
        keys.add(keyLogText: text)
        isEnabled = true
    }

    /// A consumer for a connection whose first bytes are TLS, handing plaintext to whatever the
    /// classifier picks from it; nil when decryption is not enabled.
    public func consumer(
        for stream: StreamInfo, firstBytes: UnsafeRawBufferPointer, classifier: any StreamClassifier
    ) -> (any StreamConsumer)? {
        guard isEnabled else { return nil }
        return TLSStreamConsumer(
            stream: stream, keys: keys, synchronised: TLSClientHello(firstRecord: firstBytes) != nil,
            inner: .undecided(classifier, attempts: 0, skipped: [:]), log: self)
    }

    public func decrypting(_ stream: StreamInfo, into inner: any StreamConsumer) -> (any StreamConsumer)? {
        guard isEnabled else { return nil }
        return TLSStreamConsumer(stream: stream, keys: keys, synchronised: true, inner: .consume(inner), log: self)
    }

    /// The account of the run, once every connection has ended; nil when decryption was never
    /// enabled. Reports the unread connections' tally on standard error.
    public func finish() -> TLSSummary? {
        guard isEnabled else { return nil }
        var finished = summary
        finished.versions = versions.sorted()
        finished.cipherSuites = suites.sorted()
        finished.sessions = sessions
        let unread = finished.connections - finished.count(.decrypted)
        report(Diagnostic(unread > 0 ? .warning : .note, "tls_summary", finished.headline))
        return finished
    }

    func opened() { summary.connections += 1 }

    /// A connection ended both ways: counts it, and says what could not be read.
    func closed(_ connection: TLSConnection, stream: StreamInfo, firstPacket: SourceRef) {
        let client = connection.tlsClient.map { stream.source(of: $0) } ?? stream.client
        let server = connection.tlsClient.map { stream.destination(of: $0) } ?? stream.server
        let version = connection.version.map(TLSVersion.name)
        let suite = connection.cipherSuite.map(TLSCipherSuite.name)
        if let version, let suite {
            versions.insert(version)
            suites.insert(suite)
            if sessions.count < Self.maxSessions { sessions[stream.key] = "\(version) \(suite)" }
        }
        let outcome: TLSSummary.Outcome
        var detail: String?
        switch connection.problem {
        case .noKeys: outcome = .noKeys
        case .handshakeNotCaptured: outcome = .handshakeNotCaptured
        case .unsupported(let what):
            outcome = .unsupported
            detail = what
        case nil:
            if !connection.handshakeSeen {
                outcome = .handshakeNotCaptured
            } else {
                outcome = connection.recordsFailed > 0 ? .failedAuthentication : .decrypted
            }
        }
        summary.counts[outcome, default: 0] += 1
        summary.recordsFailed += connection.recordsFailed
        guard outcome != .decrypted else { return }
        let entry = TLSSummary.Connection(
            client: client, server: server, serverName: connection.serverName, version: version, cipherSuite: suite,
            outcome: outcome, detail: detail, recordsDecrypted: connection.recordsDecrypted,
            recordsFailed: connection.recordsFailed, firstPacket: firstPacket)
        if summary.unread.count < TLSSummary.maxListed {
            summary.unread.append(entry)
        } else {
            summary.unlisted += 1
        }
        report(Self.diagnostic(entry))
    }

    private static func diagnostic(_ connection: TLSSummary.Connection) -> Diagnostic {
        var what = "\(connection.client) -> \(connection.server)"
        if let name = connection.serverName { what += " (server name \(name))" }
        let session = [connection.version, connection.cipherSuite].compactMap { $0 }.joined(separator: " ")
        if !session.isEmpty { what += ", \(session)" }
        let source = connection.firstPacket
        switch connection.outcome {
        case .noKeys:
            return Diagnostic(
                .warning, "tls_no_keys", "\(what): no keys for this TLS connection in the key logs: not decrypted",
                source: source)
        case .handshakeNotCaptured:
            return Diagnostic(
                .warning, "tls_handshake_not_captured",
                "\(what): the TLS handshake is not (all) in the capture: not decrypted", source: source)
        case .unsupported:
            return Diagnostic(
                .warning, "tls_unsupported",
                "\(what): \(connection.detail ?? "this TLS connection") is not decrypted (sigflow reads TLS 1.2 and "
                    + "1.3 with AES-GCM, ChaCha20-Poly1305 and AES-CBC)",
                source: source)
        case .failedAuthentication, .decrypted:
            return Diagnostic(
                .warning, "tls_record_unauthenticated",
                "\(what): \(connection.recordsFailed) of \(connection.recordsFailed + connection.recordsDecrypted) "
                    + "TLS records failed authentication (damaged, or keys that do not match): their bytes are gaps",
                source: source)
        }
    }
}
