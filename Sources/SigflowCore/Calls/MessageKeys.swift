/// A 64-bit fingerprint of the fields that identify something within one call: a message copy, a
/// transaction, a dialog, a device. Made once per message by its decoder from the wire bytes, so
/// the correlator compares and hashes integers instead of joined strings.
///
/// Only ever compared among the messages of one call (a handful to a few thousand), where two
/// different inputs colliding is a one-in-10^15 event.
public struct MessageKey: Hashable, Sendable, Comparable {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// The key of some bytes, under a tag that keeps keys of different things apart.
    @inlinable
    public init(tag: UInt64, bytes: some Collection<UInt8>) {
        var hasher = KeyHasher(seed: tag)
        hasher.combine(bytes)
        value = hasher.finalize()
    }

    /// The key of a string, for decoders whose identities are text.
    @inlinable
    public init(tag: UInt64, text: String) {
        var text = text
        self = text.withUTF8 { MessageKey(tag: tag, bytes: $0) }
    }

    public static func < (lhs: MessageKey, rhs: MessageKey) -> Bool { lhs.value < rhs.value }
}

/// Which call a message belongs to: its protocol and a 128-bit fingerprint of its call id, made by
/// the decoder from the wire bytes. Compared across every call of a run; 128 bits keep the chance of
/// two call ids colliding below one in 10^20 for a billion calls.
public struct CallKey: Hashable, Sendable {
    public let signalingProtocol: SignalingProtocol
    public let high: UInt64
    public let low: UInt64

    @inlinable
    public init(_ signalingProtocol: SignalingProtocol, callID bytes: some Collection<UInt8>) {
        var first = KeyHasher(seed: 0x5349_505f_6361_6c6c)
        var second = KeyHasher(seed: 0x9e37_79b9_7f4a_7c15)
        first.combine(bytes)
        second.combine(bytes)
        self.signalingProtocol = signalingProtocol
        high = first.finalize()
        low = second.finalize()
    }

    @inlinable
    public init(_ signalingProtocol: SignalingProtocol, callID: String) {
        var text = callID
        self = text.withUTF8 { CallKey(signalingProtocol, callID: $0) }
    }

    public init(_ signalingProtocol: SignalingProtocol, high: UInt64, low: UInt64) {
        self.signalingProtocol = signalingProtocol
        self.high = high
        self.low = low
    }
}

/// A callee (or caller) device as its protocol names it: a SIP To tag, a Matrix party_id, an XMPP
/// full JID, a WhatsApp device JID. Compared by key; `name` is what documents show, and is left out
/// where nothing will show it (a call list).
public struct DeviceKey: Hashable, Sendable {
    public let key: MessageKey
    public let name: String?

    public init(key: MessageKey, name: String?) {
        self.key = key
        self.name = name
    }

    /// A device known by its name.
    public init(_ name: String) {
        self.init(key: MessageKey(tag: 0x6465_7669_6365, text: name), name: name)
    }

    public static func == (lhs: DeviceKey, rhs: DeviceKey) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// The name, or the key in hex when the name was not kept.
    public var description: String { name ?? String(key.value, radix: 16) }
}

/// Something a message carries that ties its call to another leg of the same conversation (a
/// B2BUA's other side, a transfer): another call's id, or an identifier both legs carry.
public enum LinkToken: Hashable, Sendable {
    /// Names another call by its id (X-Call-ID, Replaces, Refer-To with Replaces).
    case callID(high: UInt64, low: UInt64)
    /// An identifier legs share (RFC 7989 Session-ID UUIDs).
    case shared(MessageKey)

    /// The token naming the call with `key`.
    public static func naming(_ key: CallKey) -> LinkToken { .callID(high: key.high, low: key.low) }
}

/// A small, fast, non-cryptographic hash over bytes, eight at a time (the multiply-and-fold mix of
/// wyhash): what decoders key messages by. Not for anything an attacker could profit from
/// colliding beyond merging two of their own messages.
public struct KeyHasher {
    @usableFromInline var state: UInt64
    @usableFromInline var length: UInt64 = 0

    @inlinable
    public init(seed: UInt64) {
        state = seed ^ 0xa076_1d64_78bd_642f
    }

    @inlinable @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inlinable
    public mutating func combine(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ combine(raw: UnsafeRawBufferPointer($0)) }) != nil { return }
        var word: UInt64 = 0
        var filled: UInt64 = 0
        for byte in bytes {
            word |= UInt64(byte) << (filled * 8)
            filled += 1
            if filled == 8 {
                absorb(word)
                word = 0
                filled = 0
            }
        }
        finish(tail: word, count: filled, total: UInt64(bytes.count))
    }

    /// The same as `combine` on a collection, eight bytes per load.
    @inlinable
    public mutating func combine(raw bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 8 <= bytes.count {
            absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        var word: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            word |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        finish(tail: word, count: shift / 8, total: UInt64(bytes.count))
    }

    @inlinable @inline(__always)
    mutating func absorb(_ word: UInt64) {
        state = Self.mix(state ^ word, 0xe703_7ed1_a0b4_28db)
    }

    @inlinable @inline(__always)
    mutating func finish(tail word: UInt64, count: UInt64, total: UInt64) {
        if count > 0 { state = Self.mix(state ^ word ^ (count << 56), 0x8ebc_6af0_9c88_c6e3) }
        length &+= total
    }

    @inlinable
    public mutating func combine(_ value: UInt64) {
        state = Self.mix(state ^ value, 0x5899_65cc_7537_4cc3)
        length &+= 8
    }

    @inlinable
    public func finalize() -> UInt64 {
        Self.mix(state ^ length, 0x1d8e_4e27_c47d_124f)
    }
}

extension KeyHasher {
    /// An endpoint's address and port.
    public mutating func combine(_ endpoint: Endpoint) {
        switch endpoint.address {
        case .v4(let value):
            combine(UInt64(value) << 16 | UInt64(endpoint.port))
        case .v6(let high, let low):
            combine(high)
            combine(low)
            combine(UInt64(endpoint.port))
        }
    }
}
