#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The 32 random bytes a ClientHello starts with: what every line of a key log is keyed by.
public struct TLSClientRandom: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// nil unless `bytes` holds exactly 32 bytes.
    public init?<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.enumerated() { words[index / 8] = words[index / 8] << 8 | UInt64(byte) }
        self.words = (words[0], words[1], words[2], words[3])
    }

    public static func == (lhs: TLSClientRandom, rhs: TLSClientRandom) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// What a key log knows about one connection. Secrets: never printed, never in JSON, hidden from
/// `print`, `dump` and string interpolation.
public struct TLSSecrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// TLS 1.2 and earlier: `CLIENT_RANDOM`, the 48-byte master secret.
    var masterSecret: [UInt8]?
    /// TLS 1.3: `CLIENT_HANDSHAKE_TRAFFIC_SECRET` and its three siblings.
    var clientHandshake: [UInt8]?
    var serverHandshake: [UInt8]?
    var clientApplication: [UInt8]?
    var serverApplication: [UInt8]?

    public var description: String { "TLS secrets (not shown)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Fills in what `other` knows and this does not (a later log adds, never erases).
    mutating func merge(_ other: TLSSecrets) {
        masterSecret = other.masterSecret ?? masterSecret
        clientHandshake = other.clientHandshake ?? clientHandshake
        serverHandshake = other.serverHandshake ?? serverHandshake
        clientApplication = other.clientApplication ?? clientApplication
        serverApplication = other.serverApplication ?? serverApplication
    }
}

/// An NSS key log (the `SSLKEYLOGFILE` format browsers, OpenSSL, Python, Kamailio and SIPp write):
/// one `LABEL <client random> <secret>` per line, in hexadecimal. `CLIENT_RANDOM` carries a TLS 1.2
/// master secret, `CLIENT_HANDSHAKE_TRAFFIC_SECRET`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`,
/// `CLIENT_TRAFFIC_SECRET_0` and `SERVER_TRAFFIC_SECRET_0` the TLS 1.3 secrets. Comments (`#`),
/// blank lines and other labels (exporter and early-data secrets, `RSA`) are skipped.
public struct TLSKeyLog: Sendable, CustomStringConvertible {
    private(set) var secrets: [TLSClientRandom: TLSSecrets] = [:]
    /// Where the log came from (its path), for diagnostics.
    public var source: String
    /// Lines with a label this reader knows that are not well formed.
    public private(set) var malformedLines = 0

    public init(source: String = "") {
        self.source = source
    }

    public init(text: String, source: String = "") {
        var text = text
        self = text.withUTF8 { TLSKeyLog(bytes: UnsafeRawBufferPointer($0), source: source) }
    }

    public init(bytes: UnsafeRawBufferPointer, source: String = "") {
        self.source = source
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            parseLine(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
            lineStart = lineEnd + 1
        }
    }

    /// Connections (client randoms) this log has secrets for.
    public var connectionCount: Int { secrets.count }

    public var description: String { "TLS key log (\(secrets.count) connections)" }

    /// Adds what `other` knows.
    public mutating func merge(_ other: TLSKeyLog) {
        for (random, known) in other.secrets { secrets[random, default: TLSSecrets()].merge(known) }
        malformedLines += other.malformedLines
    }

    /// Reads a key log file whole.
    public static func read(path: String) throws(TLSKeyLogError) -> TLSKeyLog {
        guard let file = fopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes += chunk[0..<count] }
            if count < chunk.count { break }
        }
        if ferror(file) != 0 { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        return bytes.withUnsafeBytes { TLSKeyLog(bytes: $0, source: path) }
    }

    private mutating func parseLine(_ line: UnsafeRawBufferPointer) {
        let fields = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
        guard let first = fields.first, first.first != UInt8(ascii: "#") else { return }
        let label = String(decoding: first, as: UTF8.self)
        guard Self.labels.contains(label) else { return }
        guard fields.count == 3, let random = Self.hex(fields[1]).flatMap(TLSClientRandom.init),
            let secret = Self.hex(fields[2]), !secret.isEmpty, label != "CLIENT_RANDOM" || secret.count == 48
        else {
            malformedLines += 1
            return
        }
        var found = TLSSecrets()
        switch label {
        case "CLIENT_RANDOM": found.masterSecret = secret
        case "CLIENT_HANDSHAKE_TRAFFIC_SECRET": found.clientHandshake = secret
        case "SERVER_HANDSHAKE_TRAFFIC_SECRET": found.serverHandshake = secret
        case "CLIENT_TRAFFIC_SECRET_0": found.clientApplication = secret
        default: found.serverApplication = secret
        }
        secrets[random, default: TLSSecrets()].merge(found)
    }

    /// The labels read; every other one (exporter and early-data secrets, `RSA` premaster lines,
    /// OpenSSL's `CLIENT_TRAFFIC_SECRET_N` after a KeyUpdate) is skipped.
    private static let labels: Set<String> = [
        "CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
    ]

    private static func hex(_ digits: Slice<UnsafeRawBufferPointer>) -> [UInt8]? {
        guard digits.count % 2 == 0, digits.count <= 256 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for digit in digits {
            let value: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let pending = high {
                bytes.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}

public enum TLSKeyLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read the TLS key log (\(reason))"
        }
    }
}
