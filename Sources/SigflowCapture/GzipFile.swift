#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The first bytes of a file, to tell a gzip stream from a plain capture before opening it.
enum FileSniffer {
    /// The first `count` bytes (fewer for a short file), or nil with `errno` set when the file cannot
    /// be opened or read.
    static func leadingBytes(ofFileAt path: String, count: Int) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = fread(&bytes, 1, count, file)
        // A directory opens on Linux, then fails to read (EISDIR): that is not an empty file.
        let failure = ferror(file) != 0 ? errno : 0
        fclose(file)
        if failure != 0 {
            errno = failure
            return nil
        }
        return Array(bytes.prefix(read))
    }

    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b }
}
