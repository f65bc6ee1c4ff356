import Crypto

extension TLSCipherSuite.Hash {
    /// HMAC under `key` of `parts` joined.
    func authenticationCode(key: SymmetricKey, _ parts: [ArraySlice<UInt8>]) -> [UInt8] {
        func code<H: HashFunction>(_: H.Type) -> [UInt8] {
            var hmac = HMAC<H>(key: key)
            for part in parts { hmac.update(data: part) }
            return Array(hmac.finalize())
        }
        switch self {
        case .sha1: return code(Insecure.SHA1.self)
        case .sha256: return code(SHA256.self)
        case .sha384: return code(SHA384.self)
        }
    }

    /// HKDF-Expand (RFC 5869 §2.3).
    func expand(secret: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        func expanded<H: HashFunction>(_: H.Type) -> [UInt8] {
            HKDF<H>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length).withUnsafeBytes { Array($0) }
        }
        switch self {
        case .sha1: return expanded(Insecure.SHA1.self)
        case .sha256: return expanded(SHA256.self)
        case .sha384: return expanded(SHA384.self)
        }
    }
}

/// TLS 1.3's key schedule from the traffic secrets a key log gives (RFC 8446 §7).
enum TLS13KeySchedule {
    /// HKDF-Expand-Label (§7.1): the secret expanded with a label prefixed `tls13 `.
    static func expandLabel(
        _ secret: [UInt8], label: String, context: [UInt8] = [], length: Int, hash: TLSCipherSuite.Hash
    ) -> [UInt8] {
        let fullLabel = Array("tls13 \(label)".utf8)
        let info =
            [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(fullLabel.count)] + fullLabel
            + [UInt8(context.count)] + context
        return hash.expand(secret: secret, info: info, length: length)
    }

    /// The write key and IV of one traffic secret (§7.3).
    static func trafficKeys(_ secret: [UInt8], suite: TLSCipherSuite) -> (key: [UInt8], iv: [UInt8]) {
        (
            expandLabel(secret, label: "key", length: suite.cipher.keyLength, hash: suite.keyDerivation),
            expandLabel(secret, label: "iv", length: 12, hash: suite.keyDerivation)
        )
    }

    /// The traffic secret after a KeyUpdate (§7.2).
    static func nextSecret(_ secret: [UInt8], suite: TLSCipherSuite) -> [UInt8] {
        expandLabel(secret, label: "traffic upd", length: suite.keyDerivation.length, hash: suite.keyDerivation)
    }
}

/// TLS 1.2's key block (RFC 5246 §6.3): both directions' MAC keys, write keys and IVs, from the
/// master secret the key log gives. How the master secret was made (RSA or (EC)DHE key exchange,
/// the extended master secret of RFC 7627) no longer matters here.
struct TLS12KeyBlock {
    var clientMACKey: [UInt8]
    var serverMACKey: [UInt8]
    var clientKey: [UInt8]
    var serverKey: [UInt8]
    var clientIV: [UInt8]
    var serverIV: [UInt8]

    init(masterSecret: [UInt8], clientRandom: ArraySlice<UInt8>, serverRandom: ArraySlice<UInt8>, suite: TLSCipherSuite)
    {
        let macLength = suite.mac?.length ?? 0
        let keyLength = suite.cipher.keyLength
        // GCM keeps a 4-byte salt (the rest of the nonce travels in each record, RFC 5288 §3);
        // ChaCha20-Poly1305 a 12-byte IV (RFC 7905 §2); CBC an IV only TLS 1.0 would use.
        let ivLength: Int
        switch suite.cipher {
        case .aes128GCM, .aes256GCM: ivLength = 4
        case .chaCha20Poly1305: ivLength = 12
        case .aes128CBC, .aes256CBC: ivLength = 16
        }
        let block = Self.prf(
            secret: masterSecret, label: "key expansion", seed: Array(serverRandom) + Array(clientRandom),
            length: 2 * (macLength + keyLength + ivLength), hash: suite.keyDerivation)
        var rest = block[...]
        func take(_ count: Int) -> [UInt8] {
            defer { rest = rest.dropFirst(count) }
            return Array(rest.prefix(count))
        }
        clientMACKey = take(macLength)
        serverMACKey = take(macLength)
        clientKey = take(keyLength)
        serverKey = take(keyLength)
        clientIV = take(ivLength)
        serverIV = take(ivLength)
    }

    /// The TLS 1.2 PRF (§5): P_hash over the label and seed.
    static func prf(secret: [UInt8], label: String, seed: [UInt8], length: Int, hash: TLSCipherSuite.Hash) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        let seed = Array(label.utf8) + seed
        var output: [UInt8] = []
        var a = hash.authenticationCode(key: key, [seed[...]])
        while output.count < length {
            output += hash.authenticationCode(key: key, [a[...], seed[...]])
            a = hash.authenticationCode(key: key, [a[...]])
        }
        return Array(output.prefix(length))
    }
}
