import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

/// `sigflow flows` as a user runs it: the built binary, its exit status, standard output and standard
/// error.
@Suite struct FlowsCommandTests {
    static let sipA = endpoint("10.0.0.1:5060")
    static let sipB = endpoint("10.0.0.2:5060")
    static let options = Array("OPTIONS sip:b SIP/2.0\r\n\r\n".utf8)
    static let ok = Array("SIP/2.0 200 OK\r\n\r\n".utf8)

    /// Three conversations: SIP over UDP (frames 1-2), DNS (3), SIP over TCP (4-9).
    static func capture() -> Fixture {
        var tcp = TCPConversation(client: endpoint("10.0.0.1:40000"), server: sipB)
        tcp.fixture.add(udpPacket(from: sipA, to: sipB, payload: options))
        tcp.fixture.add(udpPacket(from: sipB, to: sipA, payload: ok))
        tcp.fixture.add(udpPacket(from: endpoint("10.0.0.1:53000"), to: endpoint("10.0.0.53:53"), payload: [1, 2, 3]))
        tcp.handshake()
        tcp.fromClient(at: 0, "INVITE sip:b SIP/2.0\r\n\r\n")
        tcp.fromServer(at: 0, "SIP/2.0 100 Trying\r\n\r\n")
        tcp.clientFIN(at: 24)
        return tcp.fixture
    }

    /// The text table rows of `capture()`, split on blanks.
    static let expectedRows: [[String]] = [
        [
            "PROTO", "A", "B", "A>B", "FRAMES", "A>B", "BYTES", "B>A", "FRAMES", "B>A", "BYTES", "FIRST", "DURATION",
            "GAPS",
        ],
        [
            "udp", "10.0.0.1:5060", "10.0.0.2:5060", "1", "\(42 + options.count)", "1", "\(42 + ok.count)",
            "2023-11-14T22:13:20.000Z", "0.001", "-",
        ],
        ["udp", "10.0.0.1:53000", "10.0.0.53:53", "1", "45", "0", "0", "2023-11-14T22:13:20.002Z", "0.000", "-"],
        [
            "tcp", "10.0.0.1:40000", "10.0.0.2:5060", "4", "\(4 * 54 + 24)", "2", "\(2 * 54 + 22)",
            "2023-11-14T22:13:20.003Z", "0.005", "0",
        ],
    ]

