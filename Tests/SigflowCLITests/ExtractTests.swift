import Foundation
import SigflowTestSupport
import Testing

/// `sigflow extract` writes a call's frames as they were captured: read back, the file holds that
/// call alone, with every message and every RTP packet; tshark reads it where it is installed.
struct ExtractTests {
    static let tshark = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The call's messages as `flow --format json` lists them: label, source, destination, transport.
    static func messages(_ arguments: [String]) throws -> [String: [String]] {
        let run = try SigflowProcess.run(["flow", "-q", "--format", "json"] + arguments)
        #expect(run.status == 0)
        var calls: [String: [String]] = [:]
        for call in try #require(try object(run.standardOutput)["calls"] as? [[String: Any]]) {
            calls[call["call_id"] as? String ?? ""] = (call["messages"] as? [[String: Any]] ?? []).map {
                "\($0["label"] ?? "") \($0["src"] ?? "") \($0["dst"] ?? "") \($0["transport"] ?? "")"
            }
        }
        return calls
    }

    /// One call out of thirteen in seven captures: the extract holds it alone, step for step.
    @Test func oneCallOfSeveralCaptures() throws {
        let directory = TemporaryDirectory()
        let output = directory.file("declined.pcap")
        let run = try SigflowProcess.run(["extract", "--call", "4b3b", "-w", output] + CallFilterTests.captures)
        #expect(run.status == 0)
        #expect(run.errorLines == ["sigflow: wrote 5 frames of 1 call to \(output)"])
        let original = try Self.messages(CallFilterTests.captures)[CallFilterTests.declined]
        let extracted = try Self.messages([output])
        #expect(Array(extracted.keys) == [CallFilterTests.declined])
        #expect(extracted[CallFilterTests.declined] == original)
    }

    /// A call with media: every SIP message and all 280 RTP packets, and nothing else.
    @Test func mediaComesAlong() throws {
        let directory = TemporaryDirectory()
        let output = directory.file("media.pcap")
        let capture = CLIFixtures.path("captures/lab/sip/media-call.pcap")
        let run = try SigflowProcess.run(["extract", "-q", "-w", output, capture])
        #expect(run.status == 0 && run.errorLines == [])
        let flows = try SigflowProcess.run(["flows", "-q", "--format", "json", output])
        let original = try SigflowProcess.run(["flows", "-q", "--format", "json", capture])
        #expect(flows.standardOutput == original.standardOutput.replacingOccurrences(of: capture, with: output))
        #expect(try Self.messages([output]) == Self.messages([capture]))
        if let tshark = Self.tshark {
            let counts = try Self.tsharkCount(tshark, output, filters: ["sip", "rtp"])
            #expect(counts == [7, 280])
        }
    }

    /// Every segment of a call over TCP, so a reader reassembles every message.
    @Test func tcpSegmentsComeAlong() throws {
        let directory = TemporaryDirectory()
        let output = directory.file("tcp.pcap")
        let capture = CLIFixtures.path("captures/lab/sip/tcp-call.pcap")
        #expect(try SigflowProcess.run(["extract", "-q", "-w", output, capture]).status == 0)
        #expect(try Self.messages([output]) == Self.messages([capture]))
    }

    /// Several link types go into pcapng, one interface each; classic pcap refuses them, and
    /// leaves no file.
    @Test func severalLinkTypesNeedPcapng() throws {
        let directory = TemporaryDirectory()
        let capture = CLIFixtures.path("captures/lab/encap/multi-link.pcapng")
        let output = directory.file("both.pcapng")
        #expect(try SigflowProcess.run(["extract", "-q", "-w", output, capture]).status == 0)
        #expect(try Self.messages([output]) == Self.messages([capture]))
        let prefix = try #require(FileManager.default.contents(atPath: output)).prefix(4)
        #expect(Array(prefix) == [0x0a, 0x0d, 0x0d, 0x0a])

        let classic = directory.file("both.pcap")
        let refused = try SigflowProcess.run(["extract", "-q", "-w", classic, capture])
        #expect(refused.status == 2)
        #expect(refused.errorLines.count == 1)
        #expect(refused.errorLines.first?.contains("several link types") == true)
        #expect(!FileManager.default.fileExists(atPath: classic))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["both.pcapng"])
    }

    /// No frame to write (client logs have none): still a capture file, with its header.
    @Test func nothingToWriteIsStillACapture() throws {
        let directory = TemporaryDirectory()
        let logs = try FileManager.default.contentsOfDirectory(
            atPath: CLIFixtures.path("captures/whatsapp/accept-elsewhere")
        ).sorted().map { CLIFixtures.path("captures/whatsapp/accept-elsewhere/\($0)") }
        for name in ["none.pcap", "none.pcapng"] {
            let output = directory.file(name)
            let run = try SigflowProcess.run(["extract", "-q", "-w", output] + logs)
            #expect(run.status == 0)
            let bytes = try #require(FileManager.default.contents(atPath: output))
            #expect(bytes.count == (name.hasSuffix("ng") ? 28 : 24))
            let read = try SigflowProcess.run(["flows", "-q", output])
            #expect(read.status == 0, "\(name): \(read.standardError)")
        }
    }

    @Test func standardInputCannotBeReadTwice() throws {
        let run = try SigflowProcess.run(["extract", "-w", "/tmp/never.pcap", "-"])
        #expect(run.status == 64)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.pcap"))
    }

    static func tsharkCount(_ tshark: String, _ file: String, filters: [String]) throws -> [Int] {
        try filters.map { filter in
            try SigflowProcess.output(of: tshark, ["-r", file, "-Y", filter, "-T", "fields", "-e", "frame.number"])
                .text.split(separator: "\n").count
        }
    }
}
