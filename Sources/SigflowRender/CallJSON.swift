import SigflowCore
import SigflowCorrelator
import SigflowTLS

/// The `flow --format json` document: the machine-readable truth about each call. Field names and
/// order are a documented contract (README, man page); add fields, never rename them.
public enum CallJSON {
    /// The JSON document of `flow --format json`, written call by call: the calls of a capture of
    /// a proxy (a hundred thousand) are never one value or one string.
    public static func write<Output: TextOutputStream>(
        calls: [Call], clockOffsets: [ClockOffset], captures: [String], tls: TLSSummary? = nil,
        to output: inout Output
    ) {
        let offsets = Dictionary(uniqueKeysWithValues: clockOffsets.map { ($0.capture, $0.nanoseconds) })
        let leading: [(String, JSONValue)] = [
            ("captures", .array(captures.enumerated().map { .object([("index", .int($0)), ("file", .string($1))]) })),
            (
                "clock_offsets",
                .array(
                    clockOffsets.map {
                        .object([
                            ("capture", .int($0.capture)), ("relative_to", .int($0.relativeTo)),
                            ("offset", .number(CaptureTime(nanoseconds: $0.nanoseconds).epochString)),
                            ("shared_messages", .int($0.sharedMessages)),
                        ])
                    })
            ),
        ]
        JSONValue.writeObject(
            leading, listing: "calls", items: calls.lazy.map { call(for: $0, offsets: offsets) },
            trailing: tls.map { [("tls", Self.tls($0))] } ?? [], to: &output)
    }

    /// What TLS decryption read: counts by outcome, versions and suites, the connections not read
    /// whole. No secret is in it.
    static func tls(_ summary: TLSSummary) -> JSONValue {
        .object([
            ("connections", .int(summary.connections)),
            ("decrypted", .int(summary.count(.decrypted))),
            ("without_keys", .int(summary.count(.noKeys))),
            ("handshake_not_captured", .int(summary.count(.handshakeNotCaptured))),
            ("unsupported", .int(summary.count(.unsupported))),
            ("failed_authentication", .int(summary.count(.failedAuthentication))),
            ("failed_records", .int(summary.recordsFailed)),
            ("versions", .array(summary.versions.map { .string($0) })),
            ("cipher_suites", .array(summary.cipherSuites.map { .string($0) })),
            (
                "undecrypted",
                .array(
                    summary.unread.map { connection in
                        .object([
                            ("client", .string(connection.client.description)),
                            ("server", .string(connection.server.description)),
                            ("server_name", connection.serverName.map { .string($0) } ?? .null),
                            ("version", connection.version.map { .string($0) } ?? .null),
                            ("cipher_suite", connection.cipherSuite.map { .string($0) } ?? .null),
                            ("outcome", .string(connection.outcome.rawValue)),
                            ("detail", connection.detail.map { .string($0) } ?? .null),
                            ("records_decrypted", .int(connection.recordsDecrypted)),
                            ("records_failed", .int(connection.recordsFailed)),
                            ("capture", .int(connection.firstPacket.capture)),
                            ("frame", .int(connection.firstPacket.frame)),
                        ])
                    })
            ),
            ("undecrypted_not_listed", .int(summary.unlisted)),
        ])
    }

    public static func call(for call: Call, offsets: [Int: Int64] = [:]) -> JSONValue {
        .object([
            ("protocol", .string(call.signalingProtocol.id)),
            ("call_id", .string(call.callID)),
            ("method", .string(call.method)),
            ("outcome", .string(call.outcome.rawValue)),
            ("final_status", call.finalStatus.map { .int($0) } ?? .null),
            ("final_reason", call.finalReason.map { .string($0) } ?? .null),
            ("settling_step", call.settlingStep.map { .int($0) } ?? .null),
            ("linked_calls", .array(call.linkedCallIDs.map { .string($0) })),
            ("timing", timing(call.timing)),
            ("participants", .array(call.participants.map(participant))),
            ("messages", .array(messages(of: call, offsets: offsets))),
            ("findings", .array(call.findings.map(finding))),
            ("open_questions", .array(call.openQuestions.map { .string($0) })),
        ])
    }

