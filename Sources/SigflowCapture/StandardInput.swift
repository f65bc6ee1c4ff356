#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard input, which can be read only once: its first bytes tell a client log from a capture,
/// and the capture reader then gets those bytes back before the rest (`takePeeked`).
public enum StandardInput {
    /// Bytes read by `peek` and not yet handed on. Only the main thread opens inputs.
    nonisolated(unsafe) private static var peeked: [UInt8] = []
    nonisolated(unsafe) private static var reachedEnd = false

    /// The first `count` bytes (fewer when the input is shorter), read once and kept for the
    /// reader that takes the input. Blocks until they arrive, as reading the capture would.
    public static func peek(_ count: Int) -> [UInt8] {
        while peeked.count < count && !reachedEnd {
            var chunk = [UInt8](repeating: 0, count: count - peeked.count)
            let read = readChunk(into: &chunk)
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else {
                reachedEnd = true
                break
            }
            peeked += chunk[0..<read]
        }
        return peeked
    }

    private static func readChunk(into chunk: inout [UInt8]) -> Int {
        chunk.withUnsafeMutableBytes { buffer -> Int in systemRead(STDIN_FILENO, buffer.baseAddress, buffer.count) }
    }

    /// The peeked bytes, handed over once: the capture reader puts them in front of what it reads.
    static func takePeeked() -> [UInt8] {
        defer { peeked = [] }
        return peeked
    }

    /// All of standard input up to `limit` bytes, peeked bytes first (a client log given as `-`);
    /// whether it held more.
    public static func readAll(limit: Int) -> (bytes: [UInt8], truncated: Bool) {
        var bytes = takePeeked()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !reachedEnd && bytes.count <= limit {
            let read = readChunk(into: &chunk)
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { break }
            bytes += chunk[0..<read]
        }
        let truncated = bytes.count > limit
        return (truncated ? Array(bytes.prefix(limit)) : bytes, truncated)
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
