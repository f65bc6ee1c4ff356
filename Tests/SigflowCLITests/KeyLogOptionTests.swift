import Foundation
import Testing

/// `--keylog` as a user meets it: an unreadable key log is one error line and exit 2; a good one
/// decrypts and says so; one without the connection's keys says which connection it could not read.
struct KeyLogOptionTests {
    static let lab = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("captures/lab/tls")

    static func path(_ name: String) -> String { lab.appendingPathComponent(name).path }

    @Test(arguments: ["calls", "flow", "report", "check"])
    func unreadableKeyLogIsOneErrorLine(command: String) throws {
        var arguments = [command, "--keylog", "/nonexistent/keys.log", Self.path("sip-tls13-chacha20.pcap")]
        if command == "report" { arguments += ["-o", NSTemporaryDirectory() + "/sigflow-keylog-report"] }
        let result = try SigflowProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.standardOutput == "")
        #expect(
            result.errorLines == [
                "sigflow: error: /nonexistent/keys.log: cannot read the TLS key log (No such file or directory)"
            ])
    }

    @Test func keyLogDecryptsAndSaysSo() throws {
        let result = try SigflowProcess.run([
            "flow", "--format", "json", "--keylog", Self.path("sip-tls13-chacha20.keylog"), "-f", "tcp port 5061",
            Self.path("sip-tls13-chacha20.pcap"),
        ])
        #expect(result.status == 0)
        #expect(result.errorLines == ["sigflow: note: 1 TLS connection: 1 decrypted"])
        #expect(result.standardOutput.contains(#""transport": "tls""#))
        #expect(result.standardOutput.contains(#""cipher_suites": ["#))
    }

    @Test func connectionWithoutKeysIsNamed() throws {
        let result = try SigflowProcess.run([
            "calls", "--keylog", Self.path("sip-tls13-keyupdate.keylog"), Self.path("sip-tls13-chacha20.pcap"),
        ])
        #expect(result.status == 0)
        #expect(result.errorLines.count == 2)
        #expect(result.errorLines.first?.hasPrefix("sigflow: warning: 127.0.0.1:") == true)
        #expect(
            result.errorLines.first?.hasSuffix(
                "-> 127.0.0.3:5061 (server name sip.lab.example), TLS 1.3 TLS_CHACHA20_POLY1305_SHA256: "
                    + "no keys for this TLS connection in the key logs: not decrypted") == true)
        #expect(result.errorLines.last == "sigflow: warning: 1 TLS connection: 1 without keys")
    }
}
