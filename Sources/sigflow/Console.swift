import ArgumentParser
import Mustache
import SigflowCapture
import SigflowCore
import SigflowPipeline
import SigflowRender
import SigflowTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard error: warnings, the one-line error before exit 2, and the progress bar. Every line it
/// prints passes through `TerminalText`: a file name or a diagnostic quoting a capture cannot
/// steer the terminal.
struct Console {
    var quiet: Bool
    private let bar: ProgressBar?

    init(quiet: Bool) {
        self.quiet = quiet
        bar = !quiet && isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
    }

    /// Prints `error` as one line and exits with status 2 (input or output error).
    func fail(_ error: any Error) -> Never {
        clearProgress()
        FileHandleStderr.write("sigflow: error: \(TerminalText.escape("\(error)"))\n")
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

    /// The calls the filters keep; exit 2 when `--call` names no call, or more than one.
    func select(_ calls: [Call], _ filters: CallFilterOptions) -> [Call] {
        do {
            return try filters.selection.select(calls)
        } catch {
            fail(UsageProblem(error.description))
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

    /// Writes `text` whole to the file (see `OutputFile`), or to standard output when `path` is nil;
    /// exit 2 with the file and the reason when it cannot be written.
    func write(_ text: String, to path: String?) {
        guard let path else {
            StandardOutput.write(text)
            return
        }
        do {
            try OutputFile.write(text, to: path)
        } catch {
            fail(error)
        }
    }

    /// The same for output made as it goes: written to standard output in 64 KB pieces, or to the
    /// file whole or not at all.
    func write(to path: String?, produce: (inout DescriptorStream) throws(OutputError) -> Void) {
        guard let path else {
            var output = DescriptorStream(descriptor: STDOUT_FILENO)
            do {
                try produce(&output)
            } catch {
                fail(error)
            }
            output.flush()
            if let failure = output.failure {
                fail(UsageProblem("standard output: \(String(cString: strerror(failure)))"))
            }
            return
        }
        do {
            try OutputFile.write(to: path, produce: produce)
        } catch {
            fail(error)
        }
    }

    /// The directory of `report -o DIR` (or of several diagrams), created if missing; exit 2 when it
    /// cannot be written.
    func openDirectory(_ path: String) -> OutputDirectory {
        do {
            return try OutputDirectory(path)
        } catch {
            fail(error)
        }
    }

    /// Writes the planned files into `directory`, each made by `render` from its position when its
    /// turn comes (so a report never holds every document at once), then removes what an earlier
    /// run left and says what was written (`what`: `document`, `diagram`); exit 2 at the first file
    /// that cannot be written, saying which were.
    func write(
        _ names: [String], into directory: inout OutputDirectory, what: String, render: (Int) -> String
    ) {
        do {
            try directory.plan(names)
        } catch {
            fail(UsageProblem("\(error); nothing was written"))
        }
        for (index, name) in names.enumerated() {
            do {
                try directory.write(render(index), named: name)
            } catch {
                fail(UsageProblem("\(error); \(directory.writtenSummary)"))
            }
        }
        let removed: Int
        do {
            removed = try directory.finish()
        } catch {
            fail(error)
        }
        guard !quiet else { return }
        let wrote =
            names.last == "index.md"
            ? "\(Wording.count(names.count - 1, what)) and index.md" : Wording.count(names.count, what)
        let cleaned = removed == 0 ? "" : " (and removed \(Wording.count(removed, "file")) of an earlier run)"
        FileHandleStderr.write("sigflow: wrote \(wrote) to \(TerminalText.escape(directory.path))\(cleaned)\n")
    }

    /// `no calls found in FILE (...)`: what a run that found no call prints instead of an empty table;
    /// when filters left out every call it found, it says so instead.
    func noCallsMessage(_ input: InputOptions, _ result: CallsResult, filters: CallFilterOptions) -> String {
        if !filters.selection.isEmpty, result.summaries.count > 0 {
            return "none of the \(Wording.count(result.summaries.count, "call")) in the input passes the filters"
        }
        let logLines = result.logs.values.reduce(0, +)
        let packets = result.captures.reduce(0) { $0 + $1.frames } - logLines
        return Wording.noCallsFound(
            in: input.captureNames, packets: packets, transportPackets: result.transportPackets, logLines: logLines)
    }

    /// The same as a note on standard error, for outputs that have no room for prose (a diagram).
    func noteNoCalls(_ input: InputOptions, _ result: CallsResult, filters: CallFilterOptions) {
        guard !quiet else { return }
        FileHandleStderr.write("sigflow: note: \(noCallsMessage(input, result, filters: filters))\n")
    }

    func report(_ diagnostics: DiagnosticLog) {
        guard !quiet else { return }
        for entry in diagnostics.entries {
            FileHandleStderr.write("sigflow: \(entry.severity.rawValue): \(TerminalText.escape(entry.message))\n")
        }
        for (name, count) in diagnostics.suppressed.sorted(by: { $0.key < $1.key }) {
            FileHandleStderr.write(
                "sigflow: note: \(count) more '\(TerminalText.escape(name))' diagnostics not shown\n")
        }
    }

    /// A progress bar on a terminal while files or standard input are read (not for live capture,
    /// which has no end to measure against).
    func progressHandler(for input: InputOptions) -> ProgressHandler? {
        guard let bar, input.interfaces.isEmpty else { return nil }
        return bar.draw
    }

    /// Erases the progress bar, if one was drawn.
    func clearProgress() {
        bar?.erase()
    }
}

/// The one line of `reading [#####.....] 42%` (or `reading 12.3 MB` for standard input, whose size
/// is unknown) at the bottom of the terminal: fitted to the terminal's width so it never wraps, and
/// erased before anything else is printed.
final class ProgressBar {
    private var drawn = false

    func draw(_ progress: ReadProgress) {
        let line = Self.line(progress, columns: Terminal.columns(of: STDERR_FILENO))
        FileHandleStderr.write("\r" + line + "\u{1b}[K")
        drawn = true
    }

    func erase() {
        guard drawn else { return }
        FileHandleStderr.write("\r\u{1b}[K")
        drawn = false
    }

    /// The text of the bar, shorter than `columns` (writing the last column makes some terminals
    /// wrap): the bar shrinks first, then the words go.
    static func line(_ progress: ReadProgress, columns: Int) -> String {
        let room = columns - 1
        let amount: String
        var bar = ""
        if let fraction = progress.fraction {
            amount = "\(Int(fraction * 100))%"
            let width = min(30, room - "reading [] ".count - amount.count)
            if width >= 5 {
                let filled = Int(fraction * Double(width))
                bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            }
        } else {
            amount = megabytes(progress.bytesRead)
        }
        for candidate in ["reading " + bar + amount, "reading " + amount, amount] where candidate.count <= room {
            return candidate
        }
        return ""
    }

    /// `12.3 MB`.
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }

}

/// What the terminal can show.
enum Terminal {
    /// The width of the terminal on `descriptor`, else `COLUMNS`, else 80.
    static func columns(of descriptor: Int32 = STDOUT_FILENO) -> Int {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        if let text = getenv("COLUMNS"), let columns = Int(String(cString: text)), columns > 0 { return columns }
        return 80
    }

    static var columns: Int { columns() }

    /// Whether the locale's character set is UTF-8 (the first of LC_ALL, LC_CTYPE, LANG that is set).
    static var isUTF8: Bool {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { continue }
            let lowered = value.lowercased()
            return lowered.contains("utf-8") || lowered.contains("utf8")
        }
        return false
    }

    /// Colours on standard output: a terminal, not `TERM=dumb`, no `NO_COLOR` (no-color.org).
    static var showsColor: Bool {
        guard isatty(STDOUT_FILENO) == 1, getenv("NO_COLOR") == nil else { return false }
        return getenv("TERM").map { String(cString: $0) != "dumb" } ?? false
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = writeEvery(bytes, to: STDERR_FILENO) }
    }
}

/// Standard output for output made whole (documents, reports); output made as it goes goes through
/// `Console.write(to:produce:)`.
enum StandardOutput {
    /// Writes `text` out at once, without copying it.
    static func write(_ text: String) {
        var text = text
        text.withUTF8(writeAll)
    }

    /// A full disk (or any failed write) ends the run with exit 2 and one line, never with the
    /// output silently cut.
    private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let failure = writeEvery(bytes, to: STDOUT_FILENO) {
            FileHandleStderr.write("sigflow: error: standard output: \(String(cString: strerror(failure)))\n")
            exit(2)
        }
    }
}

/// A problem with what the user asked for, reported like an input error.
struct UsageProblem: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Whole-file reads through the C library, without Foundation.
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
}
