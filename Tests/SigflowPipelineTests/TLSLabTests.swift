import Foundation
import SigflowCore
import SigflowPipeline
import SigflowRender
import SigflowTLS
import SigflowTestSupport
import Testing

/// The TLS lab (captures/lab/tls/): each capture holds a TLS leg and its cleartext twin (the same
/// bytes between the TLS endpoint and sipp), so the call read from the TLS leg with the key log
/// must be the call read from the cleartext leg, step for step.
struct TLSLabTests {
    static let folder = Paths.captures.appendingPathComponent("lab/tls")

    /// The SIP-over-TLS captures (each a pcap with its key log; the TLS leg on port 5061).
    static let sipCaptures: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasPrefix("sip-tls") && $0.hasSuffix(".pcap") }.map { String($0.dropLast(5)) }
            .sorted()
    }()

    static func path(_ name: String, _ suffix: String) -> String {
        folder.appendingPathComponent("\(name).\(suffix)").path
    }

    static func run(_ name: String, filter: String?, keyLog: String? = nil) throws -> CallsResult {
        try CallsJob.run(
            PipelineConfiguration(
                inputs: [.file(path(name, "pcap"))], filter: filter,
                keyLogs: try keyLog.map { [try TLSKeyLog.read(path: path(name, $0))] } ?? []))
    }

    /// What the twin comparison compares: everything but endpoints, frames, times and transport.
    struct Step: Equatable, CustomStringConvertible {
        var number: Int
        var from: String
        var to: String
        var label: String
        var kind: MessageKind
        var retransmissions: Int

        var description: String {
            "\(number) \(from)->\(to) \(label)\(retransmissions > 0 ? " x\(retransmissions)" : "")"
        }
    }

    static func steps(_ call: Call) -> [Step] {
        call.steps.map {
            Step(
                number: $0.number, from: $0.from, to: $0.to, label: $0.message.label, kind: $0.message.kind,
                retransmissions: $0.retransmissions.count)
        }
    }

    @Test func everySuiteHasACapture() {
        #expect(Self.sipCaptures.count >= 19)
    }

    @Test(arguments: sipCaptures)
    func tlsLegIsItsCleartextTwin(name: String) throws {
        let tls = try Self.run(name, filter: "tcp port 5061", keyLog: "keylog")
        let clear = try Self.run(name, filter: "tcp and not port 5061")
        try Self.expectTwins(tls, clear, transports: ("tls", "tcp"), name: name)
        let summary = try #require(tls.tls)
        #expect(summary.connections >= 1 && summary.count(.decrypted) == summary.connections)
        #expect(clear.tls == nil)
        #expect(!tls.diagnostics.entries.contains { $0.severity == .warning })
    }

    /// SIP over secure WebSocket (alice's client to kamailio through a TLS proxy, kamailio to bob
    /// over UDP) and Matrix over HTTPS (the nio devices to Synapse through the same proxy): the TLS
    /// leg with the key log gives the cleartext leg's calls.
    @Test(arguments: [
        ("sip-wss-call", "tcp port 8443 or udp port 5060", "tcp port 8080 or udp port 5060", "wss", "ws"),
        ("matrix-https-v1-reject", "tcp port 8443 or tcp port 8448", "tcp port 8008", "https", "http"),
    ])
    func webLegIsItsCleartextTwin(
        name: String, tlsFilter: String, clearFilter: String, secure: String, plain: String
    )
        throws
    {
        let tls = try Self.run(name, filter: tlsFilter, keyLog: "keylog")
        let clear = try Self.run(name, filter: clearFilter)
        #expect(tls.calls.map(\.callID) == clear.calls.map(\.callID))
        for (decrypted, twin) in zip(tls.calls, clear.calls) {
            #expect(decrypted.outcome == twin.outcome, "\(name): outcome")
            #expect(decrypted.participants.map(\.role) == twin.participants.map(\.role))
            #expect(Self.steps(decrypted) == Self.steps(twin), "\(name): steps")
            #expect(Self.fates(decrypted) == Self.fates(twin))
            let transports = zip(decrypted.steps, twin.steps).map {
                ($0.message.transport.rawValue, $1.message.transport.rawValue)
            }
            #expect(transports.allSatisfy { $0 == ($1 == plain ? secure : $1) }, "\(name): \(transports)")
        }
        #expect(tls.calls.contains { $0.steps.contains { $0.message.transport.rawValue == secure } })
        #expect(!tls.calls.isEmpty && tls.tls?.count(.decrypted) == tls.tls?.connections)
    }

    /// XMPP with STARTTLS (the stream restarts inside TLS after `<proceed/>`) and with direct TLS
    /// (XEP-0368) carry the XMPP lab's jmi-reject scenario: the same stanzas as its cleartext capture.
    @Test(arguments: ["xmpp-starttls-jmi-reject", "xmpp-directtls-jmi-reject"])
    func xmppOverTLSIsItsCleartextTwin(name: String) throws {
        let tls = try Self.run(name, filter: nil, keyLog: "keylog")
        let clear = try CallsJob.run(
            PipelineConfiguration(inputs: [
                .file(Paths.captures.appendingPathComponent("lab/xmpp/jmi-reject.pcap").path)
            ]))
        // Another run of the scenario: who of bob's devices was first to get each stanza is timing,
        // so the steps are compared by device (full JID), in each device's order.
        #expect(tls.calls.map(\.callID) == clear.calls.map(\.callID))
        for (decrypted, twin) in zip(tls.calls, clear.calls) {
            #expect(decrypted.outcome == twin.outcome)
            #expect(Self.byDevice(decrypted) == Self.byDevice(twin), "\(name): steps by device")
            #expect(Self.fates(decrypted) == Self.fates(twin), "\(name): device outcomes")
            #expect(decrypted.steps.allSatisfy { $0.message.transport == .tls })
        }
        #expect(tls.tls?.connections == 3 && tls.tls?.count(.decrypted) == 3)
        #expect(!tls.diagnostics.entries.contains { $0.name == "xmpp_encrypted" })
    }

    /// Each device's steps in order, the server named as such (its endpoint is the leg's).
    static func byDevice(_ call: Call) -> [String: [String]] {
        var steps: [String: [String]] = [:]
        for step in call.steps {
            let from = step.message.sender.isServer ? "server" : step.message.sender.key.description
            let to = step.message.receiver.isServer ? "server" : step.message.receiver.key.description
            let line = "\(from)->\(to) \(step.message.label)"
            for device in [from, to] where device != "server" { steps[device, default: []].append(line) }
        }
        return steps
    }

    /// Each participant's role and fate, and each device's (by key), sorted.
    static func fates(_ call: Call) -> [String] {
        call.participants.flatMap { participant in
            ["\(participant.user ?? "-") \(participant.role) \(participant.outcome?.rawValue ?? "-")"]
                + participant.devices.map { "\($0.key) \($0.outcome.rawValue)" }
        }.sorted()
    }

    /// Without a key log the same capture is what it always was: encrypted, reported, no call.
    @Test func xmppStartTLSWithoutKeysStaysEncrypted() throws {
        let result = try Self.run("xmpp-starttls-jmi-reject", filter: nil)
        #expect(result.calls.isEmpty)
        #expect(result.tls == nil)
        #expect(result.diagnostics.entries.filter { $0.name == "xmpp_encrypted" }.count == 3)
    }

    static func expectTwins(
        _ tls: CallsResult, _ clear: CallsResult, transports: (String, String), name: String
    ) throws {
        #expect(!tls.calls.isEmpty, "\(name): no call")
        #expect(tls.calls.map(\.callID) == clear.calls.map(\.callID), "\(name): calls")
        for (decrypted, twin) in zip(tls.calls, clear.calls) {
            #expect(decrypted.outcome == twin.outcome, "\(name): outcome")
            #expect(decrypted.method == twin.method)
            #expect(decrypted.participants.map(\.role) == twin.participants.map(\.role))
            #expect(decrypted.participants.map(\.outcome) == twin.participants.map(\.outcome))
            #expect(Self.steps(decrypted) == Self.steps(twin), "\(name): steps")
            #expect(decrypted.steps.allSatisfy { $0.message.transport.rawValue == transports.0 })
            #expect(twin.steps.allSatisfy { $0.message.transport.rawValue == transports.1 })
        }
    }

    @Test func statusLineAndJSONNameTheSession() throws {
        let tls = try Self.run("sip-tls13-chacha20", filter: "tcp port 5061", keyLog: "keylog")
        let provenance = Provenance(version: "test", inputs: [("capture.pcap", 0)], filter: nil, tls: tls.tls)
        let document = FlowOutput.render(
            tls.calls, format: .markdown, clockOffsets: [], provenance: provenance, document: .builtIn())
        #expect(document.contains(" · over `TLS 1.3 TLS_CHACHA20_POLY1305_SHA256` · "))
        let json = FlowOutput.render(
            tls.calls, format: .json, clockOffsets: [], provenance: provenance, document: .builtIn())
        let summary = try #require(try JSONValue(parsing: json.utf8)["tls"])
        #expect(summary["connections"]?.integer == 1)
        #expect(summary["decrypted"]?.integer == 1)
        #expect(summary["cipher_suites"]?.array?.compactMap(\.string) == ["TLS_CHACHA20_POLY1305_SHA256"])
        // Key logs are secrets: nothing of this one may reach the output.
        let secrets = try String(contentsOfFile: Self.path("sip-tls13-chacha20", "keylog"), encoding: .utf8)
            .split(whereSeparator: \.isWhitespace).filter { $0.count == 64 || $0.count == 96 }
        #expect(!secrets.isEmpty)
        for secret in secrets { #expect(!json.contains(secret) && !document.contains(secret)) }
    }

    /// A key log without the connection from kamailio to the second device: that connection is
    /// reported with its endpoints and server name, and the call keeps everything else.
    @Test func missingKeysAreReportedNotGuessed() throws {
        let name = "sip-tls-fork-decline"
        let whole = try Self.run(name, filter: "tcp port 5061", keyLog: "keylog")
        let partial = try Self.run(name, filter: "tcp port 5061", keyLog: "without-dev2.keylog")
        let summary = try #require(partial.tls)
        #expect(summary.connections == 3)
        #expect(summary.count(.decrypted) == 2)
        #expect(summary.count(.noKeys) == 1)
        let unread = try #require(summary.unread.first)
        #expect(unread.server == endpoint("127.0.0.12:5061"))
        #expect(unread.client.address == ip("127.0.0.1"))
        #expect(unread.version == "TLS 1.2")
        #expect(unread.cipherSuite == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        let warning = try #require(partial.diagnostics.entries.first { $0.name == "tls_no_keys" })
        #expect(warning.severity == .warning && warning.message.contains("-> 127.0.0.12:5061"))
        #expect(partial.diagnostics.entries.contains { $0.name == "tls_summary" && $0.severity == .warning })

        let dev2 = endpoint("127.0.0.12:5061")
        let call = try #require(partial.calls.first)
        let everything = try #require(whole.calls.first)
        #expect(call.callID == everything.callID)
        #expect(call.outcome == .declined)
        let labels = { (call: Call) in
            call.steps.filter { $0.message.sender.endpoint != dev2 && $0.message.receiver.endpoint != dev2 }
                .map { "\($0.message.sender.endpoint!)->\($0.message.receiver.endpoint!) \($0.message.label)" }
        }
        #expect(labels(call) == labels(everything))
        #expect(!call.steps.contains { $0.message.receiver.endpoint == dev2 || $0.message.sender.endpoint == dev2 })
        #expect(everything.steps.contains { $0.message.receiver.endpoint == dev2 })
    }

    /// A record whose tag does not verify is a gap: the message in it is missing, every later one
    /// is there, and the run says so.
    @Test(arguments: ["sip-tls13-aes128gcm", "sip-tls12-ecdhe-rsa-aes256cbc-sha-mte"])
    func corruptedRecordIsAGap(name: String) throws {
        let directory = TemporaryDirectory()
        let original = try Self.run(name, filter: "tcp port 5061", keyLog: "keylog")
        let ringing = try #require(original.calls.first?.steps.first { $0.message.label == "180 Ringing" })
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path(name, "pcap"))))
        PcapRecords.flipLastByte(ofFrame: ringing.message.stamp.source.frame, in: &bytes)
        let damaged = directory.write(bytes, to: "\(name).pcap")
        let result = try CallsJob.run(
            PipelineConfiguration(
                inputs: [.file(damaged)], filter: "tcp port 5061",
                keyLogs: [try TLSKeyLog.read(path: Self.path(name, "keylog"))]))
        let call = try #require(result.calls.first)
        #expect(call.steps.map(\.message.label) == ["INVITE", "100 Trying", "200 OK", "ACK", "BYE", "200 OK"])
        #expect(call.outcome == .answered)
        let summary = try #require(result.tls)
        #expect(summary.count(.failedAuthentication) == 1)
        #expect(summary.recordsFailed == 1)
        #expect(result.diagnostics.entries.contains { $0.name == "tls_record_unauthenticated" })
    }
}

