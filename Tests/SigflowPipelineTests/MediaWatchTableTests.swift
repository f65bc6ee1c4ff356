import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowMedia

/// The media tracker's endpoint table against `Dictionary` as the model: the same answers after
/// every insert, replace and removal, including long probe runs (a few hundred endpoints on one
/// address, and IPv6 addresses whose folded keys collide) where backward-shift deletion must keep
/// every later key reachable.
struct MediaWatchTableTests {
    /// Endpoints whose packed keys crowd together: consecutive ports of two IPv4 addresses, and IPv6
    /// addresses built so their folded keys are equal (`high ^ low * C` the same for each).
    static let endpoints: [Endpoint] = {
        var endpoints: [Endpoint] = []
        for port in UInt16(40_000)..<40_300 {
            endpoints.append(Endpoint(address: .v4(0x0A00_0001), port: port))
            endpoints.append(Endpoint(address: .v4(0x0A00_0002), port: port))
        }
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        for low in UInt64(1)...40 {
            // Every address folds to 0x2001_0db8 << 16 | port.
            let high = 0x2001_0db8 ^ (low &* multiplier)
            endpoints.append(Endpoint(address: .v6(high: high, low: low), port: 5004))
        }
        return endpoints
    }()

    @Test(arguments: [1, 2, 3, 4, 5])
    func agreesWithDictionary(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var table = MediaWatchTable<Int>()
        var model: [Endpoint: Int] = [:]
        for step in 0..<20_000 {
            let endpoint = Self.endpoints[Int(generator.next() % UInt64(Self.endpoints.count))]
            if generator.next() % 3 == 0 {
                table.removeValue(for: endpoint)
                model[endpoint] = nil
            } else {
                let replaced = table.updateValue(step, for: endpoint)
                #expect(replaced == model.updateValue(step, forKey: endpoint))
            }
            #expect(table.count == model.count)
            if step % 500 == 0 {
                for probe in Self.endpoints { #expect(table[probe] == model[probe], "step \(step), \(probe)") }
            }
        }
        for probe in Self.endpoints { #expect(table[probe] == model[probe]) }
    }

    @Test func slotsAreWritableInPlace() {
        var table = MediaWatchTable<Int>()
        let endpoint = Endpoint(address: .v4(0x7F00_0001), port: 5004)
        #expect(table.slot(of: endpoint) == nil)
        table.updateValue(1, for: endpoint)
        let slot = try! #require(table.slot(of: endpoint))
        table[valueAt: slot] = 7
        #expect(table[endpoint] == 7)
        table.removeValue(for: endpoint)
        #expect(table.isEmpty && table[endpoint] == nil)
    }
}
