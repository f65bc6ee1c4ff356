import Foundation
import SigflowCore
import SigflowCorrelator
import SigflowMatrix
import SigflowSIP
import SigflowTestSupport
import SigflowWhatsApp
import SigflowXMPP
import Testing

/// The call list kept as sorted runs on disk must read back exactly what was added, in list order,
/// and leg linking over it must find every other leg while holding only the calls that can have one.
struct CallSummaryStoreTests {
    /// Summaries with many ties in start time and in call id, every protocol and outcome, optional and
    /// non-ASCII text, and extreme numbers.
    static func summaries(count: Int) -> [CallSummary] {
        var seed: UInt64 = 0x5EED
        func random(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let protocols: [SignalingProtocol] = [.sip, .matrix, .xmpp, .whatsapp]
        return (0..<count).map { index in
            let signalingProtocol = protocols[random(protocols.count)]
            let callID = ["a", "b", "Ω-\(random(5))@host", String(repeating: "x", count: random(300))][random(4)]
            return CallSummary(
                signalingProtocol: signalingProtocol, callID: callID, key: CallKey(signalingProtocol, callID: callID),
                method: "M\(index)", isCall: random(2) == 0,
                fromUser: random(3) == 0 ? nil : "sip:alice\(random(9))@example.com",
                toUser: random(3) == 0 ? nil : "",
                start: CaptureTime(nanoseconds: [Int64.min, -5, 0, 7, Int64.max][random(5)] &- Int64(random(3))),
                duration: [Int64.min, -1, 0, 1_500_000_000, Int64.max][random(5)],
                outcome: CallOutcome.allCases[random(CallOutcome.allCases.count)],
                stepCount: random(1_000_000), deviceCount: random(4),
                carriedLinkTokens: (0..<random(3)).map { _ in .shared(MessageKey(UInt64(random(10)))) })
        }
    }

    /// What the store must give back: a stable sort by start, then call id.
    static func listOrder(_ summaries: [CallSummary]) -> [CallSummary] {
        summaries.enumerated().sorted {
            ($0.element.start, $0.element.callID, $0.offset) < ($1.element.start, $1.element.callID, $1.offset)
        }.map(\.element)
    }

    /// The store's summaries against `expected`: the first difference, not two lists of thousands.
    static func expectSame(_ store: CallSummaryStore, _ expected: [CallSummary]) {
        let read = Array(store)
        #expect(read.count == expected.count)
        let first = zip(read, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(
            first == nil,
            "first difference at \(first ?? 0): \(first.map { "\(read[$0]) instead of \(expected[$0])" } ?? "")")
    }

    /// Files this process has open in `directory` (unlinked ones included).
    static func openFiles(in directory: String) -> [String] {
        let name = (directory as NSString).lastPathComponent
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
        }
        .filter { $0.contains("/\(name)/") }
    }

    @Test(arguments: [1, 7, 64, 5_000])
    func runsOnDiskReadBackInListOrder(runLength: Int) throws {
        let directory = TemporaryDirectory()
        let added = Self.summaries(count: 2_000)
        let store = CallSummaryStore(runLength: runLength, spillDirectory: directory.path)
        for summary in added { store.append(summary) }
        #expect(store.count == added.count)
        if runLength < added.count {
            let files = Self.openFiles(in: directory.path)
            #expect(files.count == 1 && files[0].hasSuffix("(deleted)"), "\(files)")
        }
        let expected = Self.listOrder(added)
        Self.expectSame(store, expected)
        // A second reading (a text table measures its columns first) gives the same.
        Self.expectSame(store, expected)
    }

    @Test func withoutATemporaryFileRunsStayInMemory() {
        let added = Self.summaries(count: 500)
        let store = CallSummaryStore(runLength: 16, spillDirectory: "/nonexistent/sigflow-test")
        for summary in added { store.append(summary) }
        Self.expectSame(store, Self.listOrder(added))
    }

    @Test func linksAreAppliedByPosition() {
        let store = CallSummaryStore(runLength: 2)
        for summary in Self.summaries(count: 5) { store.append(summary) }
        store.linkedCallIDs = [3: ["other@host"]]
        #expect(Array(store).map(\.linkedCallIDs) == [[], [], [], ["other@host"], []])
    }

    static func summary(_ callID: String, start: Int64, tokens: [LinkToken] = []) -> CallSummary {
        CallSummary(
            signalingProtocol: .sip, callID: callID, key: CallKey(.sip, callID: callID), method: "INVITE",
            isCall: true, fromUser: nil, toUser: nil,
            start: CaptureTime(nanoseconds: start), duration: 0, outcome: .answered, stepCount: 1, deviceCount: 2,
            carriedLinkTokens: tokens)
    }

    @Test func legLinksFindNamedSharedAndRepeatedCallIDs() {
        // Tens of thousands of calls with no other leg around them, which no link may touch: enough
        // that Call-IDs seen move from an exact set to the Bloom filter, with a repeat on each side.
        var listed = [Self.summary("across@host", start: 5)]
        listed += (0..<40_000).map { Self.summary("lone-\($0)@host", start: Int64($0) * 10) }
        listed += [
            Self.summary("across@host", start: 399_999),
            Self.summary("b-leg@host", start: 15, tokens: [.naming(CallKey(.sip, callID: "a-leg@host"))]),
            Self.summary("a-leg@host", start: 25),
            Self.summary("x@host", start: 35, tokens: [.shared(MessageKey(0xf81d_4fae))]),
            Self.summary("y@host", start: 45, tokens: [.shared(MessageKey(0xf81d_4fae))]),
            Self.summary("again@host", start: 55),
            Self.summary("again@host", start: 199_995),
        ]
        var links = SummaryLegLinks()
        let store = CallSummaryStore(runLength: 1_000)
        for summary in listed {
            links.note(summary)
            store.append(summary)
        }
        store.linkedCallIDs = links.links(store)
        let linked = Dictionary(
            Array(store).filter { !$0.linkedCallIDs.isEmpty }.map {
                ("\($0.callID)@\($0.start.nanoseconds)", $0.linkedCallIDs)
            },
            uniquingKeysWith: { first, _ in first })
        #expect(
            linked == [
                "b-leg@host@15": ["a-leg@host"], "a-leg@host@25": ["b-leg@host"], "x@host@35": ["y@host"],
                "y@host@45": ["x@host"], "again@host@55": ["again@host"], "again@host@199995": ["again@host"],
                "across@host@5": ["across@host"], "across@host@399999": ["across@host"],
            ])
    }

    @Test func noLinkPassWithoutTokensOrRepeats() {
        var links = SummaryLegLinks()
        let store = CallSummaryStore()
        for index in 0..<100 {
            let summary = Self.summary("call-\(index)", start: Int64(index))
            links.note(summary)
            store.append(summary)
        }
        #expect(links.links(store).isEmpty)
    }
}
