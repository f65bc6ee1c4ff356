import SigflowCore

/// The endpoints the media tracker watches, looked up once per RTP-like datagram: an open-addressing
/// table (linear probing, Fibonacci hashing of the packed endpoint key, backward-shift deletion) so a
/// lookup is a multiply, a shift and usually one compare of two integers. `Dictionary` hashes every
/// key with seeded SipHash, which callgrind showed as the largest part of counting a media packet.
///
/// The table grows by doubling and never fills more than half its slots, so every probe ends at an
/// empty slot; the tracker caps how many endpoints it holds.
struct MediaWatchTable<Value> {
    /// Packed keys with `occupied` set, 0 for an empty slot; probed without touching `entries`.
    private var keys: [UInt64] = []
    private var entries: [(endpoint: Endpoint, value: Value)?] = []
    /// 64 minus log2 of the capacity: Fibonacci hashing keeps the top bits of the product.
    private var shift: UInt64 = 64
    private(set) var count = 0

    private static var occupied: UInt64 { 1 << 62 }
    private static var folded: UInt64 { 1 << 63 }

    var isEmpty: Bool { count == 0 }

    /// A number standing for an endpoint, never 0: IPv4 address and port exactly; an IPv6 address
    /// folded, flagged so a key match is confirmed against the endpoint itself.
    @inline(__always)
    private static func key(_ endpoint: Endpoint) -> UInt64 {
        switch endpoint.address {
        case .v4(let value):
            return UInt64(value) << 16 | UInt64(endpoint.port) | occupied
        case .v6(let high, let low):
            return (high ^ (low &* 0x9E37_79B9_7F4A_7C15)) << 16 | UInt64(endpoint.port) | occupied | folded
        }
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The slot holding `endpoint` (found) or the empty slot where it would go.
    @inline(__always)
    private func probe(_ endpoint: Endpoint, key: UInt64) -> (slot: Int, found: Bool) {
        keys.withUnsafeBufferPointer { keys in
            let mask = keys.count - 1
            var slot = home(key)
            while true {
                let stored = keys[slot]
                if stored == 0 { return (slot, false) }
                if stored == key && (key & Self.folded == 0 || entries[slot]!.endpoint == endpoint) {
                    return (slot, true)
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The slot holding `endpoint`, valid until the table is next changed other than through
    /// `subscript(valueAt:)`.
    @inline(__always)
    func slot(of endpoint: Endpoint) -> Int? {
        guard count > 0 else { return nil }
        let (slot, found) = probe(endpoint, key: Self.key(endpoint))
        return found ? slot : nil
    }

    subscript(valueAt slot: Int) -> Value {
        @inline(__always) get { entries.withUnsafeBufferPointer { $0[slot]!.value } }
        @inline(__always) set { entries[slot]!.value = newValue }
    }

    subscript(endpoint: Endpoint) -> Value? { slot(of: endpoint).map { self[valueAt: $0] } }

    /// Sets the value for `endpoint`; returns the value it replaced, if any.
    @discardableResult
    mutating func updateValue(_ value: Value, for endpoint: Endpoint) -> Value? {
        if (count + 1) * 2 > keys.count { grow() }
        let key = Self.key(endpoint)
        let (slot, found) = probe(endpoint, key: key)
        let old = found ? entries[slot]!.value : nil
        if !found { count += 1 }
        keys[slot] = key
        entries[slot] = (endpoint, value)
        return old
    }

    mutating func removeValue(for endpoint: Endpoint) {
        guard var hole = slot(of: endpoint) else { return }
        keys[hole] = 0
        entries[hole] = nil
        count -= 1
        // Backward shift: a later key of the same run moves into the hole unless its home lies after
        // the hole (cyclically), so no probe stops at the hole short of a key it used to reach.
        let mask = keys.count - 1
        var slot = (hole + 1) & mask
        while keys[slot] != 0 {
            if (slot &- home(keys[slot])) & mask >= (slot &- hole) & mask {
                keys[hole] = keys[slot]
                entries[hole] = entries[slot]
                keys[slot] = 0
                entries[slot] = nil
                hole = slot
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldEntries = entries
        let capacity = max(64, oldKeys.count * 2)
        keys = Array(repeating: 0, count: capacity)
        entries = Array(repeating: nil, count: capacity)
        shift = 64 - UInt64(capacity.trailingZeroBitCount)
        for (key, entry) in zip(oldKeys, oldEntries) where key != 0 {
            let (slot, _) = probe(entry!.endpoint, key: key)
            keys[slot] = key
            entries[slot] = entry
        }
    }
}
