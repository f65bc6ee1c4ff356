import Foundation
import SigflowTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Output that cannot be written ends the run with exit 2 and one `sigflow: error:` line naming the
/// file and the reason, for every command and format: never a silent cut with exit 0, never a
/// half-written file left behind.
struct OutputErrorTests {
    static let listRules: [[String]] = [["check", "--list-rules"], ["check", "--list-rules", "--format", "json"]]
    /// Whole-capture figures: too short to fill a small disk part-way, so only /dev/full.
    static let stats: [[String]] = [["stats"], ["stats", "--format", "json"], ["stats", "--by", "callee-domain"]]

    /// Standard output on /dev/full (every write fails at once).
    @Test(arguments: CLIFixtures.standardOutputCommands + listRules + stats)
    func fullStandardOutputExitsWith2(command: [String]) throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(3), to: "calls.pcap")
        let result = try SigflowProcess.run(command + [input], standardOutputPath: "/dev/full")
        #expect(result.status == 2, "\(command)")
        #expect(result.errorLines == ["sigflow: error: standard output: No space left on device"], "\(command)")
    }

    /// `-o /dev/full`: a device is written in place (not replaced by a renamed file) and its failure
    /// reported with its name.
    @Test(arguments: CLIFixtures.fileCommands)
    func fullDeviceAsOutputFileExitsWith2(command: [String]) throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(3), to: "calls.pcap")
        let result = try SigflowProcess.run(command + [input, "-o", "/dev/full"])
        #expect(result.status == 2, "\(command)")
        #expect(result.errorLines == ["sigflow: error: /dev/full: cannot write: No space left on device"])
        #expect(result.standardOutput == "")
    }

    /// Standard output to a file on a disk that fills up part-way: some of the output was written,
    /// then the error.
    @Test(arguments: CLIFixtures.standardOutputCommands)
    func standardOutputOnADiskThatFillsUp(command: [String]) throws {
        let disk = try SmallFileSystem(free: 8192)
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(300), to: "calls.pcap")
        let output = disk.path + "/out.txt"
        FileManager.default.createFile(atPath: output, contents: nil)
        let result = try SigflowProcess.run(command + [input], standardOutputPath: output)
        #expect(result.status == 2, "\(command)")
        #expect(result.errorLines == ["sigflow: error: standard output: No space left on device"], "\(command)")
        let written = try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int ?? 0
        #expect(written > 0, "\(command): nothing was written before the disk was full")
    }

    /// `-o FILE` on a disk that fills up: the file keeps what it held (here the last run's text) and
    /// no temporary file is left next to it.
    @Test(arguments: [["flow", "--format", "markdown"], ["flow", "--format", "json"], ["flow"]])
    func outputFileOnADiskThatFillsUp(command: [String]) throws {
        let disk = try SmallFileSystem(free: 8192)
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(300), to: "calls.pcap")
        // `flow` of several calls as Mermaid writes a directory of diagrams; the others one file.
        let target = disk.path + "/out"
        let isDirectory = command == ["flow"]
        if !isDirectory { try "the last run's output\n".write(toFile: target, atomically: false, encoding: .utf8) }
        let result = try SigflowProcess.run(command + [input, "-o", target])
        #expect(result.status == 2, "\(command)")
        #expect(result.errorLines.count == 1)
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("sigflow: error: \(target)"), "\(line)")
        #expect(line.contains(": cannot write: No space left on device"), "\(line)")
        let left = try FileManager.default.contentsOfDirectory(atPath: disk.path).sorted()
        if isDirectory {
            #expect(left == ["filler", "out"])
            let diagrams = try FileManager.default.contentsOfDirectory(atPath: target)
            for name in diagrams where name != ".sigflow-manifest" {
                #expect(name.hasSuffix(".mmd") && !name.hasPrefix("."), "temporary file left: \(name)")
                let text = try String(contentsOfFile: target + "/" + name, encoding: .utf8)
                #expect(text.hasPrefix("sequenceDiagram\n") && text.hasSuffix("    caller->>callee: ACK\n"))
            }
        } else {
            #expect(left == ["filler", "out"], "temporary file left: \(left)")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "the last run's output\n")
        }
    }

    /// `extract -w`: /dev/full is written in place and fails with its name; on a disk that fills up,
    /// no file and no temporary file is left.
    @Test func extractToAFullDisk() throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(300), to: "calls.pcap")
        let device = try SigflowProcess.run(["extract", "-q", input, "-w", "/dev/full"])
        #expect(device.status == 2)
        #expect(device.errorLines == ["sigflow: error: /dev/full: cannot write: No space left on device"])
        let disk = try SmallFileSystem(free: 8192)
        let result = try SigflowProcess.run(["extract", "-q", input, "-w", disk.path + "/calls.pcap"])
        #expect(result.status == 2)
        #expect(result.errorLines == ["sigflow: error: \(disk.path)/calls.pcap: cannot write: No space left on device"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path) == ["filler"])
    }

    /// `report -o DIR` on a disk that fills up after a few documents: every document there is whole
    /// (the same as in a run with room), no temporary file is left, and the error says which file
    /// failed and which were written.
    @Test func reportOnADiskThatFillsUp() throws {
        let disk = try SmallFileSystem(free: 40_000)
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(300), to: "calls.pcap")
        let roomy = directory.file("roomy")
        let complete = try SigflowProcess.run(["report", "-q", input, "-o", roomy])
        #expect(complete.status == 0)
        let target = disk.path + "/report"
        let result = try SigflowProcess.run(["report", input, "-o", target])
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
        let line = try #require(result.errorLines.first)
        let written = try FileManager.default.contentsOfDirectory(atPath: target).filter { $0.hasSuffix(".md") }
            .sorted()
        #expect(!written.isEmpty && written.count < 300, "the disk should fill part-way: \(written.count) written")
        #expect(!written.contains("index.md"))
        #expect(
            line.hasPrefix(
                "sigflow: error: \(target)/\(String(format: "%03d", written.count + 1))-declined-call-\(written.count)"
                    + "_example.com.md: cannot write: No space left on device; "),
            "\(line)")
        #expect(line.hasSuffix(written.count == 1 ? "\(written[0]) was written" : "\(written.last!), were written"))
        for name in written {
            let document = try String(contentsOfFile: target + "/" + name, encoding: .utf8)
            #expect(document == (try String(contentsOfFile: roomy + "/" + name, encoding: .utf8)), "\(name) is cut")
        }
        let hidden = try FileManager.default.contentsOfDirectory(atPath: target).filter { $0.hasPrefix(".") }
        #expect(hidden == [".sigflow-manifest"], "temporary files left: \(hidden)")
        // The manifest names every file the run meant to write, so the next run can clean them up.
        let manifest = try String(contentsOfFile: target + "/.sigflow-manifest", encoding: .utf8)
        #expect(manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 301)
    }

    @Test func reportIntoAFileSaysNotADirectory() throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(2), to: "calls.pcap")
        let file = directory.write(Array("notes\n".utf8), to: "notes.txt")
        let result = try SigflowProcess.run(["report", input, "-o", file])
        #expect(result.status == 2)
        #expect(result.errorLines == ["sigflow: error: \(file): not a directory"])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "notes\n")
        let below = try SigflowProcess.run(["report", input, "-o", file + "/out"])
        #expect(below.status == 2)
        #expect(below.errorLines == ["sigflow: error: \(file)/out: cannot create the directory: Not a directory"])
        let flow = try SigflowProcess.run(["flow", "--format", "json", input, "-o", file + "/out.json"])
        #expect(flow.status == 2)
        #expect(flow.errorLines == ["sigflow: error: \(file)/out.json: cannot write: Not a directory"])
    }

    /// A directory the user may not write into (run as nobody: root may write anywhere).
    @Test func unwritableDirectoryExitsWith2() throws {
        let prefix = try Unprivileged.prefix()
        let directory = TemporaryDirectory()
        chmod(directory.path, 0o755)
        let input = directory.write(CLIFixtures.declinedCalls(2), to: "calls.pcap")
        let locked = directory.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o755)
        let report = try SigflowProcess.run(["report", input, "-o", locked], prefix: prefix)
        #expect(report.status == 2)
        #expect(report.errorLines == ["sigflow: error: \(locked): cannot write into the directory: Permission denied"])
        let inside = try SigflowProcess.run(["report", input, "-o", locked + "/new"], prefix: prefix)
        #expect(inside.errorLines == ["sigflow: error: \(locked)/new: cannot create the directory: Permission denied"])
        let flow = try SigflowProcess.run(
            ["flow", input, "-o", locked + "/x.mmd", "--call", "call-0@example.com"], prefix: prefix)
        #expect(flow.status == 2)
        #expect(flow.errorLines == ["sigflow: error: \(locked)/x.mmd: cannot write: Permission denied"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)
    }

    /// A read-only file system: refused for root as well.
    @Test func readOnlyFileSystemExitsWith2() throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(2), to: "calls.pcap")
        let mountPoint = directory.file("ro")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        guard getuid() == 0 else { try Test.cancel("mounting a read-only tmpfs needs root") }
        guard "size=64k".withCString({ mount("tmpfs", mountPoint, "tmpfs", UInt(MS_RDONLY), $0) }) == 0 else {
            try Test.cancel("cannot mount a tmpfs here: \(String(cString: strerror(errno)))")
        }
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }
        let report = try SigflowProcess.run(["report", input, "-o", mountPoint + "/out"])
        #expect(report.status == 2)
        #expect(
            report.errorLines == [
                "sigflow: error: \(mountPoint)/out: cannot create the directory: Read-only file system"
            ])
        let intoRoot = try SigflowProcess.run(["report", input, "-o", mountPoint])
        #expect(
            intoRoot.errorLines == [
                "sigflow: error: \(mountPoint): cannot write into the directory: Read-only file system"
            ])
        let flow = try SigflowProcess.run(["flow", "--format", "json", input, "-o", mountPoint + "/x.json"])
        #expect(flow.errorLines == ["sigflow: error: \(mountPoint)/x.json: cannot write: Read-only file system"])
    }
}
