import SigflowCore
import Testing

/// The media streams of a lab expect file (`media`: the UDP streams tshark sees) against the media
/// steps sigflow gives a call: one `RTP starts`/`RTP stops` pair per stream, the same sender,
/// receiver and packet count, starting at the stream's first frame.
enum LabMedia {
    static func isMedia(_ step: CallStep) -> Bool { step.message.kind == .media }

    /// `src -> dst: N packets, frames F-L` per stream.
    static func expected(_ call: [String: Any]) -> [String] {
        (call["media"] as? [[String: Any]] ?? []).map { stream in
            "\(stream["src"] as! String) -> \(stream["dst"] as! String): \(stream["packets"] as! Int) packets, "
                + "frames \(stream["first_frame"] as! Int)-\(stream["last_frame"] as! Int)"
        }
    }

    static func expectMatches(_ call: Call, _ expected: [String], name: String) {
        let steps = call.steps.filter(isMedia)
        let stops = steps.filter { $0.message.media?.event == .stop }.map { step in
            let media = step.message.media!
            return "\(media.from) -> \(media.to): \(media.packets) packets, frames "
                + "\(step.sightings.first!.source.frame)-\(step.sightings.last!.source.frame)"
        }
        let starts = steps.filter { $0.message.media?.event == .start }
        #expect(stops.count == expected.count && starts.count == expected.count, "\(name): media")
        // Stops come in order of their last packet, tshark's streams in order of their first.
        let route = { (stream: String) in String(stream.prefix(while: { $0 != "," })) }
        #expect(stops.map(route).sorted() == expected.map(route).sorted(), "\(name): media \(stops) vs \(expected)")
        #expect(
            Set(starts.map { $0.sightings[0].source.frame })
                == Set(expected.map { Int($0.split(separator: "frames ")[1].split(separator: "-")[0])! }),
            "\(name): first media frames")
    }
}
