import SigflowCore

/// What the decryption made of a run's TLS connections: counts, the versions and suites seen, the
/// connections it could not read (at most `TLSSummary.maxListed`), and each connection's version and
/// suite for the documents' status lines. Holds no secret.
public struct TLSSummary: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// Every protected record authenticated.
        case decrypted
        /// The key logs have no (or not all) secrets for the connection's client random.
        case noKeys = "no-keys"
        /// Picked up after its handshake, or the handshake never finished in the capture.
        case handshakeNotCaptured = "handshake-not-captured"
        /// A version or cipher suite sigflow does not decrypt.
        case unsupported
        /// Some records did not authenticate: damaged, or keys that do not match.
        case failedAuthentication = "failed-authentication"
    }

    public struct Connection: Sendable {
        /// The TLS client (the ClientHello's sender) and server.
        public var client: Endpoint
        public var server: Endpoint
        public var serverName: String?
        public var version: String?
        public var cipherSuite: String?
        public var outcome: Outcome
        /// For `unsupported`: what is not supported.
        public var detail: String?
        public var recordsDecrypted: Int
        public var recordsFailed: Int
        /// The connection's first packet.
        public var firstPacket: SourceRef
    }

    /// How many unread connections are listed; the rest are counted in `unlisted`.
    public static let maxListed = 1000

    public internal(set) var connections = 0
    public internal(set) var counts: [Outcome: Int] = [:]
    public internal(set) var recordsFailed = 0
    /// The versions and suites of the connections whose handshake was seen, sorted.
    public internal(set) var versions: [String] = []
    public internal(set) var cipherSuites: [String] = []
    /// Every connection that was not decrypted whole, in the order they ended.
    public internal(set) var unread: [Connection] = []
    public internal(set) var unlisted = 0
    /// Each connection's version and suite (`TLS 1.3 TLS_AES_128_GCM_SHA256`) by its TCP key.
    public internal(set) var sessions: [FlowKey: String] = [:]

    public func count(_ outcome: Outcome) -> Int { counts[outcome, default: 0] }

    /// One line for standard error: `4 TLS connections: 3 decrypted, 1 without keys`.
    public var headline: String {
        let parts: [(Outcome, String)] = [
            (.decrypted, "decrypted"), (.noKeys, "without keys"), (.handshakeNotCaptured, "handshake not captured"),
            (.unsupported, "unsupported"), (.failedAuthentication, "failing authentication"),
        ]
        let said = parts.filter { count($0.0) > 0 }.map { "\(count($0.0)) \($0.1)" }
        return "\(connections) TLS connection\(connections == 1 ? "" : "s")"
            + (said.isEmpty ? "" : ": " + said.joined(separator: ", "))
    }
}
