/// Key material a capture file carries for decrypting its own traffic: the body of a pcapng
/// Decryption Secrets Block, as `editcap --inject-secrets` writes it.
///
/// Readers hand secrets over in file order with the packets: a block's secrets reach the consumer
/// before any packet that follows it in the file.
public struct DecryptionSecrets: Hashable, Sendable {
    /// The pcapng secrets type, e.g. `tlsKeyLog`.
    public var type: UInt32
    /// The secrets as the file holds them (for `tlsKeyLog`, NSS key log text).
    public var bytes: [UInt8]
    /// The capture the block came from, and the frame number of the packet before it (0 when none).
    public var source: SourceRef

    public init(type: UInt32, bytes: [UInt8], source: SourceRef) {
        self.type = type
        self.bytes = bytes
        self.source = source
    }

    /// `0x544c534b` ("TLSK"): TLS key log text (NSS format, one secret per line).
    public static let tlsKeyLog: UInt32 = 0x544c_534b
    /// `0x57474b4c` ("WGKL"): WireGuard key log.
    public static let wireGuardKeyLog: UInt32 = 0x5747_4b4c
}