    static func timing(_ timing: CallTiming) -> JSONValue {
        func seconds(_ value: Int64?) -> JSONValue {
            value.map { .number(CaptureTime(nanoseconds: $0).epochString) } ?? .null
        }
        return .object([
            ("start", .number(timing.start.epochString)),
            ("end", .number(timing.end.epochString)),
            ("post_dial_delay", seconds(timing.postDialDelay)),
            ("time_to_decision", seconds(timing.timeToDecision)),
            ("duration", seconds(timing.duration)),
        ])
    }

    static func participant(_ participant: Participant) -> JSONValue {
        .object([
            ("id", .string(participant.id)),
            ("role", .string(participant.role.rawValue)),
            ("label", .string(participant.label)),
            ("endpoints", .array(participant.endpoints.map { .string($0.description) })),
            ("user", participant.user.map { .string($0) } ?? .null),
            ("agent", participant.agent.map { .string($0) } ?? .null),
            ("outcome", participant.outcome.map { .string($0.rawValue) } ?? .null),
            (
                "devices",
                .array(
                    participant.devices.map {
                        .object([
                            ("key", .string($0.key.description)), ("label", .string($0.label)),
                            ("outcome", .string($0.outcome.rawValue)),
                        ])
                    })
            ),
        ])
    }

    /// Every copy of every step, in time order: the first sighting of a step, then its
    /// retransmissions (same step number, `retransmission: true`).
    static func messages(of call: Call, offsets: [Int: Int64]) -> [JSONValue] {
        var entries: [(CaptureTime, SourceRef, JSONValue)] = []
        for step in call.steps {
            let copies = [(step.sightings[0], false)] + step.retransmissions.map { ($0, true) }
            for (sighting, isRetransmission) in copies {
                let time = sighting.time.adding(nanoseconds: -(offsets[sighting.source.capture] ?? 0))
                let message = step.message
                entries.append(
                    (
                        time, sighting.source,
                        object(
                            carriedBy: message.stamp,
                            [
                                ("step", .int(step.number)),
                                ("time", .number(time.epochString)),
                                ("src", message.sender.endpoint.map { .string($0.description) } ?? .null),
                                ("dst", message.receiver.endpoint.map { .string($0.description) } ?? .null),
                                ("from", .string(step.from)),
                                ("to", .string(step.to)),
                                ("label", .string(message.label)),
                                ("kind", .string(message.kind.rawValue)),
                                ("retransmission", .bool(isRetransmission)),
                                ("capture", .int(sighting.source.capture)),
                                ("frame", .int(sighting.source.frame)),
                                ("transport", .string(message.transport.rawValue)),
                                ("confidence", .string(message.confidence.rawValue)),
                                ("truncated", .bool(message.truncated)),
                                (
                                    "also_seen_in",
                                    .array(
                                        isRetransmission
                                            ? []
                                            : step.sightings.dropFirst().map {
                                                .object([
                                                    ("capture", .int($0.source.capture)),
                                                    ("frame", .int($0.source.frame)),
                                                ])
                                            })
                                ),
                                ("notes", .array(message.notes.map { .string($0) })),
                                ("attributes", .object(message.attributes.map { ($0.key, .string($0.value)) })),
                            ])
                    ))
            }
        }
        return entries.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    /// A message's fields, then `tunnel` (`gtpu teid 0x...`) and `hep_agent` when the packet came
    /// through one: the only place the JSON names them, so output without tunnels is unchanged.
    static func object(carriedBy stamp: PacketStamp, _ fields: [(String, JSONValue)]) -> JSONValue {
        switch stamp.encapsulation {
        case nil: return .object(fields)
        case .hep(let agent)?: return .object(fields + [("hep_agent", .int(Int(agent)))])
        case let tunnel?: return .object(fields + [("tunnel", .string(tunnel.description))])
        }
    }

    static func finding(_ finding: Finding) -> JSONValue {
        .object([
            ("rule", .string(finding.ruleID)),
            ("severity", .string(finding.severity.rawValue)),
            ("message", .string(finding.message)),
            ("steps", .array(finding.steps.map { .int($0) })),
            ("clause", .string(finding.clause)),
        ])
    }
}
