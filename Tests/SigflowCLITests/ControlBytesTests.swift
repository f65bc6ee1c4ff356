import Foundation
import SigflowTestSupport
import Testing

/// captures/lab/sip/terminal-controls.pcap (made by controls.py): the Call-ID, From display name,
/// User-Agent and a reason phrase carry ESC sequences, OSC title sets, BEL, BS, a lone CR and the
/// 8-bit CSI. No output of any command or format carries a control byte (text shows them as `\x1b`,
/// `\u009b`; JSON escapes them), and JSON gives back the exact text.
struct ControlBytesTests {
    static let capture = CLIFixtures.path("captures/lab/sip/terminal-controls.pcap")
    static let callID = "ctl-\u{1b}[31mred\u{1b}[0m-\u{1b}]0;pwned\u{07}-\u{07}\u{08}\r-\u{9b}2J@127.0.0.2"
    static let agent = "evil/2.0 \u{1b}[5mblink\u{1b}[0m \u{1b}]0;title\u{07} \u{07} \u{08} \r \u{9b}1m"
    static let reason = "603 Decline \u{1b}[41mred\u{1b}[0m \u{1b}]0;gotcha\u{07} \u{07}\u{08}\r \u{9b}K"

    static let commands: [[String]] = [
        ["calls"], ["calls", "--format", "json"], ["flows"], ["flows", "--format", "json"],
        ["flow"], ["flow", "--time"], ["flow", "--format", "markdown"], ["flow", "--format", "json"],
        ["check"], ["check", "--format", "json"], ["check", "--format", "sarif"],
        ["check", "--expect", CLIFixtures.path("templates/flows/sip-cancel.md")],
        ["check", "--expect", CLIFixtures.path("templates/flows/sip-cancel.md"), "--format", "json"],
        ["check", "--expect", CLIFixtures.path("templates/flows/sip-cancel.md"), "--format", "sarif"],
        ["check", "--expect", CLIFixtures.path("templates/flows/sip-cancel.md"), "--format", "markdown"],
    ]

    /// The controls in `bytes`: C0 but newline, DEL, and C1 (U+0080-U+009F, UTF-8 C2 80 to C2 9F).
    static func controls(in bytes: [UInt8]) -> [String] {
        var found: [String] = []
        for (index, byte) in bytes.enumerated() {
            if (byte < 0x20 && byte != 0x0a) || byte == 0x7f {
                found.append(String(format: "0x%02x at %d", byte, index))
            } else if byte == 0xc2, index + 1 < bytes.count, (0x80...0x9f).contains(bytes[index + 1]) {
                found.append(String(format: "U+00%02X at %d", bytes[index + 1], index))
            }
        }
        return found
    }

    @Test(arguments: commands)
    func noOutputCarriesAControl(command: [String]) throws {
        let result = try SigflowProcess.run(command + [Self.capture])
        #expect(result.status == 0 || (command.first == "check" && result.status == 1), "\(result.standardError)")
        #expect(Self.controls(in: Array(result.standardOutput.utf8)) == [], "\(command)")
        #expect(Self.controls(in: Array(result.standardError.utf8)) == [], "\(command)")
        #expect(!result.standardOutput.isEmpty)
    }

    /// Text outputs show each control as an escape, where a reader can see it.
    @Test func textShowsVisibleEscapes() throws {
        let calls = try SigflowProcess.run(["calls", Self.capture])
        #expect(
            calls.standardOutput.contains(#"ctl-\x1b[31mred\x1b[0m-\x1b]0;pwned\x07-\x07\x08\x0d-\u009b2J@127.0.0.2"#))
        let mermaid = try SigflowProcess.run(["flow", Self.capture])
        #expect(mermaid.standardOutput.contains("603 Decline #92;x1b[41mred#92;x1b[0m #92;x1b]0#59;gotcha#92;x07"))
        let markdown = try SigflowProcess.run(["flow", "--format", "markdown", Self.capture])
        #expect(
            markdown.standardOutput.contains(
                #"`ctl-\x1b[31mred\x1b[0m-\x1b]0;pwned\x07-\x07\x08\x0d-\u009b2J@127.0.0.2`"#))
        #expect(markdown.standardOutput.contains(#"evil/2.0 \\x1b\[5mblink\\x1b\[0m"#))
    }

    /// Each report document and the index: files a user opens in a terminal.
    @Test func reportFilesCarryNoControl() throws {
        let directory = TemporaryDirectory()
        let output = directory.file("report")
        let result = try SigflowProcess.run(["report", Self.capture, "-o", output])
        #expect(result.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasSuffix(".md") }
        #expect(names.count == 2)
        for name in names {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: output + "/" + name)))
            #expect(Self.controls(in: bytes) == [], "\(name)")
        }
    }

    /// JSON keeps the exact text: parsed back, the call id, user agent and reason phrase are the bytes
    /// on the wire.
    @Test func jsonRoundTripsTheExactText() throws {
        let calls = try SigflowProcess.run(["calls", "--format", "json", Self.capture])
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(calls.standardOutput.utf8)) as? [String: Any])
        let call = try #require((list["calls"] as? [[String: Any]])?.first)
        #expect(call["call_id"] as? String == Self.callID)

        let flow = try SigflowProcess.run(["flow", "--format", "json", Self.capture])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(flow.standardOutput.utf8)) as? [String: Any])
        let detail = try #require((document["calls"] as? [[String: Any]])?.first)
        #expect(detail["call_id"] as? String == Self.callID)
        let caller = try #require((detail["participants"] as? [[String: Any]])?.first)
        #expect(caller["agent"] as? String == Self.agent)
        let labels = (detail["messages"] as? [[String: Any]])?.compactMap { $0["label"] as? String }
        #expect(labels == ["INVITE", "100 Trying", "180 Ringing", Self.reason, "ACK"])

        let sarif = try SigflowProcess.run([
            "check", "--format", "sarif", "--expect", CLIFixtures.path("templates/flows/sip-cancel.md"), Self.capture,
        ])
        let log = try #require(
            try JSONSerialization.jsonObject(with: Data(sarif.standardOutput.utf8)) as? [String: Any])
        let results = ((log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
        #expect(!results.isEmpty)
        for result in results {
            #expect((result["properties"] as? [String: Any])?["callId"] as? String == Self.callID)
        }
    }
}