    static func rows(_ output: String) -> [[String]] {
        output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    @Test func textTableOfAFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.capture().bytes, to: "calls.pcap")
        let result = try SigflowProcess.run(["flows", path])
        #expect(result.status == 0)
        #expect(Self.rows(result.standardOutput) == Self.expectedRows)
        #expect(result.standardError == "")
    }

    /// `-` reads the capture from standard input, pcap or pcapng, plain or gzip-compressed, with the
    /// same result.
    @Test(arguments: [false, true], [false, true])
    func standardInput(compressed: Bool, pcapng: Bool) throws {
        let pcap = Self.capture().bytes
        let bytes = pcapng ? PcapngWriter(convertingPcap: pcap).bytes : pcap
        let result = try SigflowProcess.run(["flows", "-"], standardInput: compressed ? try gzip(bytes) : bytes)
        #expect(result.status == 0)
        #expect(Self.rows(result.standardOutput) == Self.expectedRows)
        #expect(result.standardError == "")
    }

    @Test func gzipCompressedFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(try gzip(Self.capture().bytes), to: "calls.pcap.gz")
        let result = try SigflowProcess.run(["flows", path])
        #expect(result.status == 0)
        #expect(Self.rows(result.standardOutput) == Self.expectedRows)
    }

    @Test func filterKeepsOnlyMatchingConversations() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.capture().bytes, to: "calls.pcap")
        let result = try SigflowProcess.run(["flows", "-f", "udp port 5060", path])
        #expect(result.status == 0)
        #expect(Self.rows(result.standardOutput) == Array(Self.expectedRows.prefix(2)))
    }

    @Test func jsonFormat() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.capture().bytes, to: "calls.pcap")
        let result = try SigflowProcess.run(["flows", "--format", "json", path])
        #expect(result.status == 0)
        // Times are exact decimals, not doubles rounded by a JSON library.
        #expect(result.standardOutput.contains(#""first": 1700000000.003000000"#))
        #expect(result.standardOutput.contains(#""last": 1700000000.008000000"#))
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let flows = try #require(object["flows"] as? [[String: Any]])
        #expect(flows.count == 3)
        #expect(flows.map { $0["transport"] as? String } == ["udp", "udp", "tcp"])
        let tcp = flows[2]
        #expect(tcp["a"] as? String == "10.0.0.1:40000" && tcp["b"] as? String == "10.0.0.2:5060")
        #expect(tcp["frames_a_to_b"] as? Int == 4 && tcp["bytes_a_to_b"] as? Int == 4 * 54 + 24)
        #expect(tcp["frames_b_to_a"] as? Int == 2 && tcp["bytes_b_to_a"] as? Int == 2 * 54 + 22)
        #expect(tcp["payload_bytes_a_to_b"] as? Int == 24 && tcp["payload_bytes_b_to_a"] as? Int == 22)
        let streams = try #require(tcp["tcp"] as? [String: Any])
        let aToB = try #require(streams["a_to_b"] as? [String: Any])
        let bToA = try #require(streams["b_to_a"] as? [String: Any])
        #expect(aToB["delivered_bytes"] as? Int == 24 && aToB["end"] as? String == "fin")
        #expect(bToA["delivered_bytes"] as? Int == 22 && bToA["end"] as? String == "capture-ended")
        #expect(aToB["gaps"] as? Int == 0 && aToB["midstream"] as? Bool == false)
        #expect(flows[0]["tcp"] == nil)
    }

    /// A capture that stops in the middle of a record: the packets before are reported, exit 0, and one
    /// warning line.
    @Test func truncatedCaptureWarnsAndSucceeds() throws {
        var fixture = Self.capture()
        fixture.addFrame(
            LinkFraming.ethernet.frame(udpPacket(from: Self.sipA, to: Self.sipB, payload: Self.options)), keeping: 30)
        var bytes = fixture.bytes
        bytes.removeLast(10)  // the last record's data stops early
        let directory = TemporaryDirectory()
        let path = directory.write(bytes, to: "cut.pcap")
        let result = try SigflowProcess.run(["flows", path])
        #expect(result.status == 0)
        #expect(Self.rows(result.standardOutput) == Self.expectedRows)
        #expect(result.errorLines.count == 1)
        #expect(
            result.errorLines.first?.hasPrefix(
                "sigflow: warning: \(path): capture ends in the middle of a packet after frame 9") == true)
    }

    struct Hostile: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: @Sendable (TemporaryDirectory) -> [String]
        var message: String
        var testDescription: String { name }
    }

    static let hostile: [Hostile] = [
        Hostile(
            name: "text file", arguments: { ["flows", $0.write(Array("hello\n".utf8), to: "notes.txt")] },
            message: "not a pcap or pcapng capture"),
        Hostile(
            name: "missing file", arguments: { ["flows", $0.file("missing.pcap")] },
            message: "cannot open: No such file or directory"),
        Hostile(name: "empty file", arguments: { ["flows", $0.write([], to: "empty.pcap")] }, message: "empty file"),
        Hostile(name: "directory", arguments: { ["flows", $0.path] }, message: "cannot open: Is a directory"),
        Hostile(
            name: "random bytes after a valid magic",
            arguments: {
                [
                    "flows",
                    $0.write(Array(PcapWriter(linkType: 1).bytes) + patternBytes(3000, seed: 9), to: "random.pcap"),
                ]
            },
            message: "corrupt record after frame 0: invalid packet capture length"),
        Hostile(
            name: "absurd caplen after good packets",
            arguments: {
                var writer = PcapWriter(linkType: 1)
                writer.add(patternBytes(60), at: Fixture.start)
                writer.addRecord([], capturedLength: 0x7fff_ffff, originalLength: 60, at: Fixture.start)
                return ["flows", $0.write(writer.bytes, to: "absurd.pcap")]
            }, message: "corrupt record after frame 1"),
        Hostile(
            name: "pcapng garbage block",
            arguments: {
                var writer = PcapngWriter()
                writer.addInterface(linkType: 1)
                writer.add(patternBytes(60), at: Fixture.start)
                writer.appendRaw(patternBytes(64, seed: 5))
                return ["flows", $0.write(writer.bytes, to: "garbage.pcapng")]
            }, message: "corrupt record after frame 1"),
        Hostile(
            name: "bad filter",
            arguments: { ["flows", "-f", "udp port banana", $0.write(PcapWriter(linkType: 1).bytes, to: "ok.pcap")] },
            message: "invalid capture filter 'udp port banana'"),
        Hostile(
            name: "garbage on standard input", arguments: { _ in ["flows", "-"] },
            message: "-: not a pcap or pcapng capture"),
    ]

    /// Every input error: exit status 2 and exactly one line on standard error, `sigflow: error: ...`.
    @Test(arguments: hostile)
    func inputErrorsExitWithStatus2AndOneLine(_ hostile: Hostile) throws {
        let directory = TemporaryDirectory()
        let result = try SigflowProcess.run(hostile.arguments(directory), standardInput: Array("not pcap".utf8))
        #expect(result.status == 2)
        #expect(result.errorLines.count == 1)
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("sigflow: error: "))
        #expect(line.contains(hostile.message))
    }

    /// The exact message of the most common mistake.
    @Test func notACaptureMessage() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Array("hello\n".utf8), to: "notes.txt")
        let result = try SigflowProcess.run(["flows", path])
        #expect(result.standardError == "sigflow: error: \(path): not a pcap or pcapng capture (unknown file format)\n")
        #expect(result.standardOutput == "")
    }

    /// Two files in one run are merged by time.
    @Test func twoFilesAreMerged() throws {
        var first = Fixture()
        first.add(udpPacket(from: Self.sipA, to: Self.sipB, payload: Self.options))
        var second = Fixture(start: Fixture.start.adding(nanoseconds: 500_000))
        second.add(udpPacket(from: Self.sipB, to: Self.sipA, payload: Self.ok))
        let directory = TemporaryDirectory()
        let result = try SigflowProcess.run([
            "flows", directory.write(second.bytes, to: "b.pcap"), directory.write(first.bytes, to: "a.pcap"),
        ])
        #expect(result.status == 0)
        #expect(
            Self.rows(result.standardOutput).dropFirst().map { Array($0.prefix(7)) } == [
                [
                    "udp", "10.0.0.1:5060", "10.0.0.2:5060", "1", "\(42 + Self.options.count)", "1",
                    "\(42 + Self.ok.count)",
                ]
            ])
    }
}

/// Compresses with the system's gzip, as a user would.
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = TemporaryDirectory()
    let path = directory.write(bytes, to: "capture.pcap")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", path]
    try process.run()
    process.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}
