/// Reads the big-endian integers and length-prefixed vectors TLS structures are made of, from the
/// front of a slice; every read is bounds-checked and returns nil past the end.
public struct TLSByteReader {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { bytes.isEmpty }

    public mutating func uint8() -> Int? {
        guard let byte = bytes.first else { return nil }
        bytes = bytes.dropFirst()
        return Int(byte)
    }

    public mutating func uint16() -> Int? { integer(byteCount: 2) }

    public mutating func uint24() -> Int? { integer(byteCount: 3) }

    public mutating func integer(byteCount: Int) -> Int? {
        guard bytes.count >= byteCount else { return nil }
        let value = bytes.prefix(byteCount).reduce(0) { $0 << 8 | Int($1) }
        bytes = bytes.dropFirst(byteCount)
        return value
    }

    public mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count >= count else { return nil }
        defer { bytes = bytes.dropFirst(count) }
        return bytes.prefix(count)
    }

    /// A vector whose length is given in the `lengthBytes` bytes before it (`opaque x<0..2^8-1>`
    /// has one, `<0..2^16-1>` two).
    public mutating func vector(lengthBytes: Int) -> ArraySlice<UInt8>? {
        guard let count = integer(byteCount: lengthBytes) else { return nil }
        return take(count)
    }
}
