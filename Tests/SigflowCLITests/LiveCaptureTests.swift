import Foundation
import SigflowTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `-i IFACE`: a live capture on the loopback interface, with a BPF filter, ended by Ctrl-C
/// (SIGINT), prints the calls it saw. Needs the right to capture (root or CAP_NET_RAW).
@Suite(.enabled(if: getuid() == 0, "live capture needs root (or CAP_NET_RAW)"))
struct LiveCaptureTests {
    /// A UDP socket bound to 127.0.0.1:`port`.
    static func boundSocket(port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(socket >= 0)
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0, "cannot bind 127.0.0.1:\(port)")
        return socket
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A declined call between two UDP sockets on loopback: INVITE from `callerPort` to `calleePort`,
    /// 603 back, ACK.
    static func sendDeclinedCall(callID: String, callerPort: UInt16, calleePort: UInt16) throws {
        let caller = try boundSocket(port: callerPort)
        let callee = try boundSocket(port: calleePort)
        defer {
            close(caller)
            close(callee)
        }
        let headers = { (cseq: String, toTag: String) in
            "Via: SIP/2.0/UDP 127.0.0.1:\(callerPort);branch=z9hG4bK-live-1\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\n"
                + "To: <sip:bob@127.0.0.1>\(toTag)\r\nCall-ID: \(callID)\r\nCSeq: \(cseq)\r\nContent-Length: 0\r\n\r\n"
        }
        let messages: [(Int32, UInt16, String)] = [
            (caller, calleePort, "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n" + headers("1 INVITE", "")),
            (callee, callerPort, "SIP/2.0 603 Decline\r\n" + headers("1 INVITE", ";tag=b1")),
            (caller, calleePort, "ACK sip:bob@127.0.0.1 SIP/2.0\r\n" + headers("1 ACK", ";tag=b1")),
        ]
        for (socket, port, message) in messages {
            let bytes = Array(message.utf8)
            var address = loopback(port: port)
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(sent == bytes.count)
            usleep(20_000)
        }
    }

    @Test func loopbackCaptureWithFilterEndsOnInterrupt() throws {
        let directory = TemporaryDirectory()
        let output = directory.file("stdout")
        let errors = directory.file("stderr")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SigflowProcess.executable)
        process.arguments = ["calls", "-i", "lo", "-f", "udp port 45060", "--format", "json"]
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.run()
        // libpcap needs a moment to open the interface; traffic before that is not seen.
        usleep(1_500_000)
        try Self.sendDeclinedCall(callID: "live-call-1@127.0.0.1", callerPort: 45061, calleePort: 45060)
        // Traffic on another port is filtered out.
        try Self.sendDeclinedCall(callID: "filtered-out@127.0.0.1", callerPort: 45063, calleePort: 45062)
        usleep(500_000)
        process.interrupt()
        // An interrupt must end the capture promptly, even on an idle interface.
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let stoppedOnInterrupt = !process.isRunning
        if !stoppedOnInterrupt { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try #require(stoppedOnInterrupt, "sigflow kept running 10 s after SIGINT")
        let printed = String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
        let warnings = String(decoding: FileManager.default.contents(atPath: errors) ?? Data(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(warnings)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any], "\(printed)")
        let calls = try #require(json["calls"] as? [[String: Any]])
        #expect(calls.map { $0["call_id"] as? String } == ["live-call-1@127.0.0.1"])
        #expect(calls.first?["outcome"] as? String == "declined")
    }
}
