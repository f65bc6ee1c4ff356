/// Handshake message types the decryption needs to see (RFC 8446 §4).
enum TLSHandshakeType: UInt8 {
    case clientHello = 1
    case serverHello = 2
    case finished = 20
    case keyUpdate = 24
}

/// Reassembles one direction's handshake messages from the handshake content of its records,
/// plaintext or decrypted: a message split over several records, several messages in one record.
/// Messages the decryption does not need (certificates, tickets) are skipped as they pass, never
/// held, so a certificate chain costs no memory.
struct TLSHandshakeReader {
    struct Message {
        var type: UInt8
        var body: ArraySlice<UInt8>
    }

    /// A ClientHello larger than this (post-quantum key shares are a few kilobytes) is skipped.
    static let maxMessageLength = 1 << 16

    private var buffer: [UInt8] = []
    /// Bytes of a message being skipped that have not arrived yet.
    private var skipping = 0

    var bufferedBytes: Int { buffer.count }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        var bytes = bytes
        if skipping > 0 {
            let dropped = min(skipping, bytes.count)
            skipping -= dropped
            bytes = bytes.dropFirst(dropped)
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message the decryption needs, or nil when more bytes are needed.
    mutating func next() -> Message? {
        while buffer.count >= 4 {
            let type = buffer[0]
            let length = Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
            guard TLSHandshakeType(rawValue: type) != nil, length <= Self.maxMessageLength else {
                let available = min(buffer.count, 4 + length)
                skipping = 4 + length - available
                buffer.removeFirst(available)
                continue
            }
            guard buffer.count >= 4 + length else { return nil }
            let message = Message(type: type, body: buffer[4..<(4 + length)])
            buffer.removeFirst(4 + length)
            return message
        }
        return nil
    }

    /// Bytes were lost: message boundaries are gone until the next record that starts one.
    mutating func reset() {
        buffer = []
        skipping = 0
    }
}

/// TLS protocol versions by their wire value.
public enum TLSVersion {
    public static let tls12: UInt16 = 0x0303
    public static let tls13: UInt16 = 0x0304

    /// `TLS 1.3`, `SSL 3.0`, or the hexadecimal value of one sigflow does not know.
    public static func name(_ version: UInt16) -> String {
        switch version {
        case 0x0300: return "SSL 3.0"
        case 0x0301...0x0304: return "TLS 1.\(version - 0x0301)"
        default: return "TLS version 0x" + String(version, radix: 16)
        }
    }
}

/// What a ClientHello tells the decryption: the random its keys are logged under, and the server name.
public struct TLSClientHello: Sendable {
    public var random: ArraySlice<UInt8>
    /// The `server_name` extension's host name (RFC 6066 §3).
    public var serverName: String?

    /// Parses a ClientHello message body; a body cut short (the first segment of a large one) still
    /// gives the extensions it holds.
    init?(body: ArraySlice<UInt8>) {
        var reader = TLSByteReader(body)
        guard reader.uint16() != nil, let random = reader.take(32), reader.vector(lengthBytes: 1) != nil,
            reader.vector(lengthBytes: 2) != nil, reader.vector(lengthBytes: 1) != nil
        else { return nil }
        self.random = random
        let declared = reader.uint16() ?? 0
        var extensions = TLSByteReader(reader.take(min(declared, reader.bytes.count)) ?? [])
        while let type = extensions.uint16(), let data = extensions.vector(lengthBytes: 2) {
            guard type == 0 else { continue }
            var names = TLSByteReader(data)
            guard var list = names.vector(lengthBytes: 2).map(TLSByteReader.init) else { break }
            while let nameType = list.uint8(), let name = list.vector(lengthBytes: 2) {
                if nameType == 0 { serverName = String(decoding: name, as: UTF8.self) }
            }
        }
    }

    /// The ClientHello at the start of a connection's first bytes (from its record header on), as
    /// much of it as they hold.
    public init?(firstRecord bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 9, bytes[0] == TLSContentType.handshake.rawValue, bytes[1] == 3,
            bytes[5] == TLSHandshakeType.clientHello.rawValue
        else { return nil }
        let record = Array(bytes.prefix(5 + (Int(bytes[3]) << 8 | Int(bytes[4]))))
        // A record too short for the handshake header it claims to start is no ClientHello.
        guard record.count >= 9 else { return nil }
        let length = Int(bytes[6]) << 16 | Int(bytes[7]) << 8 | Int(bytes[8])
        self.init(body: record[9..<min(record.count, 9 + length)])
    }
}

/// What a ServerHello (or HelloRetryRequest) tells the decryption.
struct TLSServerHello {
    var random: ArraySlice<UInt8>
    /// The version chosen: `supported_versions` in TLS 1.3, else the legacy field.
    var version: UInt16
    var cipherSuite: UInt16
    /// RFC 7366: CBC records are MACed after encryption.
    var encryptThenMAC = false
    /// RFC 7627: changes how the master secret was made, which the key log gives directly.
    var extendedMasterSecret = false

    /// RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest.
    static let helloRetryRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    var isHelloRetryRequest: Bool { random.elementsEqual(Self.helloRetryRandom) }

    init?(body: ArraySlice<UInt8>) {
        var reader = TLSByteReader(body)
        guard let legacyVersion = reader.uint16(), let random = reader.take(32), reader.vector(lengthBytes: 1) != nil,
            let suite = reader.uint16(), reader.uint8() != nil
        else { return nil }
        self.random = random
        self.version = UInt16(legacyVersion)
        self.cipherSuite = UInt16(suite)
        var extensions = TLSByteReader(reader.vector(lengthBytes: 2) ?? [])
        while let type = extensions.uint16(), let data = extensions.vector(lengthBytes: 2) {
            switch type {
            case 22: encryptThenMAC = true
            case 23: extendedMasterSecret = true
            case 43:
                var selected = TLSByteReader(data)
                if let chosen = selected.uint16() { version = UInt16(chosen) }
            default: break
            }
        }
    }
}
