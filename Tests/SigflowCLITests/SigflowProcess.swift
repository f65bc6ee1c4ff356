import Foundation
import SigflowTestSupport

/// Runs the built `sigflow` executable, the way a user runs it.
enum SigflowProcess {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String

        /// Standard error split into lines (without the final empty one).
        var errorLines: [String] {
            standardError.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        var outputLines: [String] { standardOutput.split(separator: "\n").map(String.init) }
    }

    /// The `sigflow` binary next to this test bundle (SwiftPM puts every product of a build in one
    /// folder), or in the package's `.build/debug`.
    static let executable: String = {
        let here = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
        let candidates = [
            here.deletingLastPathComponent().appendingPathComponent("sigflow").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/sigflow").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Runs `sigflow arguments...`, with `standardInput` (a file's contents) on standard input, and
    /// waits for it: at most `timeout` seconds, after which it is killed and the result says so.
    /// `standardOutputPath` sends standard output to that file (such as /dev/full) instead of
    /// collecting it. `prefix` runs sigflow through another program (`setpriv ... --`).
    /// `environment` is added to this process's.
    static func run(
        _ arguments: [String], standardInput: [UInt8] = [], standardOutputPath: String? = nil,
        prefix: [String] = [], environment: [String: String] = [:], timeout: TimeInterval = 60
    ) throws -> Result {
        let directory = TemporaryDirectory()
        let input = directory.write(standardInput, to: "stdin")
        let output = standardOutputPath ?? directory.file("stdout")
        let error = directory.file("stderr")
        if standardOutputPath == nil { _ = FileManager.default.createFile(atPath: output, contents: nil) }
        _ = FileManager.default.createFile(atPath: error, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prefix.first ?? executable)
        process.arguments = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [executable] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: error)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return Result(status: -1, standardOutput: "", standardError: "timed out after \(timeout) s\n")
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: standardOutputPath != nil
                ? "" : String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self),
            standardError: String(decoding: FileManager.default.contents(atPath: error) ?? Data(), as: UTF8.self))
    }

    /// Runs another program (tshark, script) to its end: its exit status and standard output, with
    /// standard input empty and standard error dropped.
    static func output(
        of tool: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
