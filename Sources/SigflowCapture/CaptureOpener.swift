import CPcap
import CSigflowGzip

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
/// zlib, whose stream cannot be reopened: its first bytes are read to tell the format, and put back
/// in front of the stream for libpcap.
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
                guard let file = sigflow_gz_open(path) else {
                    throw .cannotOpen(path: path, reason: "gzip stream could not be opened")
                }
                return try open(
                    file, input: input, captureIndex: captureIndex, filter: filter,
                    readFailure: "the gzip data is corrupt")
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
                file: unlocked(file), prefix: [], input: input, captureIndex: captureIndex,
                filter: filter.map(LinkTypeFilters.init), sizeTracker: size, readFailure: "the file could not be read")
        case .standardInput:
            guard let file = sigflow_gz_open_descriptor(STDIN_FILENO) else {
                throw .cannotOpen(path: "-", reason: "standard input is not readable")
            }
            return try open(
                file, input: input, captureIndex: captureIndex, filter: filter,
                readFailure: "standard input could not be read (corrupt gzip data?)")
        case .interface(let name):
            return try PcapHandle(interface: name, captureIndex: captureIndex, filter: filter)
        }
    }

    /// A stream that cannot be reopened: its first bytes tell pcapng from whatever libpcap reads.
    private static func open(
        _ file: UnsafeMutablePointer<FILE>, input: CaptureInput, captureIndex: Int, filter: String?,
        readFailure: String
    ) throws(CaptureError) -> any PacketSource {
        var leading = [UInt8](repeating: 0, count: 4)
        let count = fread(&leading, 1, 4, unlocked(file))
        if count < 4 && ferror(file) != 0 {
            fclose(file)
            throw .corrupt(path: input.description, afterFrame: 0, detail: readFailure)
        }
        leading.removeLast(4 - count)
        if FileSniffer.isPcapng(leading) {
            return try PcapngReader(
                file: file, prefix: leading, input: input, captureIndex: captureIndex,
                filter: filter.map(LinkTypeFilters.init), sizeTracker: .unknown, readFailure: readFailure)
        }
        guard let replayed = sigflow_prefixed(file, leading, count) else {
            fclose(file)
            throw .cannotOpen(path: input.description, reason: "out of memory")
        }
        return try PcapHandle(
            offline: replayed, input: input, captureIndex: captureIndex, filter: filter, inflateFailure: readFailure)
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
