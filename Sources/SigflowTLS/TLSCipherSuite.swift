/// A cipher suite sigflow can decrypt, by what its records need: the bulk cipher, the record MAC
/// (CBC suites only), and the hash of the key derivation (TLS 1.2 PRF, TLS 1.3 HKDF).
public struct TLSCipherSuite: Sendable, Hashable {
    public enum Cipher: Sendable, Hashable {
        case aes128GCM, aes256GCM, chaCha20Poly1305, aes128CBC, aes256CBC

        var keyLength: Int {
            switch self {
            case .aes128GCM, .aes128CBC: return 16
            case .aes256GCM, .aes256CBC, .chaCha20Poly1305: return 32
            }
        }

        var isCBC: Bool { self == .aes128CBC || self == .aes256CBC }
    }

    public enum Hash: Sendable, Hashable {
        case sha1, sha256, sha384

        var length: Int {
            switch self {
            case .sha1: return 20
            case .sha256: return 32
            case .sha384: return 48
            }
        }
    }

    public let id: UInt16
    /// The IANA name (`TLS_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    public let name: String
    public let cipher: Cipher
    /// CBC suites: the HMAC of each record; nil for AEAD suites.
    public let mac: Hash?
    /// The PRF (TLS 1.2) or HKDF (TLS 1.3) hash.
    public let keyDerivation: Hash

    public var isTLS13: Bool { id >> 8 == 0x13 }

    /// The suite with this id, if sigflow can decrypt it.
    public static func suite(_ id: UInt16) -> TLSCipherSuite? { byID[id] }

    /// The IANA name of a suite sigflow knows, else its hexadecimal id.
    public static func name(_ id: UInt16) -> String {
        byID[id]?.name ?? "cipher suite 0x" + String(id, radix: 16)
    }

    private static let byID: [UInt16: TLSCipherSuite] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// TLS 1.3's three mandatory-to-know suites, and the TLS 1.2 suites in use with ECDHE, DHE or
    /// RSA key exchange (the key exchange does not matter once the key log gives the master secret).
    static let all: [TLSCipherSuite] = [
        .init(0x1301, "TLS_AES_128_GCM_SHA256", .aes128GCM, nil, .sha256),
        .init(0x1302, "TLS_AES_256_GCM_SHA384", .aes256GCM, nil, .sha384),
        .init(0x1303, "TLS_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, nil, .sha256),
        .init(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", .aes128GCM, nil, .sha256),
        .init(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", .aes256GCM, nil, .sha384),
        .init(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", .aes128GCM, nil, .sha256),
        .init(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", .aes256GCM, nil, .sha384),
        .init(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", .aes128GCM, nil, .sha256),
        .init(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", .aes256GCM, nil, .sha384),
        .init(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", .aes128GCM, nil, .sha256),
        .init(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", .aes256GCM, nil, .sha384),
        .init(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, nil, .sha256),
        .init(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, nil, .sha256),
        .init(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", .chaCha20Poly1305, nil, .sha256),
        .init(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", .aes128CBC, .sha256, .sha256),
        .init(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", .aes256CBC, .sha384, .sha384),
        .init(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", .aes128CBC, .sha256, .sha256),
        .init(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", .aes256CBC, .sha384, .sha384),
        .init(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", .aes128CBC, .sha256, .sha256),
        .init(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", .aes256CBC, .sha256, .sha256),
        .init(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", .aes128CBC, .sha256, .sha256),
        .init(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", .aes256CBC, .sha256, .sha256),
        .init(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", .aes128CBC, .sha1, .sha256),
        .init(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", .aes256CBC, .sha1, .sha256),
        .init(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", .aes128CBC, .sha1, .sha256),
        .init(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", .aes256CBC, .sha1, .sha256),
        .init(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", .aes128CBC, .sha1, .sha256),
        .init(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", .aes256CBC, .sha1, .sha256),
        .init(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", .aes128CBC, .sha1, .sha256),
        .init(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", .aes256CBC, .sha1, .sha256),
    ]

    private init(_ id: UInt16, _ name: String, _ cipher: Cipher, _ mac: Hash?, _ keyDerivation: Hash) {
        self.id = id
        self.name = name
        self.cipher = cipher
        self.mac = mac
        self.keyDerivation = keyDerivation
    }
}
