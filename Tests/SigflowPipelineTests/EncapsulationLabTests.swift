import Foundation
import SigflowCore
import SigflowPipeline
import Testing

/// The captures of `captures/lab/encap` (real sipp calls through tunnels, pcapng with several link
/// types and sections, HEP from kamailio's siptrace, link types written by scapy): sigflow finds the
/// SIP messages tshark finds, frame for frame (`truth.json`, made by `truth.py`), names the tunnel,
/// and says what it could not open.
@Suite struct EncapsulationLabTests {
    static let folder = Paths.captures.appendingPathComponent("lab/encap")

    struct Message: Equatable, CustomStringConvertible {
        var frame: Int
        var callID: String
        var label: String
        var description: String { "\(frame) \(callID) \(label)" }
    }

    static let truth: [String: [Message]] = {
        guard let json = try? Paths.loadJSON(folder.appendingPathComponent("truth.json")) as? [String: Any],
            let captures = json["captures"] as? [String: [[String: Any]]]
        else { return [:] }
        return captures.mapValues { list in
            list.map {
                Message(frame: $0["frame"] as! Int, callID: $0["call_id"] as! String, label: $0["label"] as! String)
            }
        }
    }()

    /// Every copy of every message sigflow decoded, in frame order, labelled as tshark's fields do.
    static func messages(_ calls: [Call]) -> [Message] {
        calls.flatMap { call in
            call.steps.flatMap { step in
                (step.sightings + step.retransmissions).map {
                    Message(
                        frame: $0.source.frame, callID: call.callID,
                        label: step.message.statusCode.map(String.init) ?? step.message.label)
                }
            }
        }.sorted { $0.frame < $1.frame }
    }

    static func run(_ name: String) throws -> CallsResult {
        try CallsJob.run(PipelineConfiguration(inputs: [.file(folder.appendingPathComponent(name).path)]))
    }

    /// TLS is not decrypted here (the key log reaches `CaptureReader.onDecryptionSecrets`), and tshark
    /// has no HEP dissector: those two are checked below instead.
    static let compared = truth.keys.filter { $0 != "secrets-dsb.pcapng" }.sorted()

    @Test func everyCaptureHasItsTruth() {
        #expect(Self.compared.count >= 19)
    }

    @Test(arguments: compared)
    func sameMessagesAsTshark(name: String) throws {
        let result = try Self.run(name)
        #expect(result.inputError == nil)
        #expect(Self.messages(result.calls) == Self.truth[name]!)
    }

    /// Each call through a tunnel is told by its inner endpoints, with the tunnel on every message.
    @Test(
        arguments: [
            ("gre.pcap", "gre key 0x0000002a"), ("ipip.pcap", "ipip"), ("vxlan.pcap", "vxlan vni 42"),
            ("gtpu.pcap", "gtpu teid 0x1234abcd"), ("erspan2.pcap", "erspan session 123"),
            ("erspan3.pcap", "erspan session 321"), ("mpls.pcap", "mpls label 100"),
            ("pppoe.pcap", "pppoe session 0x0011"), ("pptp.pcap", "pptp call 0x4001"), ("ppp.pcap", nil),
            ("nflog.pcap", nil), ("cisco-hdlc.pcap", nil),
        ] as [(String, String?)])
    func tunnelIsNamed(name: String, tunnel: String?) throws {
        let result = try Self.run(name)
        let steps = result.calls.flatMap(\.steps)
        #expect(steps.count == 6)
        #expect(steps.allSatisfy { $0.message.stamp.encapsulation?.description == tunnel })
        #expect(steps.first?.message.sender.endpoint?.description == "198.51.100.1:5060")
        #expect(result.diagnostics.entries.isEmpty)
    }

    /// HEP from two kamailio relays (v3 agent 101, v2 agent 102) gives the calls the wire shows: the
    /// same messages on the same hops, with the original endpoints; the hop both relays copied is
    /// one step seen from two vantage points, not a retransmission.
    @Test func hepGivesTheCallsOfTheWire() throws {
        let hep = try Self.run("hep.pcap")
        let wire = try Self.run("hep-wire.pcap")
        func hops(_ result: CallsResult) -> [String] {
            result.calls.flatMap(\.steps).map {
                "\($0.message.label) \($0.message.sender.endpoint!) -> \($0.message.receiver.endpoint!)"
            }.sorted()
        }
        #expect(hep.calls.map(\.callID) == wire.calls.map(\.callID))
        #expect(hep.calls.map(\.outcome) == wire.calls.map(\.outcome))
        #expect(hops(hep) == hops(wire) && hops(wire).count == 18)
        let steps = hep.calls.flatMap(\.steps)
        #expect(steps.allSatisfy { $0.retransmissions.isEmpty })
        #expect(steps.filter { $0.sightings.count == 2 }.count == 6)
        #expect(Set(steps.compactMap { $0.message.stamp.encapsulation?.hepAgent }) == [101, 102])
        #expect(steps.allSatisfy { $0.message.transport == .udp })
        #expect(hep.diagnostics.entries.isEmpty)
    }

    /// What sigflow cannot open is counted, one warning per cause; ARP is not; `flows` lists the
    /// GRE tunnels it could not open as conversations between their hosts.
    @Test func undecodableTunnelsAreReported() throws {
        let input = PipelineConfiguration(inputs: [.file(Self.folder.appendingPathComponent("undecodable.pcap").path)])
        let flows = try FlowsJob.run(input)
        #expect(
            flows.diagnostics.entries.map(\.message) == [
                "8 packets in GRE with protocol 0x1234 not decoded",
                "8 packets in PPP with protocol 0x00fd not decoded",
            ])
        #expect(
            flows.flows.map { "\($0.transport) \($0.a.address) \($0.b.address)" } == [
                "gre 192.0.2.1 192.0.2.2", "gre 192.0.2.3 192.0.2.4",
            ])
        let calls = try Self.run("undecodable.pcap")
        #expect(calls.diagnostics.entries.map(\.message) == flows.diagnostics.entries.map(\.message))
        let unknown = try Self.run("unknown-link-type.pcap")
        #expect(
            unknown.diagnostics.entries.map(\.message) == [
                "2 packets of link type 147 not decoded (sigflow does not read that link type)"
            ])
    }

    /// A pcapng of two link types (dumpcap on lo and a TUN device) reads whole, each packet in its
    /// own framing; appended to another file it is a second section, and frames run on.
    @Test func multiLinkAndSections() throws {
        let multi = try Self.run("multi-link.pcapng")
        #expect(multi.calls.count == 2)
        let sections = try Self.run("two-sections.pcapng")
        let nano = try Self.run("nanoseconds.pcapng")
        #expect(sections.captures.first?.frames == multi.captures.first!.frames + nano.captures.first!.frames)
        #expect(sections.calls.map(\.callID).sorted() == (multi.calls + nano.calls).map(\.callID).sorted())
    }
}
