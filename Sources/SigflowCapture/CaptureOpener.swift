import CPcap

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

    /// A pcapng Section Header Block's type, which reads the same in both byte orders.
    static func isPcapng(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x0a, 0x0d, 0x0d, 0x0a]) }
}

/// Opens an input with the reader its format needs: pcapng natively (`PcapngReader`), classic pcap
/// and live interfaces through libpcap (`PcapHandle`). gzip files and standard input come through
/// zlib (`GzipStream`), whose stream cannot be reopened: its first bytes are peeked to tell the
/// format, and the reader chosen reads the stream from the start.
enum CaptureOpener {
    static func open(
        _ input: CaptureInput, captureIndex: Int, filter: String?
    ) throws(CaptureError) -> any PacketSource {
        switch input {
        case .file(let path):
            guard let leading = FileSniffer.leadingBytes(ofFileAt: path, count: 4) else {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            if leading.isEmpty { throw .empty(path: path) }
            if FileSniffer.isGzip(leading) {
                let (file, gzip) = try GzipStream.file(at: path)
                return try open(file, gzip: gzip, captureIndex: captureIndex, filter: filter)
            }
            guard let file = fopen(path, "rb") else {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            guard FileSniffer.isPcapng(leading) else {
                return try PcapHandle(plainFile: file, input: input, captureIndex: captureIndex, filter: filter)
            }
            // The reader fills its own large buffer: stdio's would only add a copy.
            setvbuf(file, nil, _IONBF, 0)
            fseek(file, 0, SEEK_END)
            let size = SizeTracker.plainFile(descriptor: fileno(file), total: ftell(file))
            fseek(file, 0, SEEK_SET)
            return try PcapngReader(
                file: unlocked(file), input: input, captureIndex: captureIndex,
                filter: filter.map(LinkTypeFilters.init), sizeTracker: size, gzip: nil)
        case .standardInput:
            let (file, gzip) = try GzipStream.standardInput()
            return try open(file, gzip: gzip, captureIndex: captureIndex, filter: filter)
        case .interface(let name):
            return try PcapHandle(interface: name, captureIndex: captureIndex, filter: filter)
        }
    }

    /// A stream that cannot be reopened: its first bytes, which the gzip reader gives again, tell
    /// pcapng from whatever libpcap reads.
    private static func open(
        _ file: UnsafeMutablePointer<FILE>, gzip: GzipStream, captureIndex: Int, filter: String?
    ) throws(CaptureError) -> any PacketSource {
        let leading: [UInt8]
        do {
            leading = try gzip.peek(4)
        } catch {
            fclose(file)
            throw error
        }
        if FileSniffer.isPcapng(leading) {
            return try PcapngReader(
                file: unlocked(file), input: gzip.input, captureIndex: captureIndex,
                filter: filter.map(LinkTypeFilters.init), sizeTracker: .stream(gzip), gzip: gzip)
        }
        return try PcapHandle(
            offline: file, input: gzip.input, captureIndex: captureIndex, filter: filter, sizeTracker: .stream(gzip),
            gzip: gzip)
    }

    /// Only one thread reads a capture stream at a time (the reading thread, see `ReadAhead`), so
    /// stdio need not lock it: with a second thread running, glibc would otherwise take a lock in
    /// every read, which cost a quarter of the CPU time on the 100 MB benchmark.
    static func unlocked(_ file: UnsafeMutablePointer<FILE>) -> UnsafeMutablePointer<FILE> {
        #if canImport(Glibc)
            __fsetlocking(file, Int32(FSETLOCKING_BYCALLER))
        #endif
        return file
    }
}
