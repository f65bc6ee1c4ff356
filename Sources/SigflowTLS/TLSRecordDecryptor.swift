import Crypto
import _CryptoExtras

/// One direction's record protection under one set of keys: it opens records and checks each one's
/// tag or MAC (a record that fails is never plaintext). Sequence numbers are the caller's: records
/// carry none, so after lost bytes the caller tries the ones that may come next.
struct TLSRecordDecryptor {
    enum Scheme {
        /// TLS 1.3 (RFC 8446 §5.2): nonce = IV xor sequence, the header is the additional data,
        /// the real content type ends the plaintext.
        case tls13
        /// TLS 1.2 AEAD (RFC 5288, RFC 7905): the additional data is sequence, type, version, length.
        case tls12AEAD
        /// TLS 1.2 CBC with HMAC, MAC-then-encrypt (RFC 5246 §6.2.3.2) or encrypt-then-MAC (RFC 7366).
        case tls12CBC(macKey: SymmetricKey, mac: TLSCipherSuite.Hash, encryptThenMAC: Bool)
    }

    let suite: TLSCipherSuite
    let scheme: Scheme
    private let key: SymmetricKey
    private let iv: [UInt8]

    init(suite: TLSCipherSuite, scheme: Scheme, key: [UInt8], iv: [UInt8]) {
        self.suite = suite
        self.scheme = scheme
        self.key = SymmetricKey(data: key)
        self.iv = iv
    }

    /// TLS 1.3 protection from a traffic secret.
    init(tls13 secret: [UInt8], suite: TLSCipherSuite) {
        let keys = TLS13KeySchedule.trafficKeys(secret, suite: suite)
        self.init(suite: suite, scheme: .tls13, key: keys.key, iv: keys.iv)
    }

    /// The content type and plaintext of `record` taken as number `sequence` of its direction, or
    /// nil when it does not authenticate.
    func open(_ record: TLSRecord, sequence: UInt64) -> (contentType: UInt8, plaintext: [UInt8])? {
        switch scheme {
        case .tls13: return openTLS13(record, sequence: sequence)
        case .tls12AEAD: return openTLS12AEAD(record, sequence: sequence)
        case .tls12CBC(let macKey, let mac, let encryptThenMAC):
            return openCBC(record, sequence: sequence, macKey: macKey, mac: mac, encryptThenMAC: encryptThenMAC)
        }
    }

    /// The nonce of TLS 1.3 and of ChaCha20-Poly1305 in TLS 1.2: the IV with the sequence number
    /// xored into its last eight bytes.
    private func sequenceNonce(_ sequence: UInt64) -> [UInt8] {
        var nonce = iv
        for index in 0..<8 { nonce[4 + index] ^= UInt8(truncatingIfNeeded: sequence >> (56 - 8 * index)) }
        return nonce
    }

    private func openTLS13(_ record: TLSRecord, sequence: UInt64) -> (contentType: UInt8, plaintext: [UInt8])? {
        guard record.contentType == TLSContentType.applicationData.rawValue,
            var plaintext = openAEAD(nonce: sequenceNonce(sequence), body: record.fragment, additional: record.header)
        else { return nil }
        // TLSInnerPlaintext: content, the real type, zero padding (§5.2).
        while plaintext.last == 0 { plaintext.removeLast() }
        guard let type = plaintext.popLast() else { return nil }
        return (type, plaintext)
    }

    private func openTLS12AEAD(_ record: TLSRecord, sequence: UInt64) -> (contentType: UInt8, plaintext: [UInt8])? {
        let explicitNonce = suite.cipher == .chaCha20Poly1305 ? 0 : 8
        let plaintextLength = record.fragment.count - explicitNonce - 16
        guard plaintextLength >= 0 else { return nil }
        let nonce =
            explicitNonce == 0 ? sequenceNonce(sequence) : iv + record.fragment.prefix(explicitNonce)
        let additional = Self.macHeader(sequence: sequence, record: record, length: plaintextLength)
        guard
            let plaintext = openAEAD(
                nonce: nonce, body: record.fragment.dropFirst(explicitNonce), additional: additional[...])
        else { return nil }
        return (record.contentType, plaintext)
    }

    /// Opens ciphertext followed by its 16-byte tag.
    private func openAEAD(nonce: [UInt8], body: ArraySlice<UInt8>, additional: ArraySlice<UInt8>) -> [UInt8]? {
        guard body.count >= 16 else { return nil }
        let ciphertext = body.dropLast(16)
        let tag = body.suffix(16)
        do {
            switch suite.cipher {
            case .chaCha20Poly1305:
                let box = try ChaChaPoly.SealedBox(
                    nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try ChaChaPoly.open(box, using: key, authenticating: additional))
            default:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try AES.GCM.open(box, using: key, authenticating: additional))
            }
        } catch {
            return nil
        }
    }

    private func openCBC(
        _ record: TLSRecord, sequence: UInt64, macKey: SymmetricKey, mac: TLSCipherSuite.Hash, encryptThenMAC: Bool
    ) -> (contentType: UInt8, plaintext: [UInt8])? {
        var body = record.fragment
        if encryptThenMAC {
            guard body.count >= 32 + mac.length else { return nil }
            let code = body.suffix(mac.length)
            body = body.dropLast(mac.length)
            let header = Self.macHeader(sequence: sequence, record: record, length: body.count)
            guard mac.authenticationCode(key: macKey, [header[...], body]).elementsEqual(code) else { return nil }
        }
        guard body.count >= 32, body.count % 16 == 0, let iv = try? AES._CBC.IV(ivBytes: body.prefix(16)),
            let decrypted = try? Array(AES._CBC.decrypt(body.dropFirst(16), using: key, iv: iv, noPadding: true))
        else { return nil }
        // Padding: `length` bytes each holding `length`, then the length byte itself (§6.2.3.2).
        let padding = Int(decrypted[decrypted.count - 1])
        let contentEnd = decrypted.count - padding - 1 - (encryptThenMAC ? 0 : mac.length)
        guard contentEnd >= 0, decrypted.suffix(padding + 1).allSatisfy({ Int($0) == padding }) else { return nil }
        let content = decrypted[..<contentEnd]
        if !encryptThenMAC {
            let code = decrypted[contentEnd..<(contentEnd + mac.length)]
            let header = Self.macHeader(sequence: sequence, record: record, length: content.count)
            guard mac.authenticationCode(key: macKey, [header[...], content]).elementsEqual(code) else { return nil }
        }
        return (record.contentType, Array(content))
    }

    /// Sequence number, type, version and length: what TLS 1.2 MACs and authenticates (§6.2.3).
    private static func macHeader(sequence: UInt64, record: TLSRecord, length: Int) -> [UInt8] {
        var header = (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (56 - 8 * $0)) }
        header += record.header.prefix(3)
        header += [UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        return header
    }
}
