import CSigflowGzip
import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The zlib reader under a gzip file or standard input (`sigflow_gz_state`), which knows what the
/// capture readers above it only see as a failed or short read: where the data was damaged or cut,
/// and how much of the input it took (for progress). Both readers, libpcap's and pcapng's, ask it the
/// same questions, so a damaged gzip stream reads the same whatever capture it holds.
///
/// The state belongs to the stream: valid until the stream is closed.
struct GzipStream {
    let state: OpaquePointer
    let input: CaptureInput
    /// The file's size as stored (compressed); nil for standard input.
    let size: Int?

    /// A stream of the gzip file at `path`.
    static func file(at path: String) throws(CaptureError) -> (UnsafeMutablePointer<FILE>, GzipStream) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        let size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
        var state: OpaquePointer?
        guard let file = sigflow_gz_open(descriptor, nil, 0, &state), let state else {
            throw .cannotOpen(path: path, reason: "out of memory")
        }
        return (file, GzipStream(state: state, input: .file(path), size: size))
    }

    /// A stream of standard input, gzip or not: the bytes a caller already took to recognise it
    /// (`StandardInput.peek`) come first, and a duplicate of its descriptor is read, so closing the
    /// capture leaves standard input open.
    static func standardInput() throws(CaptureError) -> (UnsafeMutablePointer<FILE>, GzipStream) {
        let prefix = StandardInput.takePeeked()
        let descriptor = dup(STDIN_FILENO)
        var state: OpaquePointer?
        guard descriptor >= 0,
            let file = prefix.withUnsafeBufferPointer({ sigflow_gz_open(descriptor, $0.baseAddress, $0.count, &state) }
            ),
            let state
        else {
            throw .cannotOpen(path: "-", reason: "standard input is not readable")
        }
        return (file, GzipStream(state: state, input: .standardInput, size: nil))
    }

    /// The stream's first `count` bytes (fewer when it is shorter), which its first reads give
    /// again: the format, told before a reader is chosen. Before anything reads the stream.
    func peek(_ count: Int) throws(CaptureError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = sigflow_gz_peek(state, &bytes, count)
        guard read >= 0 else {
            let reason = String(cString: strerror(errno))
            throw failure(afterFrame: 0) ?? .readFailed(path: input.description, afterFrame: 0, reason: reason)
        }
        return Array(bytes.prefix(read))
    }

    /// Compressed bytes taken of the file's size, or bytes of standard input: any thread.
    var progress: ReadProgress {
        let read = Int(clamping: sigflow_gz_bytes_read(state))
        return ReadProgress(bytesRead: size.map { min($0, read) } ?? read, totalBytes: size)
    }

    /// What the reader found wrong with its input, as an error: damaged compressed data or a failed
    /// read. A stream merely cut short is not an error (the packets before the cut stand, as in a
    /// truncated capture): nil, like a healthy stream. `noticedAt` is how far the input was inflated
    /// when its records stopped making sense, which places a damage zlib found only later (at the
    /// check value) to within a stdio buffer.
    func failure(afterFrame frames: Int, noticedAt: UInt64? = nil) -> CaptureError? {
        let detail = String(cString: sigflow_gz_failure_detail(state))
        switch sigflow_gz_failure(state) {
        case Int32(SIGFLOW_GZ_CORRUPT):
            let found = sigflow_gz_failure_offset(state)
            return .damagedCompression(
                path: input.description, offset: Int(clamping: min(found, noticedAt ?? found)), size: size,
                afterFrame: frames, detail: detail)
        case Int32(SIGFLOW_GZ_READ_ERROR):
            return .readFailed(path: input.description, afterFrame: frames, reason: detail)
        default:
            return nil
        }
    }

    /// How much more of a gzip stream is inflated after a reader met a corrupt record, looking for
    /// zlib's proof that the data was damaged (its check value ends the member): about a second of
    /// inflating. Beyond it, the corrupt record is reported as the reader saw it.
    static let damageSearchLimit = 256 << 20

    /// What lies behind a record that made no sense, read from `file` (the stream the reader reads):
    /// a failed read, or bytes zlib inflated from damaged data before it noticed (it may only notice
    /// at the member's check value). Reads on, at most `damageSearchLimit` more, so a corrupt record
    /// in a gzip stream without end (a pipe) still ends the run; nil when the stream holds no damage,
    /// or is not compressed, and the record itself is corrupt.
    func failure(behindCorruptRecordIn file: UnsafeMutablePointer<FILE>?, afterFrame frames: Int) -> CaptureError? {
        var noticedAt: UInt64?
        if sigflow_gz_failure(state) == Int32(SIGFLOW_GZ_OK), sigflow_gz_is_compressed(state) != 0, let file {
            noticedAt = sigflow_gz_bytes_consumed(state)
            var scratch = [UInt8](repeating: 0, count: 1 << 16)
            var searched = 0
            while searched < Self.damageSearchLimit {
                let count = fread(&scratch, 1, scratch.count, file)
                guard count > 0 else { break }
                searched += count
            }
        }
        return failure(afterFrame: frames, noticedAt: noticedAt)
    }

    /// The warning for a gzip stream that ends inside a member, nil for one that ended cleanly.
    func cutShortWarning(captureIndex: Int, frames: Int) -> Diagnostic? {
        guard sigflow_gz_failure(state) == Int32(SIGFLOW_GZ_TRUNCATED) else { return nil }
        return Diagnostic(
            .warning, "capture_truncated",
            "\(input): the gzip data ends early, at compressed byte \(sigflow_gz_failure_offset(state)); "
                + "the \(frames) packets before it were read",
            source: SourceRef(capture: captureIndex, frame: frames))
    }
}
