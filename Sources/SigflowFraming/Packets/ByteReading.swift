extension UnsafeRawBufferPointer {
    /// Big-endian integers at a byte offset. Callers check `offset + size <= count` first: these sit on
    /// the per-packet hot path, where every header parser has already bounds-checked its fixed part.
    @inlinable @inline(__always)
    func uint8(at offset: Int) -> UInt8 { self[offset] }

    @inlinable @inline(__always)
    func uint16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func uint32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func uint64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The bytes from `lower` up to `upper`, clamped to what is there.
    @inline(__always)
    func slice(from lower: Int, to upper: Int) -> UnsafeRawBufferPointer {
        let end = Swift.min(upper, count)
        let start = Swift.min(lower, end)
        return UnsafeRawBufferPointer(rebasing: self[start..<end])
    }

    /// The bytes from `lower` to the end.
    @inline(__always)
    func suffix(from lower: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[Swift.min(lower, count)...])
    }
}