/// Record offsets of a classic pcap file.
enum PcapRecords {
    /// Flips the bits of the last byte of frame `number` (1-based): for a TLS record that ends its
    /// segment, the last byte of its tag or MAC.
    static func flipLastByte(ofFrame number: Int, in bytes: inout [UInt8]) {
        let littleEndian = bytes[0] == 0xD4
        func uint32(_ offset: Int) -> Int {
            let value = bytes[offset..<(offset + 4)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            return littleEndian ? value : Int(UInt32(value).byteSwapped)
        }
        var offset = 24
        for _ in 1..<number { offset += 16 + uint32(offset + 8) }
        bytes[offset + 16 + uint32(offset + 8) - 1] ^= 0xFF
    }
}

/// Key logs the capture carries itself.
struct EmbeddedSecretsTests {

    /// A pcapng that carries its own key log in a Decryption Secrets Block (`editcap
    /// --inject-secrets`) is decrypted without `--keylog`: its one SIP message over TLS is read (an
    /// OPTIONS without Call-ID, which the SIP decoder says it ignores).
    @Test func secretsInThePcapngDecryptItsConnections() throws {
        let path = Paths.captures.appendingPathComponent("lab/encap/secrets-dsb.pcapng").path
        let result = try CallsJob.run(PipelineConfiguration(inputs: [.file(path)]))
        #expect(result.tls?.connections == 1 && result.tls?.count(.decrypted) == 1)
        #expect(result.diagnostics.entries.map(\.name).contains("sip_missing_call_id"))
    }
}
