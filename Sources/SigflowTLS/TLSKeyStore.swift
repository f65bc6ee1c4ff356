/// The secrets of one run: the key logs given with `--keylog`, and any that arrive while the
/// captures are read (a pcapng Decryption Secrets Block hands its text over mid-read). Shared by
/// reference, so a connection whose ServerHello comes after the secrets arrived finds them. Used
/// on the decoding thread only.
public final class TLSKeyStore {
    private var log: TLSKeyLog

    public init(_ logs: [TLSKeyLog] = []) {
        var merged = TLSKeyLog()
        for log in logs { merged.merge(log) }
        self.log = merged
    }

    /// No secret at all: TLS connections are left alone, as without decryption.
    public var isEmpty: Bool { log.connectionCount == 0 }

    /// Connections (client randoms) the store has secrets for.
    public var connectionCount: Int { log.connectionCount }

    /// More key log text (NSS format), e.g. from a Decryption Secrets Block.
    public func add(keyLogText text: String) {
        log.merge(TLSKeyLog(text: text))
    }

    public func add(_ other: TLSKeyLog) {
        log.merge(other)
    }

    func secrets(for clientRandom: ArraySlice<UInt8>) -> TLSSecrets? {
        TLSClientRandom(clientRandom).flatMap { log.secrets[$0] }
    }
}
