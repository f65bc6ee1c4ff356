import Foundation
import SigflowTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The progress bar, with standard error on a real pseudo-terminal of a given width: drawn for gzip
/// files (compressed bytes read of the file's size) and for standard input (bytes read, no total),
/// fitted to the width so it never wraps, and erased before the run ends. pcap (libpcap's reader) and
/// pcapng (sigflow's) show the same bar.
struct ProgressBarTests {
    /// 70,000 small UDP datagrams: more than the 65,536 packets after which the bar is first drawn.
    static let capture: [UInt8] = {
        var fixture = Fixture()
        fixture.step = 1000
        let payload = [UInt8](repeating: 0x42, count: 16)
        for index in 0..<70_000 {
            fixture.add(
                udpPacket(from: endpoint("10.0.0.1:40000"), to: endpoint("10.0.0.\(2 + index % 8):9"), payload: payload)
            )
        }
        return fixture.bytes
    }()

    static func capture(pcapng: Bool) -> [UInt8] { pcapng ? PcapngWriter(convertingPcap: capture).bytes : capture }

    /// Runs sigflow with standard error on a pseudo-terminal `columns` wide (0: no size, so `COLUMNS`
    /// decides) and returns what the terminal received.
    static func runOnTerminal(
        _ arguments: [String], columns: UInt16, environment: [String: String] = [:], standardInput: [UInt8] = []
    ) throws -> (status: Int32, terminal: String) {
        // posix_openpt and its friends are not in Swift's Glibc module: the same through /dev/ptmx and
        // the ioctls of Linux's <asm-generic/ioctls.h> (TIOCSPTLCK to unlock, TIOCGPTN for the number).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0, "no /dev/ptmx: \(String(cString: strerror(errno)))")
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, 0x4004_5431, &unlock) == 0 && ioctl(master, 0x8004_5430, &number) == 0)
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
        let directory = TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SigflowProcess.executable)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["COLUMNS"] = nil
        process.environment = variables.merging(environment) { $1 }
        process.standardInput = FileHandle(forReadingAtPath: directory.write(standardInput, to: "stdin"))
        process.standardOutput = FileHandle(forWritingAtPath: directory.write([], to: "stdout"))
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        try process.run()
        process.waitUntilExit()
        // Everything the child wrote is in the terminal's buffer (a few lines, far below its size).
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        while true {
            let count = read(master, &chunk, chunk.count)
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        return (process.terminationStatus, String(decoding: received, as: UTF8.self))
    }

    /// The lines the bar drew: what follows each carriage return up to the erase-to-end-of-line.
    static func barLines(_ terminal: String) -> [String] {
        terminal.components(separatedBy: "\r").compactMap { piece in
            guard let end = piece.range(of: "\u{1b}[K") else { return nil }
            return String(piece[..<end.lowerBound])
        }
    }

    @Test(arguments: [false, true])
    func gzipFileShowsTheShareOfItsCompressedBytes(pcapng: Bool) throws {
        let directory = TemporaryDirectory()
        let path = directory.write(try gzip(Self.capture(pcapng: pcapng)), to: "big.pcap.gz")
        let run = try Self.runOnTerminal(["flows", path], columns: 60)
        #expect(run.status == 0)
        let drawn = Self.barLines(run.terminal).filter { !$0.isEmpty }
        #expect(!drawn.isEmpty, "no bar in \(run.terminal.debugDescription)")
        for line in drawn {
            #expect(line.wholeMatch(of: /reading \[[#.]{30}\] [0-9]{1,3}%/) != nil, "\(line.debugDescription)")
            #expect(line.count < 60)
        }
        // Erased at the end: the last thing on the terminal is the erase, nothing after it.
        #expect(run.terminal.hasSuffix("\r\u{1b}[K"), "\(run.terminal.suffix(40).debugDescription)")
    }

    @Test(arguments: [false, true])
    func standardInputShowsBytesRead(pcapng: Bool) throws {
        let run = try Self.runOnTerminal(["flows", "-"], columns: 60, standardInput: Self.capture(pcapng: pcapng))
        #expect(run.status == 0)
        let drawn = Self.barLines(run.terminal).filter { !$0.isEmpty }
        #expect(!drawn.isEmpty, "no bar in \(run.terminal.debugDescription)")
        for line in drawn {
            #expect(line.wholeMatch(of: /reading [0-9]+\.[0-9] MB/) != nil, "\(line.debugDescription)")
        }
        #expect(run.terminal.hasSuffix("\r\u{1b}[K"))
    }

    /// A narrow terminal gets a shorter bar, then no bar, then the number alone: never a wrapped line.
    @Test(arguments: [(40, #"reading \[[#.]{20,}\] [0-9]{1,3}%"#), (16, #"reading [0-9]{1,3}%"#), (8, #"[0-9]{1,3}%"#)])
    func narrowTerminalShortensTheBar(columns: Int, shape: String) throws {
        let directory = TemporaryDirectory()
        let path = directory.write(try gzip(Self.capture), to: "big.pcap.gz")
        let run = try Self.runOnTerminal(["flows", path], columns: UInt16(columns))
        let drawn = Self.barLines(run.terminal).filter { !$0.isEmpty }
        #expect(!drawn.isEmpty)
        for line in drawn {
            #expect(line.count < columns, "\(line.debugDescription) wraps at \(columns) columns")
            #expect(line.wholeMatch(of: try Regex(shape)) != nil, "\(line.debugDescription)")
        }
    }

    /// Without a window size the terminal's width comes from COLUMNS.
    @Test func columnsGivesTheWidthWhenTheTerminalHasNone() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(try gzip(Self.capture), to: "big.pcap.gz")
        let run = try Self.runOnTerminal(["flows", path], columns: 0, environment: ["COLUMNS": "16"])
        let drawn = Self.barLines(run.terminal).filter { !$0.isEmpty }
        #expect(!drawn.isEmpty)
        for line in drawn { #expect(line.wholeMatch(of: /reading [0-9]{1,3}%/) != nil, "\(line.debugDescription)") }
    }

    /// -q: no bar at all, and no stray erase either.
    @Test func quietDrawsNothing() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(try gzip(Self.capture), to: "big.pcap.gz")
        let run = try Self.runOnTerminal(["flows", "-q", path], columns: 60)
        #expect(run.status == 0)
        #expect(run.terminal == "")
    }
}
