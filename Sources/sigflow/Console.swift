import ArgumentParser
import Mustache
import SigflowCore
import SigflowPipeline
import SigflowRender
import SigflowTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard error: warnings, the one-line error before exit 2, and the progress bar.
struct Console {
    var quiet: Bool

    /// Prints `error` as one line and exits with status 2 (input error).
    func fail(_ error: any Error) -> Never {
        clearProgress()
        FileHandleStderr.write("sigflow: error: \(error)\n")
        exit(2)
    }

    /// Decodes the input into calls, or exits with status 2 when it (or a key log) cannot be read.
    func runCalls(_ input: InputOptions, summary: Bool = false) -> CallsResult {
        do {
            var configuration = summary ? input.summaryConfiguration : input.pipelineConfiguration
            configuration.keyLogs = try input.keyLogs.map { path throws(TLSKeyLogError) in
                try TLSKeyLog.read(path: path)
            }
            let result = try CallsJob.run(configuration, progress: progressHandler(for: input))
            clearProgress()
            return result
        } catch {
            fail(error)
        }
    }

    /// Warnings, then exit 2 if an input broke off mid-way.
    func finish(_ result: CallsResult) {
        report(result.diagnostics)
        if let inputError = result.inputError { fail(inputError) }
    }

    /// The Markdown renderer, with the user's template when one is given (exit 2 if it cannot be read
    /// or parsed).
    func loadDocument(template path: String?, showTime: Bool) throws -> MarkdownDocument {
        let mermaid = MermaidRenderer(options: MermaidRenderer.Options(showTime: showTime))
        guard let path else { return MarkdownDocument.builtIn(mermaid: mermaid) }
        guard let text = TextFile.read(path) else { fail(UsageProblem("\(path): cannot read the template")) }
        do {
            return MarkdownDocument(template: try MustacheTemplate(string: text), mermaid: mermaid)
        } catch {
            fail(UsageProblem("\(path): not a valid Mustache template (\(error))"))
        }
    }

    /// Writes `text` to the file, or to standard output when `path` is nil.
    func write(_ text: String, to path: String?) {
        guard let path else {
            StandardOutput.write(text)
            return
        }
        if !TextFile.write(text, to: path) { fail(UsageProblem("\(path): cannot write")) }
    }

    func makeDirectory(_ path: String) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { fail(UsageProblem("\(path): cannot create the directory")) }
    }

    func report(_ diagnostics: DiagnosticLog) {
        guard !quiet else { return }
        for entry in diagnostics.entries {
            FileHandleStderr.write("sigflow: \(entry.severity.rawValue): \(entry.message)\n")
        }
        for (name, count) in diagnostics.suppressed.sorted(by: { $0.key < $1.key }) {
            FileHandleStderr.write("sigflow: note: \(count) more '\(name)' diagnostics not shown\n")
        }
    }

    /// A progress bar on a terminal, for inputs large enough to wait for.
    func progressHandler(for input: InputOptions) -> ((Double) -> Void)? {
        guard !quiet, isatty(STDERR_FILENO) == 1, input.interfaces.isEmpty else { return nil }
        let largeEnough = input.captures.contains { path in
            var info = stat()
            return stat(path, &info) == 0 && info.st_size > 20 << 20
        }
        guard largeEnough else { return nil }
        return { fraction in
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandleStderr.write("\rreading [\(bar)] \(Int(fraction * 100))%")
        }
    }

    func clearProgress() {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return }
        FileHandleStderr.write("\r\u{1b}[K")
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = unistdWrite(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}

/// Standard output for renderers that write as they go (tables of every call), in 64 KB writes.
/// Nothing else may write to standard output until `flush()`.
struct StandardOutput: TextOutputStream {
    private var pending: [UInt8] = []

    /// Writes `text` out at once, for output made whole (documents, reports), without copying it.
    static func write(_ text: String) {
        var text = text
        text.withUTF8(writeAll)
    }

    mutating func write(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        pending.withUnsafeBufferPointer(Self.writeAll)
        pending.removeAll(keepingCapacity: true)
    }

    /// A full disk (or any failed write) ends the run with exit 2 and one line, never with the
    /// output silently cut.
    private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) {
        var written = 0
        while written < bytes.count {
            let count = unistdWrite(STDOUT_FILENO, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                FileHandleStderr.write("sigflow: error: standard output: \(String(cString: strerror(errno)))\n")
                exit(2)
            }
            written += count
        }
    }
}

private func unistdWrite(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// A problem with what the user asked for, reported like an input error.
struct UsageProblem: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Whole-file reads and writes through the C library, without Foundation.
enum TextFile {
    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(_ text: String, to path: String) -> Bool {
        guard let file = fopen(path, "wb") else { return false }
        defer { fclose(file) }
        var text = text
        return text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
    }
}
