import Foundation
import SigflowCore
import SigflowPipeline
import SigflowSDP
import SigflowSIP
import Testing

/// Where an SDP body says media arrives: `c=`/`m=` of the streams it accepts, then its UDP ICE
/// candidates (what a WebRTC offer, with its `0.0.0.0` port 9 placeholder, really announces).
struct SDPSummaryTests {
    static func endpoints(_ lines: [String]) -> [String] {
        let body = Array(lines.joined(separator: "\r\n").utf8)
        let summary = SDPSummary(body)?.mediaEndpoints.map(\.description) ?? ["no SDP"]
        // The call list's scan, which builds no summary, finds the same endpoints.
        #expect(SDPSummary.mediaEndpoints(in: body[...]).map(\.description) == (summary == ["no SDP"] ? [] : summary))
        return summary
    }

    /// Every SDP body of the lab captures and the public corpus: the call list's scan finds exactly
    /// what the summary finds.
    @Test func theScanFindsWhatTheSummaryFinds() throws {
        var paths = try FileManager.default.subpathsOfDirectory(atPath: Paths.captures.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.map {
                Paths.captures.appendingPathComponent($0).path
            }
        if Paths.hasPublicCorpus {
            paths += try FileManager.default.subpathsOfDirectory(atPath: Paths.publicCorpus.path)
                .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.map { Paths.publicCapture($0) }
        }
        var bodies = 0
        for path in paths {
            guard let result = try? CallsJob.run(PipelineConfiguration(inputs: [.file(path)])) else { continue }
            for step in result.calls.flatMap(\.steps) {
                guard let body = step.message.sip?.message?.body, step.message.sip?.sdp != nil else { continue }
                bodies += 1
                #expect(
                    SDPSummary.mediaEndpoints(in: body) == SDPSummary(body, codecs: false)?.mediaEndpoints ?? [],
                    "\(path) step \(step.number)")
            }
        }
        #expect(bodies > 100)
    }

    @Test func plainOfferAnnouncesItsConnectionAddressAndPort() {
        #expect(
            Self.endpoints(["v=0", "c=IN IP4 10.0.0.1", "m=audio 4000 RTP/AVP 0 8", "m=video 0 RTP/AVP 31"])
                == ["10.0.0.1:4000"])
    }

    @Test func webRTCOfferAnnouncesItsUDPCandidatesOnly() {
        let offer = [
            "v=0", "a=candidate:0 1 udp 2122260223 192.0.2.9 51000 typ host",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
            "a=candidate:1 1 UDP 2122260223 192.0.2.1 54400 typ host generation 0",
            "a=candidate:2 1 udp 1686052607 198.51.100.7 61000 typ srflx raddr 192.0.2.1 rport 54400",
            "a=candidate:3 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active",
            "a=candidate:4 1 udp 2122194687 4f2b1c3e-aaaa.local 54401 typ host",
            "a=candidate:5 1 udp 2122131711 2001:db8::5 54402 typ host",
            "a=candidate:6 1 udp 2122131711 192.0.2.1 54400 typ host",
            "a=candidate:broken",
        ]
        #expect(
            Self.endpoints(offer) == [
                "192.0.2.9:51000", "192.0.2.1:54400", "198.51.100.7:61000", "[2001:db8::5]:54402", "192.0.2.1:54400",
            ])
    }

    @Test func trickledCandidateStringsWithOrWithoutPrefix() {
        #expect(
            ICECandidate.endpoint("candidate:1 1 udp 2122260223 127.0.0.1 50010 typ host")?.description
                == "127.0.0.1:50010")
        #expect(
            ICECandidate.endpoint("a=candidate:1 1 udp 2122260223 127.0.0.1 50010 typ host")?.description
                == "127.0.0.1:50010")
        #expect(ICECandidate.endpoint("") == nil)
        #expect(ICECandidate.endpoint("candidate:1 1 udp 2122260223 127.0.0.1 0 typ host") == nil)
        #expect(ICECandidate.endpoint("candidate:1 1 udp 2122260223 127.0.0.1 70000 typ host") == nil)
    }
}
