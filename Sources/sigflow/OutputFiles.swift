#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An output that could not be written, with the file and the system's reason.
struct OutputError: Error, CustomStringConvertible {
    var path: String
    var reason: String

    init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    /// For the failed call that just set `errno`.
    static func lastError(_ path: String, _ doing: String) -> OutputError {
        OutputError(path, "\(doing): \(String(cString: strerror(errno)))")
    }

    var description: String { "\(path): \(reason)" }
}

/// `-o FILE`: written whole or not at all. The text goes to a temporary file next to FILE, renamed
/// over it once every byte is written, so a full disk leaves FILE as it was (absent, or the last
/// run's) and never a cut-off copy. Device files, pipes and links (`/dev/stdout`) are written in
/// place: renaming over them would replace them.
enum OutputFile {
    static func write(_ text: String, to path: String) throws(OutputError) {
        try write(to: path) { $0.write(text) }
    }

    /// The same for output made as it goes (`produce` writes into the stream, never held whole); when
    /// `produce` throws, nothing is left at `path`.
    static func write(
        to path: String, produce: (inout DescriptorStream) throws(OutputError) -> Void
    ) throws(OutputError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { throw OutputError(path, "cannot write: Is a directory") }
            if info.st_mode & S_IFMT != S_IFREG {
                let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
                guard descriptor >= 0 else { throw .lastError(path, "cannot write") }
                try fill(descriptor, path: path, produce: produce)
                guard close(descriptor) == 0 else { throw .lastError(path, "cannot write") }
                return
            }
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = folder + ".\(name).sigflow-\(getpid())"
        let descriptor = try create(temporary, reportedAs: path)
        do {
            try fill(descriptor, path: path, produce: produce)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let error = OutputError.lastError(path, "cannot write")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = OutputError.lastError(path, "cannot write")
            unlink(temporary)
            throw error
        }
    }

    private static func fill(
        _ descriptor: Int32, path: String, produce: (inout DescriptorStream) throws(OutputError) -> Void
    ) throws(OutputError) {
        var stream = DescriptorStream(descriptor: descriptor)
        try produce(&stream)
        stream.flush()
        if let failure = stream.failure {
            throw OutputError(path, "cannot write: \(String(cString: strerror(failure)))")
        }
    }

    /// A new file readable as the umask allows (a stale one of a process with this id is replaced).
    private static func create(_ temporary: String, reportedAs path: String) throws(OutputError) -> Int32 {
        var descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if descriptor < 0 && errno == EEXIST {
            unlink(temporary)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        }
        guard descriptor >= 0 else { throw .lastError(path, "cannot write") }
        return descriptor
    }
}

/// `report -o DIR` and `flow --format mermaid -o DIR`: a directory of files, each written whole
/// (`OutputFile`), that holds no stale files of an earlier run. A manifest in DIR names the files
/// sigflow wrote there; the next run into DIR removes the ones it does not write again, and only
/// those. Before anything is written, the manifest lists the old files and the new ones, so a run
/// that fails half-way still leaves every file it may have written listed for the next run.
struct OutputDirectory {
    static let manifestName = ".sigflow-manifest"

    let path: String
    /// The files of the earlier run, from its manifest.
    private let earlier: [String]
    private(set) var written: [String] = []

    /// Creates DIR when it is missing (its parent must exist). Done before the input is read, so a
    /// directory that cannot be written is reported at once.
    init(_ path: String) throws(OutputError) {
        self.path = path
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT, mkdir(path, 0o777) == 0 else {
                throw .lastError(path, "cannot create the directory")
            }
        } else if info.st_mode & S_IFMT != S_IFDIR {
            throw OutputError(path, "not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else { throw .lastError(path, "cannot write into the directory") }
        earlier = Self.readManifest(path + "/" + Self.manifestName)
    }

    /// Records the files this run will write in the manifest, next to the earlier run's.
    func plan(_ names: [String]) throws(OutputError) {
        var listed = earlier
        for name in names where !earlier.contains(name) { listed.append(name) }
        try Self.writeManifest(listed, in: path)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Writes one of the planned files.
    mutating func write(_ text: String, named name: String) throws(OutputError) {
        try OutputFile.write(text, to: path + "/" + name)
        written.append(name)
    }

    /// Removes the earlier run's files this run did not write, and leaves the manifest naming this
    /// run's files only. Returns how many files were removed.
    func finish() throws(OutputError) -> Int {
        var removed = 0
        let kept = Set(written)
        for name in earlier where !kept.contains(name) {
            if unlink(path + "/" + name) == 0 { removed += 1 }
        }
        try Self.writeManifest(written, in: path)
        return removed
    }

    /// What a failure leaves behind, for the error line: which files were written before it.
    var writtenSummary: String {
        guard let first = written.first, let last = written.last else { return "nothing was written" }
        return written.count == 1 ? "\(first) was written" : "\(written.count) files, \(first) to \(last), were written"
    }

    private static func writeManifest(_ names: [String], in directory: String) throws(OutputError) {
        let text =
            "# Files sigflow wrote in this directory; the next run into it removes those it does not write again.\n"
            + names.map { $0 + "\n" }.joined()
        try OutputFile.write(text, to: directory + "/" + manifestName)
    }

    /// The file names an earlier manifest lists: plain names only, never a path that leads elsewhere.
    private static func readManifest(_ path: String) -> [String] {
        guard let text = TextFile.read(path) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { name in
            !name.hasPrefix("#") && !name.contains("/") && name != "." && name != ".." && name != manifestName
        }
    }
}

/// Writes every byte to `descriptor`, resuming after interruptions and short writes; the errno of
/// the failure, or nil. A write that makes no progress counts as a full disk rather than looping.
/// Text written to a descriptor in 64 KB writes as it comes. The first failed write is kept
/// (`failure`, an errno) and what follows is dropped: the caller reports it once at the end.
struct DescriptorStream: TextOutputStream {
    let descriptor: Int32
    private var pending: [UInt8] = []
    private(set) var failure: Int32?

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    mutating func write(_ text: String) {
        write(bytes: text.utf8)
    }

    mutating func write(bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        if failure == nil { failure = pending.withUnsafeBufferPointer { writeEvery($0, to: descriptor) } }
        pending.removeAll(keepingCapacity: true)
    }
}

func writeEvery(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) -> Int32? {
    var written = 0
    while written < bytes.count {
        let count = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { return count == 0 ? ENOSPC : errno }
        written += count
    }
    return nil
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
